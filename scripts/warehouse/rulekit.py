"""The glue every rule script shares: logging to the rule's log file, clean error exits, and
the job's wall-clock limit.

Every rule declares ``resources: runtime=<minutes>``. Cluster executors enforce it themselves;
the local executor does not, so a job that hangs (a slow contract, a stalled file system) would
hold its core forever. :func:`run_rule` therefore ends a job that outlives its ``runtime`` with a
message naming the rule, the limit and how to raise it.
"""

from __future__ import annotations

import faulthandler
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from warehouse.core import paths
from warehouse.core.errors import PipelineError
from warehouse.lineage.job_events import JobLineage
from warehouse.run import repair


def rule_logger(log_path: str | None, name: str) -> logging.Logger:
    """A logger that writes to the job's log file (if any) and to stderr."""
    logger = logging.getLogger(f"warehouse.{name}")
    logger.setLevel(logging.INFO)
    logger.handlers.clear()
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S%z")
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(fmt)
        logger.addHandler(handler)
    logger.propagate = False
    return logger


# Seconds past the limit after which a job that never returned to Python (stuck in C code, where
# the alarm's handler cannot run) is ended hard, with the tracebacks of its threads in its log.
HARD_STOP_GRACE = 60


class TimeLimitExceeded(BaseException):
    """Raised in the job when its wall-clock limit passes. A BaseException, so that no
    ``except Exception`` on the way (a fallback, a best-effort report) can swallow it."""


def runtime_minutes(snakemake) -> float | None:
    """The job's ``runtime`` resource in minutes, or None when it has none."""
    minutes = getattr(getattr(snakemake, "resources", None), "runtime", None)
    if isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes <= 0:
        return None
    return minutes


def time_limit_message(rule: str, minutes: float) -> str:
    """What the user reads when a job of ``rule`` outlived its ``runtime`` of ``minutes``."""
    return (
        f"rule {rule} ran longer than its time limit of {minutes:g} minutes (resources: "
        f"runtime={minutes:g} in rules/) and was stopped; its outputs were not written. If the "
        f"data is simply large, give the job more time: snakemake ... --set-resources "
        f"{rule}:runtime=<minutes>. If a contract step or check is what is slow, fix the contract."
    )


@contextmanager
def time_limit(minutes: float | None, hard_stop_file=None) -> Iterator[None]:
    """Raise :class:`TimeLimitExceeded` in the main thread when ``minutes`` of wall-clock time
    pass (no limit when None, or outside the main thread, where signals cannot be handled)."""
    if minutes is None or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise TimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, minutes * 60)
    # faulthandler's watchdog is a C thread: it ends the process even if Python never runs again.
    faulthandler.dump_traceback_later(
        minutes * 60 + HARD_STOP_GRACE, exit=True, file=hard_stop_file or sys.stderr
    )
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_rule(snakemake, main: Callable) -> None:
    """Run ``main(snakemake, log)`` between an OpenLineage START and COMPLETE/FAIL event, within
    the job's ``runtime``; a PipelineError or an exceeded limit becomes a one-paragraph error
    and exit 1. In a complete run (a lost file being rebuilt) only the job's missing outputs
    are added; the others keep their bytes (run/repair.py)."""
    log_path = snakemake.log[0] if snakemake.log else None
    run_id = dict(snakemake.wildcards.items()).get("run_id")
    # A job of a complete run rebuilds a lost file (its log moves to the run's repair folder
    # when the invocation ends: rules/common.smk).
    repairing = bool(log_path) and paths.repair_file(log_path) and repair.is_complete(run_id)
    log = rule_logger(log_path, snakemake.rule)
    lineage = JobLineage(snakemake, log, repair=repairing)
    try:
        lineage.start()
        _run_main(snakemake, main, log, lineage, log_path, run_id if repairing else None)
        lineage.complete()
    finally:
        lineage.close()  # an asynchronous transport sends what it still holds


def _run_main(snakemake, main, log, lineage, log_path, repair_of: str | None) -> None:
    minutes = runtime_minutes(snakemake)
    kept = (
        repair.keeping_existing([str(p) for p in snakemake.output], repair_of, log)
        if repair_of
        else nullcontext()
    )
    try:
        with (
            _hard_stop_file(log_path) as hard_stop_file,
            time_limit(minutes, hard_stop_file),
            kept,
        ):
            main(snakemake, log)
    except TimeLimitExceeded:
        message = time_limit_message(snakemake.rule, minutes)
        log.error("%s", message)
        lineage.fail(message)
        sys.exit(1)
    except PipelineError as exc:
        log.error("%s", exc)
        lineage.fail(str(exc))
        sys.exit(1)
    except Exception as exc:
        log.exception("rule %s failed with an unexpected error", snakemake.rule)
        lineage.fail(f"{type(exc).__name__}: {exc}")
        raise


@contextmanager
def _hard_stop_file(log_path: str | None):
    # The job's log, opened for the hard stop's tracebacks (faulthandler needs a real file).
    if not log_path:
        yield None
        return
    with open(log_path, "a", encoding="utf-8") as handle:
        yield handle


def log_failed_checks(log: logging.Logger, checks: list[dict]) -> None:
    """One warning line per failed check of a table job (the layer report lists them all)."""
    for check in checks:
        if check["status"] == "fail":
            log.warning(
                "check %s (%s) failed on %d rows",
                check["id"],
                check["severity"],
                check["failing_rows"],
            )


def log_gate(log: logging.Logger, gate: dict) -> None:
    """One line saying what a layer's quality gate decided (see warehouse.quality.gates)."""
    if gate["status"] == "closed":
        log.warning(
            "%s quality gate closed: %d error-level check(s) failed",
            gate["layer"],
            len(gate["failures"]),
        )
    else:
        log.info("%s quality gate open: %s", gate["layer"], gate["checks"])
