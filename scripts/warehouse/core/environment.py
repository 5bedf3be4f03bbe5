"""The software a run was made with: Python, the platform and the versions of the libraries
that shape its results (recorded in every layer's metadata).
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata as importlib_metadata

PACKAGES = ("snakemake", "pandas", "pyarrow", "numpy", "pyyaml", "jinja2", "jsonschema", "openai")


def environment() -> dict:
    """Python, platform and package versions: what a reviewer needs to reproduce a run."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "packages": versions,
    }
