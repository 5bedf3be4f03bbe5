"""Reading a Bronze CSV line by line, for the files Arrow cannot read as they are: records that
span lines (a quoted field holding a line break), bytes the code page does not define, records
larger than Arrow's block.

Python's CSV reader reads the data lines in strict mode. A quoted field across lines is accepted
only when its quote closes properly; a quote that does not costs its own line, which is set aside
with the reason, and reading resumes at the line after it. The records stream out in Arrow
batches, so memory holds one batch and the lines of the record being read, except while a quote
that never closes properly is read: Python's reader holds the lines it swallows (up to the rest
of the file) until it gives up on them. Slower than Arrow: used only for odd files.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa

from warehouse.silver.context import SOURCE_ROW

BATCH_ROWS = 1 << 16  # records per Arrow batch
# Python's csv module refuses fields over 128 KB by default; the exports may hold larger ones.
csv.field_size_limit(2**31 - 1)


def batches(
    path: Path,
    codec: str,
    delimiter: str,
    header: list[str],
    bad: list[tuple[int, str, str]],
    header_limit: int,
    batch_rows: int | None = None,
) -> Iterator[pa.RecordBatch]:
    """The records after the header line as Arrow batches (``header``'s columns as text, empty =
    null, and ``_source_row``); the malformed ones are appended to ``bad`` as (record number,
    raw text, reason) instead."""
    batch_rows = batch_rows or BATCH_ROWS
    schema = schema_of(header)
    width = len(header)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    numbers: list[int] = []
    with open(path, encoding=codec, errors="replace", newline="") as handle:
        handle.readline(header_limit)
        for number, fields in records(handle, delimiter, width, bad):
            for values, field in zip(columns, fields, strict=True):
                values.append(field or None)
            numbers.append(number)
            if len(numbers) == batch_rows:
                yield _batch(schema, columns, numbers)
                columns = [[] for _ in range(width)]
                numbers = []
    if numbers:
        yield _batch(schema, columns, numbers)


def schema_of(header: list[str]) -> pa.Schema:
    return pa.schema([(name, pa.string()) for name in header] + [(SOURCE_ROW, pa.int64())])


def _batch(schema: pa.Schema, columns: list[list], numbers: list[int]) -> pa.RecordBatch:
    arrays = [strings(values) for values in columns]
    arrays.append(int64s(np.array(numbers, dtype=np.int64)))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


# Arrow arrays built from their buffers: pa.array imports pandas (about a second of a job's
# start-up) to look at what it is given.


def int64s(values: np.ndarray) -> pa.Array:
    """``values`` (int64) as an Arrow array."""
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


def strings(values: Sequence[str | None]) -> pa.Array:
    """``values`` as an Arrow string array (None = null)."""
    encoded = [b"" if v is None else v.encode("utf-8") for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    valid = np.fromiter((v is not None for v in values), dtype=bool, count=len(encoded))
    nulls = len(encoded) - int(valid.sum())
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if nulls else None
    buffers = [bitmap, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    return pa.Array.from_buffers(pa.string(), len(encoded), buffers, null_count=nulls)


class _Lines:
    """The data lines of an open file (split at CR, LF and CRLF, kept), one at a time, keeping
    the lines of the record being read so that reading can resume at the line after its first."""

    def __init__(self, handle) -> None:
        self._file = iter(handle)
        self._replay: deque[str] = deque()
        self.record: list[str] = []  # the lines of the record being read
        self.first = 0  # index of the record's first line among the data lines

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._replay.popleft() if self._replay else next(self._file)
        self.record.append(line)
        return line

    def done(self) -> None:
        """The record has been read: the next line starts a new one."""
        self.first += len(self.record)
        self.record = []

    def resume_after_first(self) -> None:
        """Give up the record: read again from the line after its first."""
        self._replay.extendleft(reversed(self.record[1:]))
        self.first += 1
        self.record = []


def records(handle, delimiter: str, width: int, bad: list) -> Iterator[tuple[int, list[str]]]:
    """(record number, fields) of each good record; malformed ones are appended to ``bad``."""
    lines = _Lines(handle)
    count = 0  # records so far, good and bad
    while True:
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        try:
            for fields in reader:
                count += 1
                if fields and len(fields) != width:
                    text = "".join(lines.record).rstrip("\r\n")
                    bad.append((count, text, _count_reason(len(fields), width)))
                else:
                    yield count, fields or [""] * width
                lines.done()
            return
        except csv.Error as exc:
            count += 1
            failed_at = lines.first + len(lines.record) - 1
            first = lines.record[0]
            line = first.rstrip("\r\n")
            fields = next(csv.reader([first], delimiter=delimiter))
            if failed_at == lines.first and not any("\n" in f or "\r" in f for f in fields):
                # Text after a closing quote within one line ("ab"c): read leniently, as Arrow
                # does; the line is whole either way.
                if len(fields) == width:
                    yield count, fields
                else:
                    bad.append((count, line, _count_reason(len(fields), width)))
            else:
                at_end = "end of data" in str(exc)
                bad.append((count, line, _unclosed_reason(lines.first, failed_at, at_end)))
            lines.resume_after_first()


def _count_reason(fields: int, width: int) -> str:
    return f"line has {fields} fields, the header has {width}"


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
