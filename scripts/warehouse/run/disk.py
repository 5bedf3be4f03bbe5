"""Disk use of a run and of the whole artifacts tree, counting every inode once.

Identical Bronze copies of different runs are hard links to one inode (see ``bronze.py``), so
adding up file sizes would count the same bytes once per run. Here every inode counts once, by
apparent size (``st_size``):

- a run's ``apparent_bytes`` is what its files hold;
- ``unique_bytes`` is the part only this run's files reference: what deleting the run frees;
- ``shared_bytes`` is the part whose inode has links outside the run (hard links from other
  runs' Bronze layers): already paid for by another run.

Only the file system is read (``lstat``), never file contents, so measuring a large run is cheap.
"""

from __future__ import annotations

import os
from pathlib import Path

from warehouse.core import paths

# The folders that hold a run's files, by layer (every path of a run contains its id).
RUN_FOLDERS = {
    "orchestrator": paths.RUN_DIR,
    "bronze": paths.BRONZE_DIR,
    "silver": paths.SILVER_DIR,
    "gold": paths.GOLD_DIR,
    "reports": paths.REPORTS_DIR,
}


def _regular_files(folder: Path):
    """(path, lstat) of every regular file under ``folder`` (symbolic links are not followed)."""
    for dirpath, _dirnames, filenames in os.walk(folder):
        for name in filenames:
            path = Path(dirpath) / name
            try:
                st = path.lstat()
            except OSError:
                continue  # removed while we walk: it no longer uses disk
            if path.is_symlink():
                continue
            yield path, st


def _empty() -> dict:
    return {"files": 0, "apparent_bytes": 0, "unique_bytes": 0, "shared_bytes": 0}


def run_disk_usage(run_id: str, root: Path = Path(".")) -> dict:
    """Bytes on disk of one run's files (``root`` is the working directory).

    Returns ``{"run_id", "files", "apparent_bytes", "unique_bytes", "shared_bytes",
    "shared_files", "layers": [{"layer", "files", "apparent_bytes", "unique_bytes",
    "shared_bytes"}, ...]}``; ``apparent_bytes == unique_bytes + shared_bytes``.
    """
    # First pass: every inode the run references, how many of its links are in the run.
    inodes: dict[tuple[int, int], dict] = {}
    files_per_layer = dict.fromkeys(RUN_FOLDERS, 0)
    for layer, template in RUN_FOLDERS.items():
        for _path, st in _regular_files(root / template.format(run_id=run_id)):
            files_per_layer[layer] += 1
            entry = inodes.setdefault(
                (st.st_dev, st.st_ino),
                {"layer": layer, "size": st.st_size, "nlink": st.st_nlink, "links_in_run": 0},
            )
            entry["links_in_run"] += 1
    # Second pass: each inode counts once, as unique when every link to it is in the run.
    layers = {layer: _empty() | {"files": n} for layer, n in files_per_layer.items()}
    shared_files = 0
    for entry in inodes.values():
        totals = layers[entry["layer"]]
        totals["apparent_bytes"] += entry["size"]
        if entry["links_in_run"] >= entry["nlink"]:
            totals["unique_bytes"] += entry["size"]
        else:
            totals["shared_bytes"] += entry["size"]
            shared_files += entry["links_in_run"]
    usage = {"run_id": run_id, **_empty(), "shared_files": shared_files}
    for totals in layers.values():
        for key in ("files", "apparent_bytes", "unique_bytes", "shared_bytes"):
            usage[key] += totals[key]
    usage["layers"] = [{"layer": layer, **totals} for layer, totals in layers.items()]
    return usage


def tree_disk_usage(artifacts: Path = Path(paths.ARTIFACTS)) -> dict:
    """Bytes on disk of everything under ``artifacts``: ``listed_bytes`` adds up every file's
    size, ``apparent_bytes`` counts each inode once, ``saved_bytes`` is what hard links save."""
    seen: set[tuple[int, int]] = set()
    files = listed = apparent = 0
    for _path, st in _regular_files(Path(artifacts)):
        files += 1
        listed += st.st_size
        key = (st.st_dev, st.st_ino)
        if key not in seen:
            seen.add(key)
            apparent += st.st_size
    return {
        "files": files,
        "inodes": len(seen),
        "listed_bytes": listed,
        "apparent_bytes": apparent,
        "saved_bytes": listed - apparent,
    }
