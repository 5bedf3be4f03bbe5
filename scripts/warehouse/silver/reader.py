"""Reading a Bronze CSV as text: every column a string, malformed and empty lines kept as
quarantine rows with their line number, never an error.

The header is read with the same CSV rules as the data (quoted names, CR, LF or CRLF line
endings). The data is read by Arrow, fast; when a record spans lines (a quoted field holding a
line break) it is read again line by line, because a quote that never closes properly would
otherwise swallow every line after it into one value. That second reading accepts a quoted
field across lines only when it closes properly; a quote that does not costs its own line,
which is quarantined with the reason, and the lines after it are read as usual.
"""

from __future__ import annotations

import csv
from itertools import islice
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from warehouse.core.errors import PipelineError
from warehouse.silver.context import REASON, SOURCE_ROW

RAW_LINE = "_raw_line"
HEADER_LIMIT = 1 << 20  # characters of the first line that are read as the header
# Python's csv module refuses fields over 128 KB by default; the exports may hold larger ones.
csv.field_size_limit(2**31 - 1)


def read_bronze_csv(path: Path, encoding: str = "utf-8", delimiter: str = ","):
    """Read a Bronze CSV with every column as text.

    ``encoding`` is the one Bronze recorded for the file. Returns (rows, malformed): ``rows``
    has lower-cased, trimmed column names and a ``_source_row`` column, the record's number in
    the file (1 = first record after the header; the same as its line number minus one unless a
    quoted field holds a line break); ``malformed`` lists records whose field count differs from
    the header, and lines whose quote never closes, with their text and the reason, so they can
    be quarantined instead of failing.
    """
    if encoding == "binary":
        raise PipelineError(
            f"{path} contains NUL bytes and is not a CSV export. Replace it with a text CSV "
            "(comma separated, UTF-8), or remove it from raw/."
        )
    header = _read_header(path, encoding, delimiter)
    try:
        table, malformed = _read_with_arrow(path, encoding, delimiter, header)
    except UnicodeDecodeError:
        # A byte the detected code page does not define (Bronze decided on a sample): read
        # line by line, where it becomes U+FFFD; Bronze has already warned about the encoding.
        return _read_by_lines(path, encoding, delimiter, header)
    if _spans_lines(table, malformed):
        return _read_by_lines(path, encoding, delimiter, header)
    rows = table.to_pandas()
    # Every data line is either a row or a malformed line, so line numbers follow from the
    # malformed ones (the handler reports file line numbers; the header is line 1).
    bad_lines = sorted(m["line"] - 1 for m in malformed if m["line"] is not None)
    total = len(rows) + len(malformed)
    good = pd.Index(range(1, total + 1)).difference(pd.Index(bad_lines))
    rows[SOURCE_ROW] = good.to_numpy()[: len(rows)]
    return rows, _malformed_frame(bad_lines, malformed)


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


def _read_with_arrow(path: Path, encoding: str, delimiter: str, header: list[str]):
    malformed: list[dict] = []

    def on_invalid(row):
        malformed.append(
            {
                "line": row.number,
                "text": row.text,
                "reason": f"line has {row.actual_columns} fields, the header has "
                f"{row.expected_columns}",
            }
        )
        return "skip"

    codec = python_codec(encoding)
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(
            # Arrow reads UTF-8 itself (and skips a BOM with the header line); other encodings
            # are decoded through Python's codec as the file streams in.
            encoding="utf8" if codec == "utf-8-sig" else codec,
            use_threads=False,  # row numbers of malformed lines are only known when serial
            column_names=header,
            skip_rows=1,
            block_size=1 << 24,
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
    return table, malformed


def _spans_lines(table: pa.Table, malformed: list[dict]) -> bool:
    """Whether any record was read from more than one line (a value holds a line break)."""
    for column in table.columns:
        for brk in ("\n", "\r"):
            if pc.any(pc.match_substring(column, brk)).as_py():
                return True
    return any("\n" in m["text"] or "\r" in m["text"] for m in malformed)


def _read_by_lines(path: Path, encoding: str, delimiter: str, header: list[str]):
    """Read the data lines with Python's CSV reader, in strict mode, resuming after a line whose
    quote does not close properly. Slower than Arrow and holding the file's lines in memory:
    used only for files with records that span lines."""
    with open(path, encoding=python_codec(encoding), errors="replace", newline="") as handle:
        handle.readline(HEADER_LIMIT)
        lines = handle.readlines()  # with newline="": split at CR, LF and CRLF, kept
    width = len(header)
    records: list[list[str | None]] = []
    numbers: list[int] = []
    bad: list[tuple[int, str, str]] = []  # (record number, raw text, reason)
    start = 0
    while start < len(lines):
        reader = csv.reader(islice(lines, start, None), delimiter=delimiter, strict=True)
        first = start  # the first line of the record being read
        try:
            for fields in reader:
                end = start + reader.line_num
                number = len(numbers) + len(bad) + 1
                if fields and len(fields) != width:
                    text = "".join(lines[first:end]).rstrip("\r\n")
                    bad.append(
                        (number, text, f"line has {len(fields)} fields, the header has {width}")
                    )
                else:
                    records.append([f or None for f in fields] or [None] * width)
                    numbers.append(number)
                first = end
            start = len(lines)
        except csv.Error as exc:
            failed_at = start + reader.line_num - 1
            number = len(numbers) + len(bad) + 1
            line = lines[first].rstrip("\r\n")
            fields = next(csv.reader([lines[first]], delimiter=delimiter))
            if failed_at == first and not any("\n" in f or "\r" in f for f in fields):
                # Text after a closing quote within one line ("ab"c): read leniently, as Arrow
                # does; the line is whole either way.
                if len(fields) == width:
                    records.append([f or None for f in fields])
                    numbers.append(number)
                else:
                    bad.append(
                        (number, line, f"line has {len(fields)} fields, the header has {width}")
                    )
            else:
                bad.append(
                    (number, line, _unclosed_reason(first, failed_at, "end of data" in str(exc)))
                )
            start = first + 1
    columns = list(zip(*records, strict=True)) if records else [()] * width
    table = pa.table(
        {name: pa.array(col, pa.string()) for name, col in zip(header, columns, strict=True)}
    )
    rows = table.to_pandas()
    rows[SOURCE_ROW] = pd.Series(numbers, dtype="int64")
    return rows, _malformed_frame(
        [b[0] for b in bad], [{"text": b[1], "reason": b[2]} for b in bad]
    )


def _unclosed_reason(first: int, failed_at: int, at_end: bool) -> str:
    line = first + 2  # file line numbers: the header is line 1
    if at_end:
        swallowed = f"the {failed_at - first:,} lines after it, up to the end of the file"
    else:
        swallowed = f"{failed_at - first:,} lines, up to line {failed_at + 2}"
    return (
        f"line {line}: a quote opened in this line is never closed properly, so it would "
        f"swallow {swallowed}; only this line is set aside"
    )


def _malformed_frame(numbers: list[int], malformed: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            SOURCE_ROW: pd.Series(numbers, dtype="int64"),
            RAW_LINE: pd.Series([m["text"] for m in malformed], dtype="str"),
            REASON: pd.Series([m["reason"] for m in malformed], dtype="str"),
        }
    )


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
    return names
