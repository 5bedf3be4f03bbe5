"""Reading a Bronze CSV as text: every column a string, malformed and empty lines kept as
quarantine rows with their line number, never an error.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from warehouse.core.errors import PipelineError
from warehouse.silver.context import REASON, SOURCE_ROW

RAW_LINE = "_raw_line"


def read_bronze_csv(path: Path, encoding: str = "utf-8", delimiter: str = ","):
    """Read a Bronze CSV with every column as text.

    Returns (rows, malformed): ``rows`` has lower-cased, trimmed column names and a
    ``_source_row`` column, the record's number in the file (1 = first record after the header;
    the same as its line number minus one unless a quoted field holds a line break);
    ``malformed`` lists records whose field count differs from the header, with their text, so
    they can be quarantined instead of failing.
    """
    if encoding == "binary":
        raise PipelineError(
            f"{path} contains NUL bytes and is not a CSV export. Replace it with a text CSV "
            "(comma separated, UTF-8), or remove it from raw/."
        )
    header = _read_header(path, encoding, delimiter)
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

    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(
            encoding="latin-1" if encoding == "latin-1" else "utf8",
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
    rows = table.to_pandas()
    # Every data line is either a row or a malformed line, so line numbers follow from the
    # malformed ones (the handler reports file line numbers; the header is line 1).
    bad_lines = sorted(m["line"] - 1 for m in malformed if m["line"] is not None)
    total = len(rows) + len(malformed)
    good = pd.Index(range(1, total + 1)).difference(pd.Index(bad_lines))
    rows[SOURCE_ROW] = good.to_numpy()[: len(rows)]
    bad = pd.DataFrame(
        {
            SOURCE_ROW: pd.Series(bad_lines, dtype="int64"),
            RAW_LINE: pd.Series([m["text"] for m in malformed], dtype="str"),
            REASON: pd.Series([m["reason"] for m in malformed], dtype="str"),
        }
    )
    return rows, bad


def _read_header(path: Path, encoding: str, delimiter: str) -> list[str]:
    with open(path, "rb") as handle:
        first = handle.readline(1 << 20)
    text = first.decode("latin-1" if encoding == "latin-1" else "utf-8", errors="replace")
    names = [
        n.strip().lstrip("\ufeff").strip().lower() for n in text.rstrip("\r\n").split(delimiter)
    ]
    if not text.strip():
        raise PipelineError(
            f"{path} is empty or its first line is blank: a CSV export needs a header line "
            "naming its columns. Re-export the table with a header."
        )
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
