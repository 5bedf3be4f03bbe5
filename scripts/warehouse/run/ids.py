"""Run ids: ``YYYYMMDDTHHMMSSZ_<8 hex>``, the UTC time a run was minted and the first 8 hex
digits of its combined fingerprint; the run's ingestion date comes from the id.
"""

from __future__ import annotations

import datetime as dt
import re

from warehouse.core.errors import PipelineError

RUN_ID_PATTERN = r"\d{8}T\d{6}Z_[0-9a-f]{8}"


RUN_ID_EXAMPLE = "20261126T150102Z_1a2b3c4d"


RUN_ID_RE = re.compile(rf"^{RUN_ID_PATTERN}$")


_STAMP_FORMAT = "%Y%m%dT%H%M%SZ"


def validate_run_id(run_id: str) -> str:
    """Return ``run_id`` if it is a well-formed run id, else raise a PipelineError that says why.

    The time part must be a real UTC time, so ``20261399T...`` is refused too.
    """
    if not isinstance(run_id, str) or not RUN_ID_RE.match(run_id):
        raise PipelineError(
            f"run_id {run_id!r} is not a valid run id. A run id looks like {RUN_ID_EXAMPLE} "
            "(UTC time YYYYMMDDTHHMMSSZ, an underscore, 8 lower-case hex digits). "
            "Leave run_id out to let the pipeline pick the run that matches the current raw "
            "data, code and config, or pass an id listed under artifacts/orchestrator/."
        )
    try:
        run_time(run_id)
    except ValueError as exc:
        raise PipelineError(
            f"run_id {run_id!r} has an impossible date or time ({exc}). "
            f"A run id looks like {RUN_ID_EXAMPLE}."
        ) from None
    return run_id


def run_time(run_id: str) -> dt.datetime:
    """The UTC time a run was minted, read from its id."""
    return dt.datetime.strptime(run_id.split("_", 1)[0], _STAMP_FORMAT).replace(tzinfo=dt.UTC)


def ingestion_date(run_id: str) -> dt.date:
    """The run's ingestion date: date rules use it so that a rerun never depends on the clock."""
    return run_time(run_id).date()


def mint_run_id(fingerprint: str, now: dt.datetime | None = None) -> str:
    """A new run id for ``fingerprint`` (hex) minted at ``now`` (UTC; defaults to the clock)."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now.astimezone(dt.UTC).strftime(_STAMP_FORMAT)}_{fingerprint[:8]}"
