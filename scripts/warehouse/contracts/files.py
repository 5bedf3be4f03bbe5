"""The cheap read of a Gold contract's inputs that the DAG needs (no validation).

Nothing here imports a layer: the rules import it while Snakemake builds the DAG.
"""

from __future__ import annotations

import re
from pathlib import Path

from warehouse.core.io import read_yaml

_TABLE_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")


def declared_inputs(path: Path) -> dict:
    """The ``inputs`` of a Gold contract, read without validating the rest (cheap, for DAGs).

    A contract that cannot be read gives no inputs; its job then reports the problem in full.
    """
    try:
        contract = read_yaml(path)
    except Exception:  # noqa: BLE001 - the job validates the contract and says what is wrong
        return {}
    inputs = contract.get("inputs") if isinstance(contract, dict) else None
    if not isinstance(inputs, dict):
        return {}
    # Names become paths: anything but a plain table name is dropped here (never a path outside
    # the run's folders) and reported by the job's full validation.
    return {
        layer: [n for n in names if isinstance(n, str) and _TABLE_NAME.match(n)]
        for layer, names in inputs.items()
        if layer in ("silver", "gold") and isinstance(names, list)
    }
