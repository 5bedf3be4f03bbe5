"""Deterministic, deliberately dirty sample of the six CRM/ERP source exports.

The warehouse ingests the CSV exports of a bicycle retailer (the well-known "sales data
warehouse" CRM/ERP case). This module fabricates them at any size so that the pipeline can be
run, tested and benchmarked without the real files. The output copies the export format byte
for byte (comma separated, never quoted, UTF-8, CRLF, two files without a final line break) and
every sample, even a tiny one, carries each kind of dirt the Silver layer has to repair.

This module sizes the sample and writes it; the tables are made by ``sample_tables`` (one maker
per export) from the column builders of ``sample_columns``. Tables are pandas DataFrames of
strings, an empty string meaning a missing value, exactly as the field will appear in the file.
They are built from numpy arrays and Arrow string kernels, so a scale of 100 (~6M order lines)
never loops over rows in Python. The same ``(scale, seed)`` always gives byte-identical files:
each table draws from its own child stream of ``numpy.random.default_rng(seed)`` and nothing
reads the clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from sample_tables import (
    current_customers,
    make_categories,
    make_cust_az12,
    make_customers,
    make_loc_a101,
    make_products,
    make_sales,
)

SAMPLE_FILES: tuple[tuple[str, str], ...] = (
    ("source_crm", "cust_info.csv"),
    ("source_crm", "prd_info.csv"),
    ("source_crm", "sales_details.csv"),
    ("source_erp", "CUST_AZ12.csv"),
    ("source_erp", "LOC_A101.csv"),
    ("source_erp", "PX_CAT_G1V2.csv"),
)
# The real exports end these two files without a line break after the last row.
NO_FINAL_NEWLINE = frozenset({"prd_info.csv", "LOC_A101.csv"})


@dataclass(frozen=True)
class SampleSize:
    """Row counts for one scale: distinct customers, product versions and order lines."""

    customers: int
    product_versions: int
    order_lines: int


class WrittenFile(NamedTuple):
    """One file written by :func:`generate`: its path, data rows (no header) and bytes."""

    path: Path
    rows: int
    size: int


def check_scale(scale: float) -> float:
    """Return ``scale`` as a float, or raise ValueError unless it is a finite number > 0."""
    value = float(scale)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"scale must be a finite number greater than 0, got {scale!r}")
    return value


def sample_size(scale: float) -> SampleSize:
    """Row counts for ``scale``; 1 approximates the real export.

    Customers and order lines grow linearly. The product catalogue stays at ~400 versions from
    scale 1 up (a retailer does not sell more bikes because it has more customers) and shrinks
    below it. Floors keep every kind of dirt present even in a tiny sample.
    """
    scale = check_scale(scale)
    return SampleSize(
        customers=max(60, round(18_480 * scale)),
        product_versions=400 if scale >= 1 else max(40, round(400 * scale)),
        order_lines=max(400, round(60_000 * scale)),
    )


def _tables(scale: float, seed: int) -> Iterator[tuple[str, pd.DataFrame]]:
    size = sample_size(scale)
    # One child stream per table, so changing one table never reshuffles the others.
    streams = np.random.default_rng(seed).spawn(5)
    customers = make_customers(streams[0], size.customers)
    yield "cust_info.csv", customers
    current = current_customers(customers)
    del customers
    yield "CUST_AZ12.csv", make_cust_az12(streams[1], current)
    yield "LOC_A101.csv", make_loc_a101(streams[2], current)
    products = make_products(streams[3], size.product_versions)
    yield "prd_info.csv", products
    yield (
        "sales_details.csv",
        make_sales(streams[4], size.order_lines, current["cst_id"].to_numpy(), products),
    )
    yield "PX_CAT_G1V2.csv", make_categories()


def generate_tables(scale: float = 1.0, seed: int = 42) -> dict[str, pd.DataFrame]:
    """All six tables by file name, as the string values that :func:`generate` writes."""
    return dict(_tables(scale, seed))


def write_table(frame: pd.DataFrame, path: Path | str, *, final_newline: bool = True) -> int:
    """Write ``frame`` in the export format (no quoting, CRLF); return the file size in bytes.

    Raises ``pyarrow.ArrowInvalid`` if a value holds a comma, quote or line break, since an
    unquoted file could not carry it.
    """
    path = Path(path)
    with path.open("wb") as handle:
        handle.write((",".join(frame.columns) + "\r\n").encode())
        options = pacsv.WriteOptions(include_header=False, eol="\r\n", quoting_style="none")
        pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), handle, options)
        handle.flush()
        size = handle.seek(0, 2)
        if not final_newline:
            size = handle.truncate(size - 2)
    return size


def generate(out_dir: Path | str, scale: float = 1.0, seed: int = 42) -> list[WrittenFile]:
    """Write the six sample files under ``out_dir/source_crm`` and ``out_dir/source_erp``.

    Tables are written one at a time and released, keeping memory near the largest table.
    """
    folders = {name: folder for folder, name in SAMPLE_FILES}
    written = []
    for name, frame in _tables(scale, seed):
        path = Path(out_dir) / folders[name] / name
        path.parent.mkdir(parents=True, exist_ok=True)
        size = write_table(frame, path, final_newline=name not in NO_FINAL_NEWLINE)
        written.append(WrittenFile(path, len(frame), size))
        del frame  # release the table before the next one is built
    order = [name for _, name in SAMPLE_FILES]
    return sorted(written, key=lambda f: order.index(f.path.name))
