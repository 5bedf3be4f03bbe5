"""The glue every rule script shares: logging to the rule's log file and clean error exits."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

from warehouse.core.errors import PipelineError
from warehouse.lineage.job_events import JobLineage


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


def run_rule(snakemake, main: Callable) -> None:
    """Run ``main(snakemake, log)`` between an OpenLineage START and COMPLETE/FAIL event; a
    PipelineError becomes a one-paragraph error and exit 1."""
    log = rule_logger(snakemake.log[0] if snakemake.log else None, snakemake.rule)
    lineage = JobLineage(snakemake, log)
    lineage.start()
    try:
        main(snakemake, log)
    except PipelineError as exc:
        log.error("%s", exc)
        lineage.fail(str(exc))
        sys.exit(1)
    except Exception as exc:
        log.exception("rule %s failed with an unexpected error", snakemake.rule)
        lineage.fail(f"{type(exc).__name__}: {exc}")
        raise
    lineage.complete()


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
