"""Fingerprints: SHA-256 over the raw files, the workflow code, the configuration and the
software (the versions of Python, the project and the libraries that shape results).

The combined fingerprint decides whether ``snakemake all`` reuses a run or mints a new one: an
upgraded pandas or pyarrow makes a new run, never completes an old one with other code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from warehouse.core.hashing import (
    DigestCache,
    canonical_json,
    digest_listing,
    sha256_file,
    sha256_text,
)


@dataclass(frozen=True)
class Fingerprint:
    """The fingerprint parts of a (raw data, code, config, software) snapshot."""

    raw: str
    code: str
    config: str
    software: str
    raw_files: dict[str, dict] = field(default_factory=dict)
    config_files: dict[str, str] = field(default_factory=dict)
    software_versions: dict[str, str | None] = field(default_factory=dict)

    @property
    def combined(self) -> str:
        """The fingerprint that keys the run (its first 8 hex digits end the run id)."""
        return sha256_text(
            f"raw:{self.raw}\ncode:{self.code}\nconfig:{self.config}\nsoftware:{self.software}\n"
        )

    def as_dict(self) -> dict:
        """The parts as stored in the run manifest."""
        return {
            "combined": self.combined,
            "raw": self.raw,
            "code": self.code,
            "config": self.config,
            "software": self.software,
        }


def compute_fingerprint(
    raw_files: Iterable[Path],
    code_root: Path,
    code_files: Iterable[Path],
    config_files: Iterable[Path],
    effective_config: Mapping,
    cache: DigestCache,
    software: Mapping[str, str | None],
) -> Fingerprint:
    """Fingerprint the raw files, code files, config (files plus the effective values) and
    software (name -> version, ``environment.software_versions()``).

    Raw and config paths are recorded as given (relative to the working directory), code paths
    relative to ``code_root`` (the Snakefile's folder), so two clones of the same project with
    the same data get the same fingerprint.
    """
    raw = {}
    for path in raw_files:
        raw[path.as_posix()] = {"sha256": cache.digest(path), "size": path.stat().st_size}
    code = {p.as_posix(): sha256_file(code_root / p) for p in code_files}
    files = {p.as_posix(): sha256_file(p) for p in config_files}
    effective = {"<effective config>": sha256_text(canonical_json(dict(effective_config)))}
    return Fingerprint(
        raw=digest_listing({k: v["sha256"] for k, v in raw.items()}),
        code=digest_listing(code),
        config=digest_listing(files | effective),
        software=sha256_text(canonical_json(dict(software))),
        raw_files=raw,
        config_files=files,
        software_versions=dict(software),
    )
