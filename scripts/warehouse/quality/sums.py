"""The sum of a column as numpy adds it up, streamed from DuckDB in bounded memory.

``sum_equals`` records the sums of both sides in ``checks.json``. The engine before DuckDB summed a
nullable column as ``np.sum(values, where=present)``; DuckDB's own ``sum`` rounds floats
differently, so the recorded sums would change in the last bit. This module gives numpy's result
to the last bit without holding the column (60 million floats at 1000x) in memory: numpy adds
the present values run by run (each stretch of present values between missing ones) into one
accumulator, and each run by pairwise summation, which splits a run of ``n`` values at
``n // 2`` rounded down to a multiple of 8 until a piece has at most 128 values. A piece that fits
in a chunk is summed by ``np.sum`` itself (the same algorithm on the same values), a longer one
is split exactly as numpy splits it, so the stream never holds more than one chunk.
Integers and booleans are exact in any order and are summed chunk by chunk.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

CHUNK = 1 << 20  # values held at once


class _Values:
    """The values of a float query, handed out in order, ``CHUNK`` rows fetched at a time."""

    def __init__(self, reader):
        self._reader = reader
        self._buffer = np.empty(0)
        self._at = 0

    def take(self, count: int) -> np.ndarray:
        """The next ``count`` values (missing ones as 0, never summed)."""
        while len(self._buffer) - self._at < count:
            batch = self._reader.read_next_batch().column(0)
            rest = self._buffer[self._at :]
            self._buffer = np.concatenate([rest, pc.fill_null(batch, 0.0).to_numpy()])
            self._at = 0
        values = self._buffer[self._at : self._at + count]
        self._at += count
        return values


def _pairwise(values: _Values, count: int) -> float:
    """numpy's pairwise sum of the next ``count`` values."""
    if count <= CHUNK:
        return np.sum(values.take(count))
    half = count // 2
    half -= half % 8
    return _pairwise(values, half) + _pairwise(values, count - half)


def _runs(reader):
    """(present, length) of each run of present or missing values ``reader`` yields."""
    previous, length = None, 0
    for batch in reader:
        present = batch.column(0).to_numpy(zero_copy_only=False)
        edges = np.flatnonzero(np.diff(present.astype(np.int8))) + 1
        starts = np.concatenate([[0], edges])
        ends = np.concatenate([edges, [len(present)]])
        for start, end in zip(starts, ends, strict=True):
            value = bool(present[start])
            if value is previous:
                length += end - start
                continue
            if previous is not None:
                yield previous, length
            previous, length = value, end - start
    if previous is not None:
        yield previous, length


def numpy_sum(con, relation: str, expr: str, order: str = ""):
    """``np.sum(values, where=present)`` of ``expr`` over ``relation`` (aliased ``t``) in the
    order ``order`` (an ``ORDER BY`` clause, or empty for the relation's own), as a Python
    number; the column is never whole in memory."""
    query = f"SELECT {expr} AS v FROM {relation} AS t{order}"
    kind = con.sql(f"{query} LIMIT 0").to_arrow_table().schema.field(0).type
    if not pa.types.is_floating(kind):
        zero = False if pa.types.is_boolean(kind) else 0
        total = np.int64(0)
        with np.errstate(over="ignore"):
            for batch in con.sql(query).to_arrow_reader(CHUNK):
                column = batch.column(0)
                present = pc.is_valid(column).to_numpy(zero_copy_only=False)
                data = pc.fill_null(column, pa.scalar(zero, type=column.type))
                data = data.to_numpy(zero_copy_only=False)
                total = total + np.sum(data, where=present, dtype=np.int64)
        return total.item()
    rows, present = con.sql(f"SELECT count(*), count({expr}) FROM {relation} AS t").fetchall()[0]
    if rows == present:
        runs = [(True, rows)]
    else:
        flags = f"SELECT ({expr}) IS NOT NULL FROM {relation} AS t{order}"
        runs = list(_runs(con.sql(flags).to_arrow_reader(CHUNK)))  # one open result at a time
    values = _Values(con.sql(query).to_arrow_reader(CHUNK))
    total = 0.0
    for present, length in runs:
        if present:
            total = total + _pairwise(values, length)
        else:
            values.take(length)
    return float(total)
