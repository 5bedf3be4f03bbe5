"""Reading a Bronze CSV as text into a DuckDB table: every column a string, malformed and empty
lines kept as quarantine rows with their record number, never an error, memory bounded.

The header is read with the same CSV rules as the data (quoted names, CR, LF or CRLF line
endings). The data is read by Arrow, fast, block by block, and streamed into DuckDB (which spills
to its temporary folder beyond its memory limit), so memory holds a few blocks whatever the
file's size. When a record spans lines (a quoted field holding a line break) the file is read
again line by line (``warehouse.silver.lines``), because a quote that never closes properly would
otherwise swallow every line after it into one value. That reading accepts a quoted field across
lines only when it closes properly; a quote that does not costs its own line, which is
quarantined with the reason, and the lines after it are read as usual.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from warehouse.core.duck import session, sql_name
from warehouse.core.errors import PipelineError
from warehouse.silver import lines
from warehouse.silver.context import REASON, SOURCE_ROW

if TYPE_CHECKING:  # pandas only for the frames of read_bronze_csv, not for load_bronze
    import pandas as pd

RAW_LINE = "_raw_line"
HEADER_LIMIT = 1 << 20  # characters of the first line that are read as the header
# Arrow's CSV reader reads up to 32 blocks ahead of its consumer, so the block size bounds its
# memory (measured: at most about 160 MB with 4 MB blocks, 440 MB with 16 MB); a record larger
# than a block is read line by line.
BLOCK_SIZE = 1 << 22
MALFORMED_SCHEMA = pa.schema(
    [(SOURCE_ROW, pa.int64()), (RAW_LINE, pa.string()), (REASON, pa.string())]
)


@dataclass(frozen=True)
class Loaded:
    """A Bronze CSV loaded into the DuckDB table ``relation``."""

    relation: str
    columns: list[str]  # the header's names, lower-cased and trimmed, in file order
    rows: int  # good records: the rows of ``relation``
    malformed: pa.Table  # _source_row int64, _raw_line string, _reason string
    lines_read: int  # data lines the records were read from (see ``lines_read``)
    by_lines: bool  # whether the file was read line by line (records spanning lines, etc.)


def load_bronze(
    con,
    path: Path,
    encoding: str = "utf-8",
    delimiter: str = ",",
    relation: str = "bronze",
    *,
    block_size: int = BLOCK_SIZE,
) -> Loaded:
    """Load a Bronze CSV into a new DuckDB table ``relation`` on ``con``, every column as text.

    ``encoding`` is the one Bronze recorded for the file. The table has the header's columns
    (lower-cased, trimmed names, VARCHAR, an empty field is NULL) and ``_source_row`` (BIGINT),
    the record's number in the file (1 = first record after the header; the same as its line
    number minus one unless a quoted field holds a line break), its rows in file order.
    ``malformed`` lists records whose field count differs from the header, and lines whose quote
    never closes, with their number, text and the reason, so they can be quarantined instead of
    failing. An existing table ``relation`` is replaced.
    """
    if encoding == "binary":
        raise PipelineError(
            f"{path} contains NUL bytes and is not a CSV export. Replace it with a text CSV "
            "(comma separated, UTF-8), or remove it from raw/."
        )
    header = _read_header(path, encoding, delimiter)
    codec = python_codec(encoding)
    loaded = _load_with_arrow(con, path, codec, delimiter, header, relation, block_size)
    if loaded is not None:
        rows, bad = loaded
        # No value holds a line break (else the file is read by lines): a record is a line.
        return Loaded(relation, header, rows, bad, rows + bad.num_rows, False)
    found: list[tuple[int, str, str]] = []
    stream = lines.batches(path, codec, delimiter, header, found, HEADER_LIMIT)
    _create(con, relation, lines.schema_of(header), stream)
    bad = _malformed_table(found)
    rows, read = _count_lines(con, relation, header, bad)
    return Loaded(relation, header, rows, bad, read, True)


def read_bronze_csv(path: Path, encoding: str = "utf-8", delimiter: str = ","):
    """Read a Bronze CSV with every column as text into pandas, by :func:`load_bronze` (the whole
    file in memory: for small files, tests and drafting tools).

    Returns (rows, malformed): ``rows`` has the header's columns (``str``) and ``_source_row``
    (int64) last; ``malformed`` has ``_source_row``, ``_raw_line`` and ``_reason``.
    """
    with session(label="reader") as con:
        loaded = load_bronze(con, path, encoding, delimiter)
        con.execute("SET arrow_large_buffer_size = false")  # 32-bit offsets, as Arrow reads
        table = con.table(loaded.relation).to_arrow_table()
    return table.to_pandas(self_destruct=True), loaded.malformed.to_pandas()


def lines_read(rows: pd.DataFrame, malformed: pd.DataFrame) -> int:
    """The data lines (after the header) that ``read_bronze_csv``'s records were read from:
    one per record plus the line breaks inside its values (a CRLF is one break)."""
    breaks = 0
    for frame in (rows, malformed):
        for column in frame.columns:
            if column != SOURCE_ROW and column != REASON:
                values = frame[column].dropna().astype(str)
                breaks += int(values.str.count("\r\n|\r|\n").sum())
    return len(rows) + len(malformed) + breaks


def python_codec(encoding: str) -> str:
    """The Python codec that reads a file Bronze described with ``encoding``."""
    return "utf-8-sig" if encoding in ("ascii", "utf-8", "utf-8-sig") else encoding


class _Stream:
    """Arrow's batches with ``_source_row``, stopping early when the file must be read by lines.

    A good record's number follows from its ordinal among the good ones and the numbers of the
    malformed records before it (the handler reports file line numbers; the header is line 1):
    with b_1 < b_2 < ... the malformed numbers, the i-th good record is number
    i + #{j : b_j - j < i}. The malformed records before a batch's last row are known when the
    batch is read (the handler runs as its block is parsed); later ones do not count.
    """

    def __init__(self) -> None:
        self.schema: pa.Schema | None = None
        self.malformed: list[tuple[int, str, str]] = []
        self.keys: list[int] = []  # b_j - j of the malformed records so far
        self.by_lines = False  # set when a record spans lines or cannot be numbered
        self.rows = 0

    def on_invalid(self, row) -> str:
        number = row.number - 1 if row.number is not None and row.number > 1 else 0
        if number < 1 or (self.malformed and number <= self.malformed[-1][0]):
            self.by_lines = True  # not numbered, or not in order: read by lines, exactly
        reason = f"line has {row.actual_columns} fields, the header has {row.expected_columns}"
        self.malformed.append((number, row.text, reason))
        self.keys.append(number - len(self.malformed))
        return "skip"

    def batches(self, reader: pacsv.CSVStreamingReader):
        checked = 0  # malformed texts checked for line breaks
        for batch in reader:
            texts = [m[1] for m in self.malformed[checked:]]
            checked = len(self.malformed)
            if self.by_lines or _breaks_in(batch, texts):
                self.by_lines = True
                return
            ordinal = np.arange(self.rows + 1, self.rows + batch.num_rows + 1, dtype=np.int64)
            if self.keys:
                ordinal += np.searchsorted(np.asarray(self.keys), ordinal, side="left")
            self.rows += batch.num_rows
            columns = [*batch.columns, lines.int64s(ordinal)]
            yield pa.RecordBatch.from_arrays(columns, schema=self.schema)
        if _breaks_in(None, [m[1] for m in self.malformed[checked:]]):
            self.by_lines = True


def _load_with_arrow(con, path, codec, delimiter, header, relation, block_size):
    """(rows, malformed) of the file loaded by Arrow, or None if it must be read by lines."""
    stream = _Stream()
    try:  # the first block is read as the reader opens
        reader = _open_csv(path, codec, delimiter, header, block_size, stream.on_invalid)
    except Exception as exc:
        if _by_lines_instead(exc):
            return None
        raise
    stream.schema = reader.schema.append(pa.field(SOURCE_ROW, pa.int64()))
    try:
        _create(con, relation, stream.schema, stream.batches(reader))
    except Exception as exc:
        if _by_lines_instead(exc):
            return None
        raise
    last = stream.malformed[-1][0] if stream.malformed else 0
    if stream.by_lines or last > stream.rows + len(stream.malformed):
        con.execute(f"DROP TABLE {sql_name(relation)}")
        return None
    return stream.rows, _malformed_table(stream.malformed)


def _by_lines_instead(exc: Exception) -> bool:
    """Whether Arrow's error means the file is read line by line: a byte the detected code page
    does not define (Bronze decided on a sample; line by line it becomes U+FFFD, and Bronze has
    already warned about the encoding), or a record larger than Arrow's block."""
    return isinstance(exc, UnicodeDecodeError) or (
        isinstance(exc, pa.ArrowInvalid) and "straddl" in str(exc)
    )


def _breaks_in(batch: pa.RecordBatch | None, texts: list[str]) -> bool:
    """Whether a value of ``batch`` or one of ``texts`` holds a line break (CR or LF)."""
    if any("\n" in t or "\r" in t for t in texts):
        return True
    for column in batch.columns if batch is not None else ():
        if column.null_count == len(column):
            continue
        offsets, data = column.buffers()[1:3]
        if data is None:
            continue
        bounds = np.frombuffer(offsets, dtype=np.int32)[
            column.offset : column.offset + len(column) + 1
        ]
        values = data.slice(int(bounds[0]), int(bounds[-1] - bounds[0])).to_pybytes()
        if b"\n" in values or b"\r" in values:
            return True
    return False


def _open_csv(path, codec, delimiter, header, block_size, on_invalid):
    return pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(
            # Arrow reads UTF-8 itself (and skips a BOM with the header line); other encodings
            # are decoded through Python's codec as the file streams in.
            encoding="utf8" if codec == "utf-8-sig" else codec,
            use_threads=False,  # row numbers of malformed lines are only known when serial
            column_names=header,
            skip_rows=1,
            block_size=block_size,
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            invalid_row_handler=on_invalid,
            ignore_empty_lines=False,
            # Quoted fields may hold line breaks; rows are then numbered by record, not line.
            newlines_in_values=True,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            # The exports mean "missing" by an empty field.
            strings_can_be_null=True,
        ),
    )


def _create(con, relation: str, schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> None:
    """The table ``relation`` with the rows of ``batches``, in order, streamed into DuckDB. An
    error while reading them is raised as it is (through DuckDB it would lose its type), and
    leaves no table."""
    failed: list[Exception] = []

    def guarded():
        try:
            yield from batches
        except Exception as exc:  # noqa: BLE001 - raised below, once DuckDB is done
            failed.append(exc)

    stream = pa.RecordBatchReader.from_batches(schema, guarded())
    view = f"_bronze_stream_{id(stream)}"
    con.register(view, stream)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {sql_name(relation)} AS SELECT * FROM {view}")
    finally:
        con.unregister(view)
    if failed:
        con.execute(f"DROP TABLE {sql_name(relation)}")
        raise failed[0]


def _count_lines(con, relation: str, header: list[str], malformed: pa.Table) -> tuple[int, int]:
    """(rows, lines read) of a table read by lines: one line per record plus the line breaks in
    its values and in the malformed records' texts (a CRLF is one break), counted in SQL."""

    def breaks(column: str) -> str:
        crlf_as_lf = f"replace({column}, chr(13) || chr(10), chr(10))"
        bare = f"replace(replace({crlf_as_lf}, chr(13), ''), chr(10), '')"
        return f"coalesce(strlen({crlf_as_lf}) - strlen({bare}), 0)"

    in_rows = " + ".join(breaks(sql_name(name)) for name in header)
    view = f"_bronze_malformed_{id(malformed)}"
    con.register(view, malformed)
    try:
        [(rows, read)] = con.execute(
            f"SELECT count(*), count(*) + coalesce(sum({in_rows}), 0) "
            f"+ (SELECT count(*) + coalesce(sum({breaks(sql_name(RAW_LINE))}), 0) FROM {view}) "
            f"FROM {sql_name(relation)}"
        ).fetchall()
    finally:
        con.unregister(view)
    return int(rows), int(read)


def _malformed_table(malformed: list[tuple[int, str, str]]) -> pa.Table:
    numbers, texts, reasons = zip(*malformed, strict=True) if malformed else ((), (), ())
    arrays = [lines.int64s(np.array(numbers, dtype=np.int64)), lines.strings(texts)]
    arrays.append(lines.strings(reasons))
    return pa.Table.from_arrays(arrays, schema=MALFORMED_SCHEMA)


def _read_header(path: Path, encoding: str, delimiter: str) -> list[str]:
    """The column names of the first line, read with the CSV rules (quotes, any line end)."""
    with open(path, encoding=python_codec(encoding), errors="replace", newline="") as handle:
        first = handle.readline(HEADER_LIMIT)
    if not first.strip():
        raise PipelineError(
            f"{path} is empty or its first line is blank: a CSV export needs a header line "
            "naming its columns. Re-export the table with a header."
        )
    try:
        fields = next(csv.reader([first], delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise PipelineError(
            f"{path}: the header (line 1) is not valid CSV ({exc}): a quote in it is not "
            "closed, or text follows a closing quote. Fix the header line of the export."
        ) from None
    names = [n.strip().lstrip("\ufeff").strip().lower() for n in fields]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise PipelineError(
            f"{path}: the header names column(s) {', '.join(dupes)} more than once "
            "(names are compared in lower case). Rename the columns in the export."
        )
    empty = [i + 1 for i, n in enumerate(names) if not n]
    if empty:
        raise PipelineError(
            f"{path}: header column {empty[0]} has no name. Give every column a name."
        )
    if SOURCE_ROW in names:
        raise PipelineError(
            f"{path}: the header names a column {SOURCE_ROW}, a name Silver keeps for the "
            "record number. Rename the column in the export."
        )
    return names
