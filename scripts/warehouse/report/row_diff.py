"""Row diffs of two tables: row by row on a key (added, removed and changed rows, and which
columns changed), or without a key as multisets of whole rows.

Values are compared null-safely (two missing values are equal; a float NaN counts as missing)
and the samples hold plain JSON values, so a result can be written as it is.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pyarrow as pa

# --- values -------------------------------------------------------------------------------


def _plain(value: object) -> object:
    """One cell as a JSON value: missing as None, dates as ISO strings, numpy scalars unwrapped."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.date | dt.time):  # datetime and pd.Timestamp are dates too
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, int | float | str | bool):
        return value
    return str(value)


def _records(frame: pd.DataFrame, positions: np.ndarray) -> list[dict]:
    """The rows at ``positions`` (a handful: the samples) as plain dicts."""
    rows = frame.iloc[positions].to_dict("records")
    return [{col: _plain(v) for col, v in row.items()} for row in rows]


def _missing(series: pd.Series) -> np.ndarray:
    """Where a value is missing; a float NaN counts as missing, like a null."""
    mask = series.isna().to_numpy(dtype=bool)
    if pd.api.types.is_float_dtype(series.dtype):
        # pandas 2 keeps NaN (from 0/0) apart from NA in nullable floats; both mean "no value".
        mask = mask | np.isnan(series.to_numpy(dtype="float64", na_value=np.nan))
    return mask


def _values_equal(x: pd.Series, y: pd.Series) -> np.ndarray:
    """Element-wise equality of two aligned series; two missing values are equal."""
    x = x.reset_index(drop=True)
    y = y.reset_index(drop=True)
    x_missing, y_missing = _missing(x), _missing(y)
    try:
        equal = (x == y).to_numpy(dtype=bool, na_value=False)
    except (TypeError, ValueError):
        # A column whose type changed (say int to string) may not compare directly; as objects
        # it compares value by value, and 1 never equals "1".
        equal = (x.astype(object) == y.astype(object)).to_numpy(dtype=bool, na_value=False)
    return np.where(x_missing | y_missing, x_missing & y_missing, equal)


# --- row diffs ----------------------------------------------------------------------------


def _shared_columns(a: pd.DataFrame, b: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Columns in both frames (in A's order), and the columns only one of them has."""
    shared = [c for c in a.columns if c in set(b.columns)]
    only_one = sorted(set(a.columns) ^ set(b.columns))
    return shared, only_one


def keyed_diff(a: pd.DataFrame, b: pd.DataFrame, key: list[str], sample_size: int = 5) -> dict:
    """Compare two tables row by row on ``key``: rows added, removed and changed.

    ``changed_columns`` counts, per column, the rows where that column changed. Values are
    compared null-safely (two missing values are equal). Columns present in only one frame are
    not compared; they are listed under ``columns_not_compared`` (the schema diff reports them).
    Samples hold at most ``sample_size`` rows each, in table order. The key must be unique in
    both frames.
    """
    key = list(key)
    for side, frame in (("A", a), ("B", b)):
        absent = [k for k in key if k not in frame.columns]
        if absent:
            raise ValueError(f"key column(s) {absent} missing from table {side}")
        if frame.duplicated(key).any():
            raise ValueError(f"key {key} is not unique in table {side}")
    shared, only_one = _shared_columns(a, b)
    values = [c for c in shared if c not in key]

    left = a[key].assign(_pos_a=np.arange(len(a)))
    right = b[key].assign(_pos_b=np.arange(len(b)))
    for k in key:
        if left[k].dtype != right[k].dtype:
            # A key whose type changed cannot be merged as is; as text it can.
            left[k] = left[k].astype("string")
            right[k] = right[k].astype("string")
    matched = left.merge(right, on=key, how="outer", indicator=True, sort=False)
    side = matched["_merge"].to_numpy()
    removed = np.sort(matched.loc[side == "left_only", "_pos_a"].to_numpy(dtype=np.int64))
    added = np.sort(matched.loc[side == "right_only", "_pos_b"].to_numpy(dtype=np.int64))
    both = matched.loc[side == "both", ["_pos_a", "_pos_b"]].sort_values("_pos_a")
    pos_a = both["_pos_a"].to_numpy(dtype=np.int64)
    pos_b = both["_pos_b"].to_numpy(dtype=np.int64)

    # One column at a time keeps memory at one boolean array per table, not one per column.
    any_change = np.zeros(len(pos_a), dtype=bool)
    changed_columns = {}
    for col in values:
        differs = ~_values_equal(a[col].iloc[pos_a], b[col].iloc[pos_b])
        count = int(differs.sum())
        if count:
            changed_columns[col] = count
            any_change |= differs

    sample = np.flatnonzero(any_change)[:sample_size]
    changed_sample = _change_sample(a, b, key, list(changed_columns), pos_a[sample], pos_b[sample])
    return {
        "method": "keyed",
        "key": key,
        "added": len(added),
        "removed": len(removed),
        "changed": int(any_change.sum()),
        "unchanged": int((~any_change).sum()),
        "changed_columns": changed_columns,
        "added_sample": _records(b, added[:sample_size]),
        "removed_sample": _records(a, removed[:sample_size]),
        "changed_sample": changed_sample,
        "columns_not_compared": only_one,
    }


def _change_sample(
    a: pd.DataFrame,
    b: pd.DataFrame,
    key: list[str],
    columns: list[str],
    pos_a: np.ndarray,
    pos_b: np.ndarray,
) -> list[dict]:
    """The sampled changed rows as {"key": {...}, "changes": {col: {"from", "to"}}}."""
    keys = _records(a[key], pos_a)
    old = _records(a[columns], pos_a)
    new = _records(b[columns], pos_b)
    # Which columns changed in each sampled row, computed again on just these few rows.
    differs = {col: ~_values_equal(a[col].iloc[pos_a], b[col].iloc[pos_b]) for col in columns}
    sample = []
    for i, row_key in enumerate(keys):
        changes = {
            col: {"from": old[i][col], "to": new[i][col]} for col in columns if differs[col][i]
        }
        sample.append({"key": row_key, "changes": changes})
    return sample


def _row_hashes(frame: pd.DataFrame) -> pd.Series:
    """A 64-bit hash per whole row; equal rows (nulls included) hash equal."""
    frame = frame.copy(deep=False)
    for col in frame.columns:
        dtype = frame[col].dtype
        if isinstance(dtype, pd.ArrowDtype) and pa.types.is_temporal(dtype.pyarrow_dtype):
            # Dates hash as Python objects otherwise (seconds per million rows); their integer
            # form holds the same information and hashes in milliseconds.
            width = dtype.pyarrow_dtype.bit_width
            frame[col] = frame[col].astype(pd.ArrowDtype(pa.int64() if width == 64 else pa.int32()))
    return pd.util.hash_pandas_object(frame, index=False).reset_index(drop=True)


def _unmatched_rows(hash_a: pd.Series, hash_b: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the rows of A, and of B, that the other table has no copy left for."""
    # Number the copies of each row so that duplicates are matched one to one.
    left = pd.DataFrame(
        {"h": hash_a, "n": hash_a.groupby(hash_a).cumcount(), "pos_a": hash_a.index}
    )
    right = pd.DataFrame(
        {"h": hash_b, "n": hash_b.groupby(hash_b).cumcount(), "pos_b": hash_b.index}
    )
    matched = left.merge(right, on=["h", "n"], how="outer", indicator=True, sort=False)
    side = matched["_merge"].to_numpy()
    removed = np.sort(matched.loc[side == "left_only", "pos_a"].to_numpy(dtype=np.int64))
    added = np.sort(matched.loc[side == "right_only", "pos_b"].to_numpy(dtype=np.int64))
    return removed, added


def unkeyed_diff(a: pd.DataFrame, b: pd.DataFrame, sample_size: int = 5) -> dict:
    """Compare two tables without a key, as multisets of whole rows.

    A row occurring twice in A and once in B counts once under ``removed`` (only in A). A changed
    row shows up as one row removed and one added. Only columns both frames have are compared.
    """
    shared, only_one = _shared_columns(a, b)
    if shared:
        removed, added = _unmatched_rows(_row_hashes(a[shared]), _row_hashes(b[shared]))
    else:
        # Nothing in common to compare: every row of A is gone and every row of B is new.
        removed, added = np.arange(len(a)), np.arange(len(b))
    return {
        "method": "unkeyed",
        "key": None,
        "added": len(added),
        "removed": len(removed),
        "unchanged": len(a) - len(removed),
        "added_sample": _records(b, added[:sample_size]),
        "removed_sample": _records(a, removed[:sample_size]),
        "columns_not_compared": only_one,
    }
