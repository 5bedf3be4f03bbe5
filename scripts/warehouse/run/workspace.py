"""Resolving which run an invocation works on, from the state of the working directory.

``snakemake all`` without a run_id fingerprints the raw files, the workflow code, the
configuration and the software (library versions); if a run with that fingerprint exists it is
targeted again (so an up-to-date workspace has nothing to do and a crashed run is completed),
otherwise a new run id is minted.
All of this happens lazily, in the input functions of run-level targets: job processes,
``--lint`` and targets that name a run never pay for a fingerprint.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from warehouse import __version__
from warehouse.core.environment import software_versions
from warehouse.core.hashing import DigestCache
from warehouse.core.paths import DIGEST_CACHE
from warehouse.run import ids, manifests
from warehouse.run.fingerprint import Fingerprint, compute_fingerprint
from warehouse.run.sources import RawFile, discover_raw_files

# What counts as "workflow code" and "configuration" for the fingerprint.
# Developer tools live in tools/, outside these folders: editing one never makes a new run.
CODE_GLOBS = ("Snakefile", "rules/*.smk", "scripts/**/*.py", "scripts/**/*.j2")
CONFIG_GLOBS = ("config/**/*.yaml", "config/**/*.yml", "config/**/*.json", "config/**/*.sql")


def _glob_files(root: Path, patterns: tuple[str, ...]) -> list[Path]:
    found: set[Path] = set()
    for pattern in patterns:
        found.update(p.relative_to(root) for p in root.glob(pattern) if p.is_file())
    return sorted(p for p in found if "__pycache__" not in p.parts)


class Workspace:
    """The working directory (the current one) as one invocation sees it.

    ``config`` is the validated Snakemake config; ``code_root`` is the Snakefile's folder.
    """

    def __init__(self, config: dict, code_root: Path):
        self.config = config
        self.code_root = code_root
        self.raw_dir = Path(config["raw_dir"])
        self.requested_run_id = config.get("run_id") or ""
        if self.requested_run_id:
            ids.validate_run_id(self.requested_run_id)

    @cached_property
    def raw_files(self) -> list[RawFile]:
        """The raw CSVs present now (a clear error when there are none)."""
        return discover_raw_files(self.raw_dir)

    @cached_property
    def fingerprint(self) -> Fingerprint:
        """The fingerprint of the current raw files, code and config (computed once)."""
        cache = DigestCache(Path(DIGEST_CACHE))
        fp = compute_fingerprint(
            raw_files=[r.path for r in self.raw_files],
            code_root=self.code_root,
            code_files=_glob_files(self.code_root, CODE_GLOBS),
            config_files=_glob_files(Path("."), CONFIG_GLOBS),
            effective_config={k: v for k, v in self.config.items() if k != "run_id"},
            cache=cache,
            software=software_versions(),
        )
        cache.save()
        return fp

    @cached_property
    def run_id(self) -> str:
        """The run this invocation targets: the requested one, a matching one, or a new one."""
        if self.requested_run_id:
            return self.requested_run_id
        combined = self.fingerprint.combined
        return manifests.find_run(combined) or ids.mint_run_id(combined)

    def describe_choice(self, exists: bool) -> str:
        """One line for the console saying which run is targeted and why (``exists``: whether
        the run has a manifest already)."""
        run_id = self.run_id
        if self.requested_run_id:
            why = (
                "targeting this existing run (only missing artifacts are built)"
                if exists
                else "new run with an explicit id, from the current raw files, code and config"
            )
        else:
            why = (
                "reusing the run made from the same raw files, code, config and software"
                if exists
                else "new run (raw files, code, config or software differ from every earlier run)"
            )
        return f"Run {run_id}: {why}."

    def manifest(self, run_id: str, stored_at: Path | None = None) -> dict:
        """The run's manifest: the stored one (at ``stored_at`` when given), or the one a new
        run will get."""
        stored = manifests.read_manifest(run_id, path=stored_at)
        if stored is not None:
            return stored
        fp = self.fingerprint
        raw_files = []
        for r in self.raw_files:
            digest = fp.raw_files[r.path.as_posix()]
            raw_files.append(
                {"source": r.source, "file": r.file, "path": r.path.as_posix(), **digest}
            )
        return {
            "run_id": run_id,
            "minted_at": ids.run_time(run_id).isoformat(),
            "ingestion_date": ids.ingestion_date(run_id).isoformat(),
            "explicit_run_id": bool(self.requested_run_id),
            "fingerprint": fp.as_dict(),
            # What the fingerprint's software part covers, readable: why an upgrade made a new run.
            "software": fp.software_versions,
            "raw_files": raw_files,
            # Later layers check that the contracts they use are the ones the run was made with.
            "config_files": fp.config_files,
            # The effective config (config.yaml plus --config): a run is only ever targeted
            # again with the same one (manifests.check_run_config).
            "effective_config": manifests.run_config(self.config),
            "pipeline_version": __version__,
        }
