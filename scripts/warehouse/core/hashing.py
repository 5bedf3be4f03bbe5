"""SHA-256 of files, texts and listings, and a stat-keyed cache of file digests.

Hashing a large raw export on every invocation would make a no-op slow, so file digests are
cached by (path, size, mtime, inode): a file whose stat is unchanged is not read again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def sha256_text(text: str) -> str:
    """Hex SHA-256 of a UTF-8 string."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DigestCache:
    """File digests remembered by stat signature, persisted as a small JSON file.

    A corrupt or unreadable cache is ignored (it is only a cache), never an error.
    """

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, dict] = {}
        self.dirty = False
        if path and path.is_file():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    self.entries = loaded
            except (OSError, ValueError):
                self.entries = {}

    def digest(self, path: Path) -> str:
        """SHA-256 of ``path``, from the cache when its size, mtime and inode are unchanged."""
        st = path.stat()
        signature = [st.st_size, st.st_mtime_ns, st.st_ino]
        key = str(path)
        entry = self.entries.get(key)
        if entry and entry.get("stat") == signature:
            return entry["sha256"]
        value = sha256_file(path)
        self.entries[key] = {"stat": signature, "sha256": value}
        self.dirty = True
        return value

    def save(self) -> None:
        """Write the cache atomically if anything was added (best effort)."""
        if not (self.path and self.dirty):
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(self.entries, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
            self.dirty = False
        except OSError:  # a full disk, say: the cache only speeds things up
            tmp.unlink(missing_ok=True)


def digest_listing(files: Mapping[str, str]) -> str:
    """One SHA-256 over a {relative path: file sha256} listing, independent of order."""
    return sha256_text("".join(f"{name}\t{files[name]}\n" for name in sorted(files)))


def canonical_json(value: object) -> str:
    """A stable JSON text for hashing a config value (sorted keys, no spaces)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
