"""Benchmark: the pipeline against its yardstick, per data scale, in one invocation.

Each scale runs in its own temporary copy of the project with raw data from the generator
(``tools/generate_sample.py --scale S --seed 42``), so the repository's artifacts are never
touched. Per scale, in this order:

- the **dry run** ``snakemake -n all`` on the fresh workspace: the floor Snakemake itself sets
  (start-up, parsing, fingerprinting the raw files, planning); its caches are removed after it;
- the **cold** ``snakemake all``: wall time, and per rule from the Snakemake benchmark files
  (``artifacts/orchestrator/<run>/logs/<rule>/*.benchmark.tsv``) jobs, seconds and peak RSS;
- repeated **no-op** ``snakemake all`` on the finished workspace;
- the **yardstick** (``tools/yardstick.py``: the same Silver and Gold as plain DuckDB SQL in one
  process, on the same raw files, all cores): wall time and peak RSS of its process;
- whether the yardstick's tables equal the run's (``yardstick.compare``, not timed);
- the disk the run wrote (``warehouse.run.disk``: each inode once).

The new measurement becomes a dated section at the top of docs/benchmarks.md (a rerun on the
same day replaces it; older sections stay as history). Timings are for ratios within one
invocation on an idle machine; nothing here is enforced by a test.

    python tools/benchmark.py                        # scales 1, 10 and 100
    python tools/benchmark.py --with-1000            # and 1000 (~5.5 GB of CSV)
    python tools/benchmark.py --scales 1 --noop-repeats 1 --no-write
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The warehouse package is never installed: a tool imports the working copy's scripts/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from yardstick import compare  # noqa: E402

from warehouse.core import paths  # noqa: E402
from warehouse.run.disk import RUN_FOLDERS, run_disk_usage  # noqa: E402
from warehouse.run.ids import ingestion_date  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PROJECT_PARTS = ("Snakefile", "rules", "scripts", "config", "profiles")
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
OUTPUT = REPO / "docs" / "benchmarks.md"
MB = 1e6
# Disk a scale needs under the temporary folder: raw CSV, its Bronze copy, Silver and Gold of
# the run and of the yardstick (14 MB per scale unit measured at scale 10), and room for
# DuckDB to spill beyond its memory limit.
NEEDED_MB_PER_SCALE = 25

# Issue 14's targets on 2 cores / 24 GB: (scale, or None for the worst scale; what; figure;
# divided by; at most; unit).
TARGETS = [
    (100, "cold run / yardstick", "cold_s", "yardstick_s", 2.0, "x"),
    (1000, "cold run / yardstick", "cold_s", "yardstick_s", 2.5, "x"),
    (100, "peak RSS of the largest job", "job_rss_mb", None, 1500, " MB"),
    (1000, "peak RSS of the largest job", "job_rss_mb", None, 3000, " MB"),
    (1, "cold run / dry run", "cold_s", "dry_s", 4.0, "x"),
    (None, "no-op (median)", "noop_median_s", None, 1.0, " s"),
]

YARDSTICK_PHASES = ("silver_s", "silver_checks_s", "gold_s", "gold_checks_s")
SUMMARY_HEADER = (
    "| scale | raw CSV (MB) | dry run (s) | cold `snakemake all` (s) | cold / dry "
    "| yardstick (s) | pipeline / yardstick | no-op median (s) | peak RSS of a job (MB) "
    "| yardstick RSS (MB) | yardstick tables = run's | CPU busy before |\n"
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"
)


def begin_marker(day: str) -> str:
    return f"<!-- bench:{day} begin: written by tools/benchmark.py, notes go below the end -->"


def end_marker(day: str) -> str:
    return f"<!-- bench:{day} end -->"


def run(cmd: list[str], cwd: Path) -> tuple[float, float, str]:
    """Run ``cmd`` in ``cwd``; (wall seconds, peak RSS of the process in MB, its output).

    The peak RSS is the process's own (``wait4``), not its children's: right for the
    yardstick, which is one process; the pipeline's jobs are read from their benchmark files.
    """
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = proc.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{output[-3000:]}")
    return elapsed, usage.ru_maxrss * 1024 / MB, output


def prepare(workdir: Path, scale: float) -> None:
    """Copy the workflow into ``workdir`` and generate the raw data at ``scale``."""
    for part in PROJECT_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, workdir / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, workdir / part)
    generator = [sys.executable, str(REPO / "tools" / "generate_sample.py")]
    run([*generator, "--scale", f"{scale:g}", "--seed", "42", "--out", "raw"], workdir)


def raw_mb(workdir: Path) -> float:
    return sum(p.stat().st_size for p in (workdir / "raw").rglob("*.csv")) / MB


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
    stats: dict[str, dict] = {}
    found = paths.find_spanning(paths.BENCHMARK, "name", workdir, run_id=run_id)
    for fields, path in found:
        with open(path, encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        if not rows:
            continue
        seconds = float(rows[-1]["s"])
        try:
            rss = float(rows[-1]["max_rss"])
        except ValueError:
            rss = 0.0  # "NA": the job ended before the first memory sample
        entry = stats.setdefault(fields["rule"], {"jobs": 0, "sum_s": 0.0, "max_s": 0.0})
        entry["jobs"] += 1
        entry["sum_s"] += seconds
        entry["max_s"] = max(entry["max_s"], seconds)
        entry["peak_rss_mb"] = max(entry.get("peak_rss_mb", 0.0), rss)
    return stats


def bench_scale(scale: float, noop_repeats: int) -> dict:
    """Dry run, cold run, no-ops, yardstick, comparison and disk of one scale."""
    busy_before = cpu_busy()
    with tempfile.TemporaryDirectory(prefix="smelthouse-bench-") as tmp:
        workdir = Path(tmp)
        prepare(workdir, scale)
        dry, _, _ = run([SNAKEMAKE, "-n", "all"], workdir)
        for cache in ("artifacts", ".snakemake"):  # the cold run starts without its caches
            shutil.rmtree(workdir / cache, ignore_errors=True)
        cold, _, _ = run([SNAKEMAKE, "all"], workdir)
        noops = []
        for _ in range(noop_repeats):
            seconds, _, output = run([SNAKEMAKE, "all"], workdir)
            if "Nothing to be done" not in output:
                raise SystemExit(f"scale {scale:g}: the repeated run was not a no-op:\n{output}")
            noops.append(seconds)
        (run_id,) = [f["run_id"] for f, _ in paths.find(paths.RUN_STATUS, workdir)]
        out = workdir / "yardstick"
        yardstick = [sys.executable, str(REPO / "tools" / "yardstick.py"), "--project", "."]
        day = ingestion_date(run_id).isoformat()
        yard_s, yard_rss, _ = run([*yardstick, "--out", str(out), "--ingestion-date", day], workdir)
        report = compare(out, workdir, run_id)
        phases = json.loads((out / "yardstick.json").read_text())["timings"]
        rules = rule_stats(workdir, run_id)
        disk = run_disk_usage(run_id, workdir)
        return {
            "scale": scale,
            "raw_mb": raw_mb(workdir),
            "busy_before": busy_before,
            "dry_s": dry,
            "cold_s": cold,
            "noop_median_s": statistics.median(noops) if noops else None,
            "yardstick_s": yard_s,
            "yardstick_rss_mb": yard_rss,
            "yardstick_phases": phases,
            "same": report["verdict"],
            "differing": [t["table"] for t in report["tables"] if t["content"] != "exact"],
            "rules": rules,
            "job_rss_mb": max((r["peak_rss_mb"] for r in rules.values()), default=0.0),
            "run_disk_mb": disk["apparent_bytes"] / MB,
            "disk_layers_mb": {d["layer"]: d["apparent_bytes"] / MB for d in disk["layers"]},
        }


def machine() -> str:
    """CPU, cores, RAM and Python, as ``nproc``, ``free -g`` and ``python -V`` give them."""
    cpu = platform.processor() or platform.machine()
    try:
        models = re.findall(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = models[0] if models else cpu
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 1024**2:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        mem = ""
    return f"{os.cpu_count()} cores ({cpu}){mem}, Python {platform.python_version()}"


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def targets(results: list[dict]) -> list[str]:
    """Issue 14's targets, each met, not met, or pending (its scale was not measured)."""
    at = {r["scale"]: r for r in results}
    lines = []
    for scale, what, key, over, limit, unit in TARGETS:
        if scale is None:  # the worst of every scale measured
            value = max((r[key] for r in results if r[key] is not None), default=None)
        else:
            r = at.get(scale)
            value = None if r is None else r[key] / r[over] if over else r[key]
        target = (
            f"{f'scale {scale:g}' if scale else 'every scale'}: {what} at most {limit:,g}{unit}"
        )
        if value is None:
            lines.append(f"- pending: {target}: not measured yet")
        else:
            state = "met" if value <= limit else "**not met**"
            digits = {" s": 2, " MB": 0}.get(unit, 1)
            lines.append(f"- {state}: {target}: {value:,.{digits}f}{unit}")
    done = "- met: scale 1000 completes"
    return lines + [done if 1000 in at else "- pending: scale 1000 completes (`--with-1000`)"]


def render(results: list[dict], started: str, loadavg: tuple[float, ...], day: str) -> str:
    summary = "\n".join(
        f"| {r['scale']:g} | {r['raw_mb']:,.1f} | {r['dry_s']:.1f} | {r['cold_s']:,.1f} | "
        f"{r['cold_s'] / r['dry_s']:.1f} | {r['yardstick_s']:,.1f} | "
        f"{r['cold_s'] / r['yardstick_s']:.1f} | {_fmt(r['noop_median_s'], 2)} | "
        f"{r['job_rss_mb']:,.0f} | {r['yardstick_rss_mb']:,.0f} | "
        f"{r['same'] + (' (' + ', '.join(r['differing']) + ')' if r['differing'] else '')} | "
        f"{100 * r['busy_before']:.0f}% |"
        for r in results
    )
    measured = {r["scale"] for r in results}
    missing = [s for s in (1, 10, 100, 1000) if s not in measured]
    pending = (
        f"\n\n**Pending**: scale {', '.join(f'{s:g}' for s in missing)} "
        "(not measured in this invocation; `make bench` runs 1, 10 and 100, "
        "`make bench BENCH_FLAGS=--with-1000` adds 1000)."
        if missing
        else ""
    )
    busy = max(r["busy_before"] for r in results)
    conditions = (
        f"**The machine was shared**: up to {100 * busy:.0f}% of its CPU was busy with other "
        f"work just before a scale started (load average {' / '.join(f'{x:.2f}' for x in loadavg)}"
        " at the start), so times are pessimistic and the ratios noisy."
        if busy > 0.15
        else "The machine was otherwise idle when each scale started."
    )
    rule_names = sorted(
        {rule for r in results for rule in r["rules"]},
        key=lambda rule: -max(r["rules"].get(rule, {}).get("sum_s", 0) for r in results),
    )
    rule_rows = []
    for rule in rule_names:
        cells = []
        for r in results:
            s = r["rules"].get(rule)
            cells.append(
                "- | -"
                if s is None
                else f"{s['sum_s']:,.1f} / {s['max_s']:,.1f} | {s['peak_rss_mb']:,.0f}"
            )
        jobs = max(r["rules"].get(rule, {}).get("jobs", 0) for r in results)
        rule_rows.append(f"| {rule} | {jobs} | " + " | ".join(cells) + " |")
    layers = list(RUN_FOLDERS)
    disk_rows = "\n".join(
        f"| {r['scale']:g} | {r['raw_mb']:,.1f} | "
        + " | ".join(_fmt(r["disk_layers_mb"].get(layer)) for layer in layers)
        + f" | {r['run_disk_mb']:,.1f} |"
        for r in results
    )
    phase_rows = "\n".join(
        f"| {r['scale']:g} | {r['yardstick_s']:,.1f} | "
        + " | ".join(f"{r['yardstick_phases'].get(p, 0):,.1f}" for p in YARDSTICK_PHASES)
        + " |"
        for r in results
    )
    rule_header = " | ".join(f"scale {r['scale']:g}: s (sum / slowest) | MB" for r in results)
    return f"""{begin_marker(day)}
## {day}: the pipeline against the DuckDB yardstick (issue 14)

Measured by `make bench` (`tools/benchmark.py`) on {started}, on {machine()}. {conditions}{pending}

{SUMMARY_HEADER}
{summary}

Targets:

{chr(10).join(targets(results))}

### Time and memory per rule

Seconds are each job's wall time from its benchmark file (jobs run two at a time, so a rule's
sum can exceed its share of the cold run); MB is the peak RSS of its largest job.

| rule | jobs | {rule_header} |
|---|---:|{"---:|---:|" * len(results)}
{chr(10).join(rule_rows)}

### The yardstick's phases (s)

Wall time of the process (Python and DuckDB start-up included) and of its phases: reading the
CSVs, cleaning and writing Silver and the quarantines; the Silver checks; building and writing
the marts; the Gold checks.

| scale | process | Silver | Silver checks | Gold | Gold checks |
|---:|---:|---:|---:|---:|---:|
{phase_rows}

### Disk written per run (MB)

| scale | raw CSV | {" | ".join(layers)} | run total |
|---:|---:|{"---:|" * len(layers)}---:|
{disk_rows}
{end_marker(day)}
"""


def write_section(text: str, day: str, document: str) -> str:
    """``document`` with ``text`` as the section of ``day``: replacing that day's generated part
    (its notes below the end marker stay), or inserted above every older section."""
    begin, end = begin_marker(day), end_marker(day)
    if begin in document and end in document:
        head, rest = document.split(begin, 1)
        return head + text.rstrip("\n") + rest.split(end, 1)[1]
    older = re.search(r"^(<!-- bench:|## \d{4}-\d{2}-\d{2})", document, re.M)
    if older is None:
        return document.rstrip("\n") + "\n\n" + text
    return document[: older.start()] + text + "\n" + document[older.start() :]


def check_disk(scales: list[float]) -> None:
    """Refuse to start when the temporary folder cannot hold the largest scale."""
    folder = tempfile.gettempdir()
    free_mb = shutil.disk_usage(folder).free / MB
    needed_mb = max(scales) * NEEDED_MB_PER_SCALE
    if free_mb < needed_mb:
        raise SystemExit(
            f"benchmark: scale {max(scales):g} needs about {needed_mb / 1000:,.1f} GB free in "
            f"{folder}, but {free_mb / 1000:,.1f} GB are free. Free some space, set TMPDIR to a "
            "larger file system, or leave out the largest scale."
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,100", help="comma-separated generator scales")
    parser.add_argument("--with-1000", action="store_true", help="add scale 1000 (~5.5 GB CSV)")
    parser.add_argument("--noop-repeats", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print, do not write docs")
    args = parser.parse_args(argv)
    scales = [float(s) for s in args.scales.split(",") if s] + [1000.0] * args.with_1000
    scales = sorted(set(scales))
    check_disk(scales)
    now = dt.datetime.now(dt.UTC)
    started, day = now.strftime("%Y-%m-%d %H:%M UTC"), now.strftime("%Y-%m-%d")
    loadavg = os.getloadavg()
    results = []
    for scale in scales:
        print(f"benchmarking scale {scale:g} ...", flush=True)
        results.append(bench_scale(scale, args.noop_repeats))
        print(f"  { {k: v for k, v in results[-1].items() if k != 'rules'} }", flush=True)
    text = render(results, started, loadavg, day)
    if args.no_write:
        print(text)
        return
    previous = OUTPUT.read_text(encoding="utf-8") if OUTPUT.is_file() else "# Benchmarks\n"
    OUTPUT.write_text(write_section(text, day, previous), encoding="utf-8")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
