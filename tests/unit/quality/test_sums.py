"""The streamed column sum equals numpy's ``np.sum(values, where=present)`` to the last bit
(the sums sum_equals records in checks.json), while holding only a chunk of the column."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from warehouse.quality import sums


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(sums, "CHUNK", 1000)  # runs far longer than a chunk, as at 1000x


def _table(con, values, present):
    array = pa.array(values, mask=~present)
    con.register("t_arrow", pa.table({"v": array}))
    con.execute("CREATE TABLE t AS FROM t_arrow")


@pytest.mark.parametrize(
    ("rows", "missing"),
    [(0, 0.0), (7, 0.0), (129, 0.0), (54_321, 0.0), (54_321, 0.0005), (20_000, 0.3), (5, 1.0)],
)
def test_float_sum_is_numpys_to_the_last_bit(small_chunks, rows, missing):
    rng = np.random.default_rng(rows)
    values = rng.standard_normal(rows) * 10 ** rng.uniform(-3, 7, rows)
    present = rng.random(rows) >= missing
    con = duckdb.connect()
    _table(con, values, present)
    expected = float(np.sum(values, where=present))
    assert sums.numpy_sum(con, "t", "v") == expected
    # in another order: numpy's sum in that order (present values descending, missing last)
    got = sums.numpy_sum(con, "t", "v", " ORDER BY v DESC NULLS LAST")
    assert got == float(np.sum(np.sort(values[present])[::-1]))


def test_integer_and_bool_sums_are_exact(small_chunks):
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT i AS v, i % 3 = 0 AS b FROM range(5000) r(i)")
    con.execute("UPDATE t SET v = NULL, b = NULL WHERE v % 7 = 0")
    got = sums.numpy_sum(con, "t", "v")
    assert got == sum(i for i in range(5000) if i % 7) and isinstance(got, int)
    assert sums.numpy_sum(con, "t", "b") == sum(1 for i in range(5000) if i % 7 and i % 3 == 0)


def test_a_naive_chunked_sum_would_differ(small_chunks):
    """Guards the test above: chunk-wise addition rounds differently, so equality is earned."""
    rng = np.random.default_rng(3)
    values = rng.standard_normal(54_321) * 10 ** rng.uniform(-3, 7, 54_321)
    naive = 0.0
    for start in range(0, len(values), 1000):
        naive += np.sum(values[start : start + 1000])
    assert naive != np.sum(values)
