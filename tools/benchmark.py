"""Benchmark: cold and no-op `snakemake all` per data scale, against an IO floor.

Each case runs in its own temporary copy of the project (the committed sample, or data made by
the generator at a given scale), so the repository's own artifacts are never touched. Per case:

- an **IO floor**, measured first in the same workspace: one process reads every raw CSV with
  pyarrow and writes it as Parquet (the least any pipeline must do with these bytes);
- the wall time of a **cold** `snakemake all`, and of repeated **no-op** invocations;
- per rule, from Snakemake's benchmark files (``artifacts/orchestrator/<run>/logs/<rule>/
  *.benchmark.tsv``): jobs, seconds (sum over jobs and slowest job) and peak RSS;
- the **disk** the run wrote (``warehouse.run.disk``: each inode once).

Results go to docs/benchmarks.md with the date, the machine and how busy it was. Timings are for
comparing ratios within one run of this script: the machine is shared and noisy, so nothing here
is enforced by a test.

    python tools/benchmark.py                          # sample, scales 1, 10 and 100
    python tools/benchmark.py --scales 1 --noop-repeats 5 --no-write
"""

from __future__ import annotations

import argparse
import csv
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

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

# The warehouse package is never installed: a tool imports the working copy's scripts/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from sample_generator import generate  # noqa: E402
from warehouse.run.disk import RUN_FOLDERS, run_disk_usage, tree_disk_usage  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PROJECT_PARTS = ("Snakefile", "rules", "scripts", "config", "profiles")
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
OUTPUT = REPO / "docs" / "benchmarks.md"
NOTES_MARKER = "<!-- Notes below are written by hand; tools/benchmark.py keeps them. -->"
MB = 1e6

# Targets at the largest scale (issue 7), on 2 cores / 24 GB.
TARGET_FLOOR_RATIO = 4.0
TARGET_PEAK_RSS_MB = 3000.0
TARGET_NOOP_S = 2.0
TARGET_SCALING = 12.0

SUMMARY_HEADER = (
    "| case | raw CSV (MB) | IO floor (s) | cold `snakemake all` (s) | cold / floor "
    "| no-op median (s) | no-op max (s) | peak RSS of a job (MB) | run on disk (MB) "
    "| CPU busy before |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


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


def raw_files(workdir: Path) -> list[Path]:
    return sorted((workdir / "raw").rglob("*.csv"))


def io_floor(workdir: Path) -> float:
    """Seconds for one process to read every raw CSV with pyarrow and write it as Parquet.

    All columns are read as strings (no type inference) and junk rows are skipped: the floor is
    the byte moving every pipeline has to do, not cleaning. Written with zstd like the pipeline.
    """
    out = workdir / "io-floor"
    out.mkdir()
    parse = pacsv.ParseOptions(invalid_row_handler=lambda row: "skip")
    started = time.perf_counter()
    for path in raw_files(workdir):
        with open(path, "rb") as handle:
            header = handle.readline().decode("utf-8-sig").strip().split(",")
        convert = pacsv.ConvertOptions(column_types=dict.fromkeys(header, "string"))
        table = pacsv.read_csv(path, parse_options=parse, convert_options=convert)
        pq.write_table(table, out / f"{path.parent.name}_{path.stem}.parquet", compression="zstd")
    elapsed = time.perf_counter() - started
    shutil.rmtree(out)
    return elapsed


def cpu_busy(seconds: float = 2.0) -> float:
    """Fraction of all CPUs busy over ``seconds`` while this script idles: other people's load."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return idle, sum(fields)

    try:
        idle_a, total_a = sample()
        time.sleep(seconds)
        idle_b, total_b = sample()
    except (OSError, ValueError, IndexError):
        return float("nan")
    return 1 - (idle_b - idle_a) / max(total_b - total_a, 1)


def rule_stats(workdir: Path, run_id: str) -> dict[str, dict]:
    """{rule: jobs, sum_s, max_s, peak_rss_mb} from the run's benchmark files."""
    logs = workdir / "artifacts" / "orchestrator" / run_id / "logs"
    stats: dict[str, dict] = {}
    for path in sorted(logs.glob("**/*.benchmark.tsv")):
        rule = path.relative_to(logs).parts[0]
        with open(path, encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        if not rows:
            continue
        seconds = float(rows[-1]["s"])
        try:
            rss = float(rows[-1]["max_rss"])
        except ValueError:
            rss = 0.0  # "NA": the job ended before the first memory sample
        entry = stats.setdefault(rule, {"jobs": 0, "sum_s": 0.0, "max_s": 0.0, "peak_rss_mb": 0})
        entry["jobs"] += 1
        entry["sum_s"] += seconds
        entry["max_s"] = max(entry["max_s"], seconds)
        entry["peak_rss_mb"] = max(entry["peak_rss_mb"], rss)
    return stats


def bench_case(label: str, scale: float | None, noop_repeats: int) -> dict:
    """IO floor, cold run, no-op runs, rule stats and disk of one case."""
    busy_before = cpu_busy()
    with tempfile.TemporaryDirectory(prefix="smelthouse-bench-") as tmp:
        workdir = Path(tmp)
        prepare(workdir, scale)
        floor = io_floor(workdir) if scale is not None else None
        cold, _ = timed_snakemake(workdir, "all")
        noops = []
        for _ in range(noop_repeats):
            seconds, output = timed_snakemake(workdir, "all")
            if "Nothing to be done" not in output:
                raise SystemExit(f"{label}: the repeated run was not a no-op:\n{output[-2000:]}")
            noops.append(seconds)
        (run_id,) = [p.parent.name for p in workdir.glob("artifacts/orchestrator/*/run.yaml")]
        rules = rule_stats(workdir, run_id)
        disk = run_disk_usage(run_id, workdir)
        tree = tree_disk_usage(workdir / "artifacts")
        return {
            "case": label,
            "scale": scale,
            "raw_mb": sum(p.stat().st_size for p in raw_files(workdir)) / MB,
            "busy_before": busy_before,
            "floor_s": floor,
            "cold_s": cold,
            "noop_median_s": statistics.median(noops),
            "noop_max_s": max(noops),
            "rules": rules,
            "peak_rss_mb": max((r["peak_rss_mb"] for r in rules.values()), default=0.0),
            "run_disk_mb": disk["apparent_bytes"] / MB,
            "disk_layers_mb": {d["layer"]: d["apparent_bytes"] / MB for d in disk["layers"]},
            "artifacts_mb": tree["apparent_bytes"] / MB,
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


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _targets(results: list[dict]) -> str:
    """Whether the issue's targets hold at the largest generated scale."""
    generated = [r for r in results if r["scale"] is not None]
    if not generated:
        return ""
    big = max(generated, key=lambda r: r["scale"])
    lines = [f"Targets at scale {big['scale']:g} ({big['raw_mb']:,.0f} MB of CSV):", ""]

    def line(ok: bool, text: str) -> None:
        lines.append(f"- {'met' if ok else '**not met**'}: {text}")

    ratio = big["cold_s"] / big["floor_s"]
    line(ratio <= TARGET_FLOOR_RATIO, f"end-to-end {ratio:.1f}x the IO floor (target <= 4x)")
    line(
        big["peak_rss_mb"] <= TARGET_PEAK_RSS_MB,
        f"peak RSS of any job {big['peak_rss_mb']:,.0f} MB (target <= 3,000 MB)",
    )
    line(
        big["noop_median_s"] <= TARGET_NOOP_S,
        f"no-op {big['noop_median_s']:.2f} s median, {big['noop_max_s']:.2f} s max (target <= 2 s)",
    )
    tens = [r for r in generated if r["scale"] == big["scale"] / 10]
    if tens:
        scaling = big["cold_s"] / tens[0]["cold_s"]
        line(
            scaling <= TARGET_SCALING,
            f"time(scale {big['scale']:g}) / time(scale {tens[0]['scale']:g}) = {scaling:.1f} "
            "(target <= 12)",
        )
    return "\n".join(lines) + "\n"


def render(results: list[dict], started: str, loadavg: tuple[float, ...]) -> str:
    summary = "\n".join(
        f"| {r['case']} | {r['raw_mb']:,.1f} | {_fmt(r['floor_s'])} | {r['cold_s']:,.1f} | "
        f"{_fmt(r['cold_s'] / r['floor_s'] if r['floor_s'] else None)} | "
        f"{r['noop_median_s']:.2f} | {r['noop_max_s']:.2f} | {r['peak_rss_mb']:,.0f} | "
        f"{r['run_disk_mb']:,.1f} | {100 * r['busy_before']:.0f}% |"
        for r in results
    )
    generated = [r for r in results if r["scale"] is not None]
    scaling = "\n".join(
        f"| {a['scale']:g} -> {b['scale']:g} | {b['raw_mb'] / a['raw_mb']:.1f} | "
        f"{b['cold_s'] / a['cold_s']:.1f} | {b['floor_s'] / a['floor_s']:.1f} |"
        for a, b in zip(generated, generated[1:], strict=False)
    )
    rule_names = sorted(
        {rule for r in generated for rule in r["rules"]},
        key=lambda rule: -max(r["rules"].get(rule, {}).get("sum_s", 0) for r in generated),
    )
    rule_header = " | ".join(f"scale {r['scale']:g}: s (sum / slowest) | MB" for r in generated)
    rule_rows = []
    for rule in rule_names:
        cells = []
        for r in generated:
            s = r["rules"].get(rule)
            cells.append(
                "- | -"
                if s is None
                else f"{s['sum_s']:,.1f} / {s['max_s']:,.1f} | {s['peak_rss_mb']:,.0f}"
            )
        jobs = max(r["rules"].get(rule, {}).get("jobs", 0) for r in generated)
        rule_rows.append(f"| {rule} | {jobs} | " + " | ".join(cells) + " |")
    layers = list(RUN_FOLDERS)
    disk_rows = "\n".join(
        f"| {r['scale']:g} | {r['raw_mb']:,.1f} | "
        + " | ".join(_fmt(r["disk_layers_mb"].get(layer)) for layer in layers)
        + f" | {r['run_disk_mb']:,.1f} | {r['run_disk_mb'] / r['raw_mb']:.2f} |"
        for r in generated
    )
    busy = max(r["busy_before"] for r in results)
    busy_note = (
        f"**The machine was shared while this ran**: up to {100 * busy:.0f}% of its CPU was busy "
        "with other work just before a case started (load average "
        f"{' / '.join(f'{x:.2f}' for x in loadavg)} at the start), so absolute times are "
        "pessimistic; the ratios are measured within the same conditions."
        if busy > 0.15
        else "The machine was otherwise idle when each case started."
    )
    return f"""# Benchmarks

Measured by `make bench` (`tools/benchmark.py`) on {started}, on {machine()}.
Each case runs in a fresh temporary copy of the project with the default profile (all cores,
greedy scheduler). {busy_note}

{SUMMARY_HEADER}
{summary}

- **IO floor**: one process reads every raw CSV with pyarrow (all columns as strings) and writes
  it as zstd Parquet, in the same workspace just before the cold run.
- **no-op**: `snakemake all` again on the finished workspace ("Nothing to be done"): start-up,
  parsing, fingerprinting the raw files (digests come from the stat-keyed cache in
  `artifacts/.cache/`) and the DAG check.
- **peak RSS**: the largest `max_rss` in the run's Snakemake benchmark files (one per job).
- **run on disk**: apparent size of the run's files, each inode once (`warehouse.run.disk`).

{_targets(results)}
## Scaling

| scales | raw size x | cold time x | IO floor x |
|---|---:|---:|---:|
{scaling}

## Time and memory per rule

Seconds are each job's wall time from its benchmark file (jobs of one rule run two at a time,
so the sum can exceed the rule's share of the cold run); MB is the peak RSS of its largest job.

| rule | jobs | {rule_header} |
|---|---:|{"---:|---:|" * len(generated)}
{chr(10).join(rule_rows)}

## Disk written per run (MB)

| scale | raw CSV | {" | ".join(layers)} | run total | run / raw |
|---:|---:|{"---:|" * len(layers)}---:|---:|
{disk_rows}
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,100", help="comma-separated generator scales")
    parser.add_argument("--noop-repeats", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print, do not write docs")
    args = parser.parse_args(argv)
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    loadavg = os.getloadavg()
    cases: list[tuple[str, float | None]] = [("committed sample (raw/)", None)]
    cases += [(f"generated, scale {s}", float(s)) for s in args.scales.split(",") if s]
    results = []
    for label, scale in cases:
        print(f"benchmarking {label} ...", flush=True)
        results.append(bench_case(label, scale, args.noop_repeats))
        shown = {k: v for k, v in results[-1].items() if k != "rules"}
        print(f"  {shown}", flush=True)
    text = render(results, started, loadavg)
    if args.no_write:
        print(text)
        return
    # Hand-written analysis below the marker survives a new measurement (review it, though).
    previous = OUTPUT.read_text(encoding="utf-8") if OUTPUT.is_file() else ""
    if NOTES_MARKER in previous:
        text += "\n" + NOTES_MARKER + previous.split(NOTES_MARKER, 1)[1]
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
