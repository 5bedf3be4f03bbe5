"""The software a run was made with: Python, the platform and the versions of the libraries
that shape its results (recorded in every layer's metadata).

:func:`software_versions` is the part of the run's fingerprint that covers software (ADR 0002):
the versions of Python, of the project and of the libraries that change what a run produces, so
an upgrade makes a new run instead of completing an old one with different code. Versions come
from the installed distributions' metadata (``importlib.metadata``), as pip sees them.
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata as importlib_metadata

from warehouse import __project__, __version__

# The libraries whose version changes a run's results: the workflow engine, the table and
# Parquet libraries, and the YAML reader of contracts and config.
RESULT_PACKAGES = ("snakemake", "duckdb", "pandas", "pyarrow", "numpy", "pyyaml")
# Recorded in metadata too (reports, validation, the model client, lineage, .env), not
# fingerprinted: they shape how results are shown and sent, not what they are.
PACKAGES = (
    *RESULT_PACKAGES,
    "jinja2",
    "jsonschema",
    "openai",
    "openlineage-python",
    "python-dotenv",
)


def package_versions(names: tuple[str, ...]) -> dict[str, str | None]:
    """The installed version of each distribution (None when it is not installed)."""
    versions = {}
    for name in names:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def software_versions() -> dict[str, str | None]:
    """What the software part of the fingerprint covers: Python, this project, and the
    libraries that shape results."""
    return {
        "python": platform.python_version(),
        __project__: __version__,
        **package_versions(RESULT_PACKAGES),
    }


def environment() -> dict:
    """Python, platform and package versions: what a reviewer needs to reproduce a run."""
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "packages": package_versions(PACKAGES),
    }
