"""The closed set of standard operations that contracts compose into steps.

Every operation is a pure function ``(frame, step, ctx) -> frame`` over a pandas DataFrame whose
index is the row's position in the Bronze file; rows leave only through ``ctx.reject``
(``warehouse.silver.context``). Logic that no standard operation covers is a named function in
``warehouse.silver.functions`` that a contract calls with ``op: function``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from warehouse.core.regex import full_match
from warehouse.core.types import dtype_for
from warehouse.silver.context import SOURCE_ROW, as_strings, require_columns

# ASCII digits only: ``\d`` also matches other scripts' digits (``١٢٣``, ``１２３``), which the
# Arrow casts behind astype refuse with an exception instead of a null.
_INT_RE = r"[+-]?[0-9]+"


_FLOAT_RE = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"


# The digits of the int64 limits, for telling in-range integer texts from the others.
_INT64_MAX = str(2**63 - 1)
_INT64_MIN_DIGITS = str(2**63)


_BOOLS = {"true": True, "t": True, "yes": True, "y": True, "1": True}


_BOOLS |= {"false": False, "f": False, "no": False, "n": False, "0": False}


def op_trim(frame, step, ctx):
    """Strip leading and trailing white space; a value that becomes empty is missing."""
    require_columns(frame, step["columns"], ctx)
    out = frame.copy()
    for column in step["columns"]:
        stripped = as_strings(out[column]).str.strip()
        out[column] = stripped.mask(stripped.eq(""))
    return out


def op_case(frame, step, ctx):
    """Upper, lower or title case."""
    require_columns(frame, step["columns"], ctx)
    out = frame.copy()
    for column in step["columns"]:
        values = as_strings(out[column]).str
        out[column] = {"upper": values.upper, "lower": values.lower, "title": values.title}[
            step["to"]
        ]()
    return out


def op_null_tokens(frame, step, ctx):
    """Values equal to one of ``tokens`` (e.g. ``NULL``, ``N/A``, ``-``) become missing."""
    require_columns(frame, step["columns"], ctx)
    out = frame.copy()
    tokens = [str(t) for t in step["tokens"]]
    for column in step["columns"]:
        values = as_strings(out[column])
        probe = values.str.strip().str.lower() if step.get("ignore_case") else values
        out[column] = values.mask(
            probe.isin([t.lower() for t in tokens] if step.get("ignore_case") else tokens)
        )
    return out


def op_map_values(frame, step, ctx):
    """Replace values by a mapping; unmapped values get ``default`` (or stay), missing ones
    get ``missing`` (or stay missing)."""
    column = step["column"]
    require_columns(frame, [column], ctx)
    values = as_strings(frame[column])
    mapping = {str(k): str(v) for k, v in step["mapping"].items()}
    mapped = values.map(mapping)
    known = values.isin(list(mapping))
    out_values = values.where(~known, mapped)
    if "default" in step:
        out_values = out_values.mask(values.notna() & ~known, str(step["default"]))
    if "missing" in step:
        out_values = out_values.mask(values.isna(), str(step["missing"]))
    out = frame.copy()
    out[column] = out_values.astype("str")
    return out


def cast_series(values: pd.Series, to: str) -> tuple[pd.Series, pd.Series]:
    """Cast strings to a contract type; returns (cast values, mask of uncastable values)."""
    if to == "string":
        return as_strings(values), pd.Series(False, index=values.index)
    text = as_strings(values)
    present = text.notna()
    if to == "date":
        cast, ok = parse_dates(text.str.strip(), "%Y-%m-%d")
    else:
        cast, ok = each_distinct(text, lambda distinct: _cast_text(distinct.str.strip(), to))
    return cast, present & ~ok


def _cast_text(text: pd.Series, to: str) -> tuple[pd.Series, pd.Series]:
    if to == "int":
        ok = integer_text(text) & _fits_int64(text)
        return text.where(ok).str.removeprefix("+").astype("Int64"), ok
    if to in ("float", "decimal"):
        ok = number_text(text)
        numbers = text.where(ok).astype("Float64")
        ok &= _fits_float64(text, numbers)
        return numbers.where(ok), ok
    if to == "bool":
        lowered = text.str.lower()
        ok = lowered.isin(list(_BOOLS))
        return lowered.where(ok).map(_BOOLS).astype("boolean"), ok
    raise ValueError(f"unknown type {to!r}")


def integer_text(text: pd.Series) -> pd.Series:
    """Which values are written as an integer (sign, ASCII digits), whatever their size."""
    return text.str.fullmatch(_INT_RE).fillna(False).astype(bool)


def number_text(text: pd.Series) -> pd.Series:
    """Which values are written as a decimal number (``1``, ``-2.5``, ``.5``, ``1e3``), whatever
    their size; ``inf``, ``nan`` and the like are not numbers a source exports."""
    return text.str.fullmatch(_FLOAT_RE).fillna(False).astype(bool)


def _fits_int64(text: pd.Series) -> pd.Series:
    """Which integer texts lie within int64 (compared as digit strings, never parsed, so a
    value beyond int64 is a False here instead of an exception in the cast)."""
    negative = text.str.startswith("-").fillna(False).astype(bool)
    digits = text.str.lstrip("+-").str.lstrip("0")
    length = digits.str.len()
    limit = pd.Series(_INT64_MAX, index=text.index, dtype="str").mask(negative, _INT64_MIN_DIGITS)
    fits = (length < len(_INT64_MAX)) | ((length == len(_INT64_MAX)) & (digits <= limit))
    return fits.fillna(False).astype(bool)


def _fits_float64(text: pd.Series, numbers: pd.Series) -> pd.Series:
    """Which number texts a float64 holds: not ``1e400`` (infinity), not ``1e-400`` (a non-zero
    number that would silently become 0)."""
    finite = numbers.abs() < np.inf
    mantissa = text.str.replace(r"[eE].*", "", regex=True)
    underflow = numbers.eq(0) & mantissa.str.contains(r"[1-9]", regex=True)
    return (finite & ~underflow).fillna(False).astype(bool)


def out_of_range(values: pd.Series, to: str) -> pd.Series:
    """Which values are written as a number of type ``to`` but lie outside what it holds
    (an integer beyond int64, a number beyond float64): the reason they do not cast."""
    text = as_strings(values).str.strip()
    if to == "int":
        return integer_text(text) & ~_fits_int64(text)
    if to in ("float", "decimal"):
        numbers = text.where(number_text(text)).astype("Float64")
        return number_text(text) & ~_fits_float64(text, numbers)
    return pd.Series(False, index=values.index)


_RANGE_NOTE = {
    "int": f" (outside the 64-bit integer range -{_INT64_MIN_DIGITS} to {_INT64_MAX})",
    "float": " (outside the range of a 64-bit float: beyond about 1.8e308, or so near 0 it "
    "would become 0)",
}
_RANGE_NOTE["decimal"] = _RANGE_NOTE["float"]


def each_distinct(text: pd.Series, convert) -> tuple[pd.Series, pd.Series]:
    """``convert`` applied once per distinct value of ``text`` and mapped back to every row.

    ``convert`` takes a Series of distinct strings and returns (values, mask of converted
    values). Columns repeat values a lot (6M order lines hold a few thousand prices), so this
    does the string work on thousands of values instead of millions. Missing values stay
    missing and unconverted.
    """
    arrow = pa.array(text, type=pa.string(), from_pandas=True)
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    encoded = arrow.dictionary_encode()
    values, ok = convert(pd.Series(encoded.dictionary, dtype="str"))
    positions = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    known = positions >= 0
    converted = pd.Series(
        values.array.take(positions, allow_fill=True), index=text.index, dtype=values.dtype
    )
    mask = np.zeros(len(positions), dtype=bool)
    mask[known] = ok.to_numpy(dtype=bool)[positions[known]]
    return converted, pd.Series(mask, index=text.index)


def parse_dates(text: pd.Series, fmt: str) -> tuple[pd.Series, pd.Series]:
    """Parse strings with a strptime format; returns (date32 values, mask of parsed values).

    Arrow's strptime handles every year up to 9999 (pandas timestamps stop in 2262), which the
    ERP's placeholder birthdates need. It also rolls impossible dates over (20230230 becomes
    2 March), so a value only counts as parsed if formatting the date again gives it back.
    Dates repeat a lot (6M order lines have ~1,100 distinct days), so only the distinct values
    are parsed (measured: 3.9 s -> 0.12 s per 6M values).
    """

    def parse(distinct: pd.Series) -> tuple[pd.Series, pd.Series]:
        strings = pa.array(distinct, type=pa.string(), from_pandas=True)
        stamps = pc.strptime(strings, format=fmt, unit="s", error_is_null=True)
        exact = pc.equal(pc.strftime(stamps, format=fmt), strings)
        parsed = pc.if_else(exact, stamps, pa.scalar(None, stamps.type)).cast(pa.date32())
        dates = pd.Series(parsed, index=distinct.index, dtype=pd.ArrowDtype(pa.date32()))
        return dates, dates.notna()

    return each_distinct(text, parse)


def reject_uncastable(ctx, frame, column, bad, values, to, on_error):
    """Apply ``on_error`` to values that could not be converted."""
    if not bad.any():
        return frame
    # A number too large (or too small) for the type says so: it is not a typo to look for.
    note = out_of_range(values[bad], to).map({True: _RANGE_NOTE.get(to, ""), False: ""})
    if on_error == "reject":
        reason = (
            f"{column}: '" + as_strings(values[bad]).astype(str) + f"' is not a valid {to}" + note
        )
        return ctx.reject(frame, bad, reason.reindex(frame.index))
    if on_error == "fail":
        first = values[bad].iloc[0]
        row = frame.loc[bad, SOURCE_ROW].iloc[0]
        raise ctx.error(
            column,
            f"value {first!r} at source row {row} is not a valid {to}{note.iloc[0]} "
            f"({int(bad.sum())} such values). Fix the export, or set on_error to "
            "'reject' (quarantine the rows) or 'null' (make the values missing).",
        )
    return frame  # on_error: null — the cast already left the value missing


def op_cast(frame, step, ctx):
    """Convert a column to a contract type; uncastable values are rejected, nulled or fail."""
    column, to = step["column"], step["to"]
    require_columns(frame, [column], ctx)
    cast, bad = cast_series(frame[column], to)
    out = frame.copy()
    out[column] = cast.astype(dtype_for(to))
    return reject_uncastable(
        ctx, out, column, bad, frame[column], to, step.get("on_error", "reject")
    )


def op_parse_date(frame, step, ctx):
    """Parse a date with a strptime format (``%Y%m%d`` for integer yyyymmdd dates).

    With ``exact_length`` a value that is not exactly that many digits (``0``, ``5489``) is
    missing, as the source means it; other unparseable values follow ``on_error``.
    """
    column = step["column"]
    require_columns(frame, [column], ctx)
    text = as_strings(frame[column]).str.strip()
    if step.get("exact_length"):
        well_formed = text.str.fullmatch(rf"\d{{{int(step['exact_length'])}}}")
        text = text.where(well_formed.fillna(False).astype(bool))
    dates, ok = parse_dates(text, step["format"])
    bad = text.notna() & ~ok
    out = frame.copy()
    out[column] = dates
    label = f"date in format {step['format']}"
    return reject_uncastable(
        ctx, out, column, bad, frame[column], label, step.get("on_error", "null")
    )


def op_dedupe(frame, step, ctx):
    """Keep one row per key: the latest by ``order_by`` or the first in file order.

    The others are rejected with the source row of the row that superseded them. Rows with a
    missing key are left alone (a ``reject_when: missing`` step decides about those).
    """
    key = list(step["key"])
    keep = step.get("keep", "first")
    order_by = step.get("order_by")
    require_columns(frame, key + ([order_by] if order_by else []), ctx)
    has_key = frame[key].notna().all(axis=1)
    keyed = frame.loc[has_key]
    if keep == "latest":
        ordered = keyed.sort_values(
            [*key, order_by, SOURCE_ROW], na_position="first", kind="stable"
        )
        losers = ordered.duplicated(subset=key, keep="last")
    else:
        ordered = keyed.sort_values([*key, SOURCE_ROW], kind="stable")
        losers = ordered.duplicated(subset=key, keep="first")
    if not losers.any():
        return frame
    winners = ordered.loc[~losers, [*key, SOURCE_ROW]].rename(columns={SOURCE_ROW: "_winner"})
    lost = ordered.loc[losers, key].reset_index().merge(winners, on=key, how="left")
    lost = lost.set_index(lost.columns[0])
    why = f"latest {order_by}" if keep == "latest" else "first in file order"
    reason = (
        f"superseded duplicate of {', '.join(key)}: the row at source row "
        + lost["_winner"].astype(str)
        + f" is kept ({why})"
    )
    mask = pd.Series(False, index=frame.index)
    mask[lost.index] = True
    return ctx.reject(frame, mask, reason.reindex(frame.index))


def op_reject_when(frame, step, ctx):
    """Reject rows by a condition: a missing value, a value not in a list, or not matching."""
    columns = step["columns"]
    require_columns(frame, columns, ctx)
    condition = step["condition"]
    mask = pd.Series(False, index=frame.index)
    for column in columns:
        values = frame[column]
        if condition == "missing":
            hit = values.isna()
        elif condition == "not_in":
            hit = values.notna() & ~as_strings(values).isin([str(v) for v in step["values"]])
        else:  # not_matching
            # RE2 (linear time), not str.fullmatch: that hands non-ASCII data to Python's re.
            matched = full_match(values, step["pattern"])
            hit = values.notna() & ~pd.Series(matched, index=values.index)
        mask |= hit.fillna(False).astype(bool)
    default = {
        "missing": f"{' or '.join(columns)} is missing",
        "not_in": f"{' or '.join(columns)} is not one of the accepted values",
        "not_matching": f"{' or '.join(columns)} does not match {step.get('pattern')}",
    }[condition]
    return ctx.reject(frame, mask, step.get("reason", default))
