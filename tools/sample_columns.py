"""Column builders of the sample generator: which rows get which dirt, and string columns.

The sample tables (``sample_tables``) are built column by column from numpy arrays with Arrow
string kernels, so a scale of 100 (~6M order lines) never loops over rows in Python. Every
column is an Arrow ``large_string`` array, an empty string meaning a missing value, exactly as
the field will appear in the file.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# large_string throughout: pandas adopts those buffers as they are, plain string is copied.
LARGE_STRING = pa.large_string()


def day(iso: str) -> int:
    """Days since 1970-01-01 of an ISO date."""
    return int(np.datetime64(iso, "D").astype(np.int64))


def dirt_kinds(
    rng: np.random.Generator,
    n: int,
    spec: Sequence[tuple[float, int]],
    eligible: np.ndarray | None = None,
) -> np.ndarray:
    """Label rows 0 (clean) or k (the k-th kind of dirt in spec, as (share, minimum)).

    Kinds never overlap and each gets its minimum, so a tiny sample still shows every defect.
    Only rows where ``eligible`` is true get dirt.
    """
    pool = np.arange(n) if eligible is None else np.flatnonzero(eligible)
    counts = [max(minimum, round(share * len(pool))) for share, minimum in spec]
    if sum(counts) > len(pool):
        raise ValueError(f"{len(pool)} rows cannot hold {sum(counts)} dirty ones")
    order = rng.permutation(pool)
    labels = np.zeros(n, dtype=np.int8)
    for kind, (start, count) in enumerate(zip(np.cumsum(counts) - counts, counts, strict=True)):
        labels[order[start : start + count]] = kind + 1
    return labels


def literal(text: str) -> pa.Scalar:
    """``text`` as a large_string scalar."""
    return pa.scalar(text, LARGE_STRING)


def concat(*parts: pa.Array | str) -> pa.Array:
    """Row-wise concatenation of string columns and literals."""
    args = [literal(p) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*args, literal(""))


def choose(labels: np.ndarray, *options: pa.Array | str) -> pa.Array:
    """Per row, the option (a column or a literal) its label picks: 0 the first, 1 the next..."""
    args = [literal(o) if isinstance(o, str) else o for o in options]
    return pc.choose(pa.array(labels), *args)


def take_text(values: Sequence[str], index: np.ndarray) -> pa.Array:
    """The column ``values[index]`` (a boolean ``index`` picks the first or second value)."""
    return pa.array(list(values), LARGE_STRING).take(pa.array(np.asarray(index, np.int64)))


def number_text(values: np.ndarray) -> pa.Array:
    """Integers as text."""
    return pc.cast(pa.array(np.asarray(values, np.int64)), LARGE_STRING)


def iso_text(days: np.ndarray) -> pa.Array:
    """Day numbers as ISO dates (``2013-01-28``)."""
    return pc.cast(pa.array(np.asarray(days, np.int32)).cast(pa.date32()), LARGE_STRING)


def blank_where(values: pa.Array, mask: np.ndarray) -> pa.Array:
    """``values`` with an empty string (a missing value) where ``mask`` is true."""
    return pc.if_else(pa.array(mask), literal(""), values)


def arrow_text(series: pd.Series) -> pa.Array:
    """A pandas column of strings as a large_string array."""
    return pa.array(series).cast(LARGE_STRING)


def yyyymmdd(days: np.ndarray) -> np.ndarray:
    """Day numbers as yyyymmdd integers (``20130128``)."""
    dates = days.astype("datetime64[D]")
    months = dates.astype("datetime64[M]")
    year = months.astype(np.int64) // 12 + 1970
    month = months.astype(np.int64) % 12 + 1
    return year * 10_000 + month * 100 + (dates - months).astype(np.int64) + 1


def string_frame(columns: dict[str, pa.Array | list[str]]) -> pd.DataFrame:
    """A DataFrame of large_string columns, in the order given."""
    return pa.table({k: pa.array(v).cast(LARGE_STRING) for k, v in columns.items()}).to_pandas()
