"""A stand-in for the ``snakemake`` object Snakemake hands a rule script, so the adapters in
scripts/ can be run in a unit test without a workflow: ``main(fake_snakemake(...), log)``."""

from __future__ import annotations

import importlib
import logging
from types import SimpleNamespace


class Files(list):
    """Like Snakemake's named lists: every file in order (named lists flattened), and each
    name as an attribute."""

    def __init__(self, **named):
        flat = []
        for value in named.values():
            flat.extend(value if isinstance(value, list) else [value])
        super().__init__(str(v) for v in flat)
        self._named = {
            k: ([str(x) for x in v] if isinstance(v, list) else str(v)) for k, v in named.items()
        }
        for name, value in self._named.items():
            setattr(self, name, value)

    def items(self):
        return self._named.items()

    def keys(self):
        return self._named.keys()


def fake_snakemake(
    rule: str,
    input: dict | None = None,
    output: dict | None = None,
    params: dict | None = None,
    wildcards: dict | None = None,
    log: list | None = None,
    config: dict | None = None,
) -> SimpleNamespace:
    """The attributes adapters use: rule, input, output, params, wildcards, log, config."""
    return SimpleNamespace(
        rule=rule,
        input=Files(**(input or {})),
        output=Files(**(output or {})),
        params=SimpleNamespace(**(params or {})),
        wildcards=Files(**(wildcards or {})),
        log=[str(p) for p in (log or [])],
        config=config or {},
    )


def run_adapter(smk: SimpleNamespace) -> None:
    """Import ``scripts/<rule>.py`` and run its ``main`` with ``smk`` and a test logger."""
    module = importlib.import_module(smk.rule)
    module.main(smk, logging.getLogger(f"test.{smk.rule}"))
