"""Benchmark: wall time of a cold `snakemake all` and of a no-op, per data scale.

Each case runs in its own temporary copy of the project (the committed sample, or data made by
the generator at a given scale), so the repository's own artifacts are never touched. Results go
to docs/benchmarks.md with the date and the machine. Timings are for comparing ratios within one
run of this script: the machine is shared and noisy, so nothing here is enforced by a test.

    python scripts/benchmark.py                   # the committed sample, scales 1 and 10
    python scripts/benchmark.py --scales 1 --noop-repeats 5 --no-write
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from warehouse.sample import generate

REPO = Path(__file__).resolve().parents[1]
PROJECT_PARTS = ("Snakefile", "rules", "scripts", "config", "profiles")
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
OUTPUT = REPO / "docs" / "benchmarks.md"


def prepare(workdir: Path, scale: float | None) -> None:
    """Copy the workflow into ``workdir`` and add raw data (the sample, or generated)."""
    for part in PROJECT_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, workdir / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, workdir / part)
    if scale is None:
        shutil.copytree(REPO / "raw", workdir / "raw")
    else:
        generate(workdir / "raw", scale=scale, seed=42)


def timed_snakemake(workdir: Path, *args: str) -> tuple[float, str]:
    """Run snakemake in ``workdir``; return (wall seconds, combined output)."""
    started = time.perf_counter()
    proc = subprocess.run(
        [SNAKEMAKE, *args], cwd=workdir, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"snakemake {' '.join(args)} failed in {workdir}:\n{proc.stderr[-3000:]}")
    return elapsed, proc.stdout + proc.stderr


def raw_size(workdir: Path) -> int:
    return sum(p.stat().st_size for p in (workdir / "raw").rglob("*.csv"))


def bench_case(label: str, scale: float | None, noop_repeats: int) -> dict:
    """Cold run then no-op runs of one case; returns the measured figures."""
    with tempfile.TemporaryDirectory(prefix="runhouse-bench-") as tmp:
        workdir = Path(tmp)
        prepare(workdir, scale)
        cold, _ = timed_snakemake(workdir, "all")
        noops = []
        for _ in range(noop_repeats):
            seconds, output = timed_snakemake(workdir, "all")
            if "Nothing to be done" not in output:
                raise SystemExit(f"{label}: the repeated run was not a no-op:\n{output[-2000:]}")
            noops.append(seconds)
        layers = sorted(
            p.name
            for p in (workdir / "artifacts").iterdir()
            if p.is_dir() and p.name not in ("orchestrator", ".cache")
        )
        return {
            "case": label,
            "layers": ", ".join(layers),
            "raw_mb": raw_size(workdir) / 1e6,
            "cold_s": cold,
            "noop_median_s": statistics.median(noops),
            "noop_max_s": max(noops),
        }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 1024**2:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){mem}, Python {platform.python_version()}"


def render(results: list[dict]) -> str:
    rows = "\n".join(
        f"| {r['case']} | {r['raw_mb']:.1f} | {r['layers']} | {r['cold_s']:.1f} | "
        f"{r['noop_median_s']:.2f} | {r['noop_max_s']:.2f} |"
        for r in results
    )
    return f"""# Benchmarks

Measured by `make bench` (`scripts/benchmark.py`) on {dt.date.today().isoformat()}, on
{machine()}. Each case runs in a fresh temporary copy of the project with the default profile
(all cores, greedy scheduler). Machines are shared and noisy: compare ratios within one table,
not absolute numbers across days.

| case | raw CSV (MB) | layers built | cold `snakemake all` (s) | no-op median (s) | no-op max (s) |
|---|---:|---|---:|---:|---:|
{rows}

Target: a no-op `snakemake all` on the sample takes at most 2 s wall on 2 cores. The no-op
includes Snakemake's own start-up, parsing the workflow, fingerprinting the raw
files (digests come from the stat-keyed cache in `artifacts/.cache/`) and the DAG check.
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10", help="comma-separated generator scales")
    parser.add_argument("--noop-repeats", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print, do not write docs")
    args = parser.parse_args(argv)
    cases: list[tuple[str, float | None]] = [("committed sample (raw/)", None)]
    cases += [(f"generated, scale {s}", float(s)) for s in args.scales.split(",") if s]
    results = []
    for label, scale in cases:
        print(f"benchmarking {label} ...", flush=True)
        results.append(bench_case(label, scale, args.noop_repeats))
        print(f"  {results[-1]}", flush=True)
    text = render(results)
    if args.no_write:
        print(text)
    else:
        OUTPUT.write_text(text, encoding="utf-8")
        print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
