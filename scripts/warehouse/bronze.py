"""Bronze: byte-exact, verified copies of the raw files, and the facts a loader needs about them.

The copy is streamed in chunks: one pass hashes the bytes, counts line breaks and checks the
encoding, so a 500 MB export is never held in memory. The copy is checked twice: against the
SHA-256 the run's manifest recorded for the raw file (the file must not have changed since the
run was minted) and against the raw file's stat before and after (it must not change while it
is being copied).
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import os
import time
from pathlib import Path

from warehouse.errors import PipelineError

CHUNK = 1 << 20
DELIMITERS = (",", ";", "\t", "|")
HEADER_LIMIT = 1 << 16


class _Scanner:
    """Accumulates hash, line-break counts and encoding facts over a stream of chunks."""

    def __init__(self) -> None:
        self.sha = hashlib.sha256()
        self.size = 0
        self.lf = 0
        self.cr = 0
        self.crlf = 0
        self.nul = False
        self.head = b""
        self.last = b""
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.utf8_error: str | None = None
        self.non_ascii = False

    def feed(self, chunk: bytes) -> None:
        self.sha.update(chunk)
        if self.last == b"\r" and chunk[:1] == b"\n":
            self.crlf += 1
        self.lf += chunk.count(b"\n")
        self.cr += chunk.count(b"\r")
        self.crlf += chunk.count(b"\r\n")
        self.nul = self.nul or b"\x00" in chunk
        self.non_ascii = self.non_ascii or not chunk.isascii()
        if len(self.head) < HEADER_LIMIT:
            self.head += chunk[: HEADER_LIMIT - len(self.head)]
        if self.utf8_error is None:
            try:
                self.decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                self.utf8_error = f"not valid UTF-8 at byte {self.size + exc.start}"
        self.size += len(chunk)
        self.last = chunk[-1:]

    def finish(self) -> None:
        if self.utf8_error is None:
            try:
                self.decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.utf8_error = f"not valid UTF-8: truncated character at byte {self.size}"


def copy_verified(src: Path, dest: Path, expected_sha256: str | None = None) -> dict:
    """Copy ``src`` to ``dest`` byte for byte and describe it; raise PipelineError on drift.

    The copy is written to a temporary name and renamed into place only when every check
    passed, so a failed copy never leaves a file that looks complete.
    """
    src, dest = Path(src), Path(dest)
    before = src.stat()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    scanner = _Scanner()
    started = time.perf_counter()
    try:
        with open(src, "rb") as fin, open(tmp, "wb") as fout:
            while chunk := fin.read(CHUNK):
                scanner.feed(chunk)
                fout.write(chunk)
        scanner.finish()
        after = src.stat()
        if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or (
            scanner.size != after.st_size
        ):
            raise PipelineError(
                f"Raw file {src} changed while it was being copied (size {before.st_size} -> "
                f"{after.st_size} bytes). Wait until the export has finished writing, then run "
                "the pipeline again."
            )
        digest = scanner.sha.hexdigest()
        if expected_sha256 and digest != expected_sha256:
            raise PipelineError(
                f"Raw file {src} is not the file this run was made from: its SHA-256 is "
                f"{digest}, the run's manifest recorded {expected_sha256}. A run is an "
                "immutable snapshot: run without run_id to make a new run from the current "
                "raw files, or restore the original file to complete the old run."
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    facts = describe(scanner)
    facts.update(
        size_bytes=scanner.size,
        sha256=digest,
        source_mtime=dt.datetime.fromtimestamp(before.st_mtime, dt.UTC).isoformat(),
        copy_seconds=round(time.perf_counter() - started, 4),
    )
    return facts


def describe(scanner: _Scanner) -> dict:
    """Encoding, delimiter, line ending, header and row count from a finished scan."""
    bom = scanner.head.startswith(codecs.BOM_UTF8)
    if scanner.nul:
        encoding = "binary"
    elif scanner.utf8_error:
        encoding = "latin-1"
    elif bom:
        encoding = "utf-8-sig"
    elif scanner.non_ascii:
        encoding = "utf-8"
    else:
        encoding = "ascii"
    lone_lf = scanner.lf - scanner.crlf
    lone_cr = scanner.cr - scanner.crlf
    kinds = [name for name, n in (("CRLF", scanner.crlf), ("LF", lone_lf), ("CR", lone_cr)) if n]
    line_ending = "none" if not kinds else kinds[0] if len(kinds) == 1 else "mixed"
    breaks = scanner.crlf + lone_lf + lone_cr
    ends_with_newline = scanner.last in (b"\n", b"\r")
    lines = breaks + (1 if scanner.size and not ends_with_newline else 0)
    header_text = _first_line(scanner.head, "latin-1" if encoding == "latin-1" else "utf-8")
    delimiter = _guess_delimiter(header_text)
    header = [h.strip() for h in header_text.split(delimiter)] if header_text else []
    facts = {
        "encoding": encoding,
        "bom": bom,
        "delimiter": delimiter,
        "line_ending": line_ending,
        "ends_with_newline": ends_with_newline,
        "header": header,
        "columns": len(header),
        "lines": lines,
        "data_rows": max(lines - 1, 0),
    }
    if scanner.utf8_error:
        facts["encoding_note"] = scanner.utf8_error
    if scanner.nul:
        facts["encoding_note"] = "contains NUL bytes: this is not a text file"
    return facts


def _first_line(head: bytes, encoding: str) -> str:
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    for sep in ("\r\n", "\n", "\r"):
        text = text.split(sep, 1)[0]
    return text


def _guess_delimiter(header: str) -> str:
    """The candidate delimiter that occurs most often in the header (``,`` on a tie or none)."""
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def file_warnings(meta: dict) -> list[str]:
    """Facts about a copied file that the Silver layer (or a person) should know about."""
    where = f"{meta['source']}/{meta['file']}"
    warnings = []
    if meta["size_bytes"] == 0:
        warnings.append(f"{where} is empty (no header, no rows).")
    elif meta["data_rows"] == 0:
        warnings.append(f"{where} has a header but no data rows.")
    if meta["encoding"] == "binary":
        warnings.append(f"{where} contains NUL bytes: it is probably not a CSV export.")
    elif meta["encoding"] == "latin-1":
        warnings.append(f"{where} is not valid UTF-8 ({meta.get('encoding_note')}).")
    if meta["line_ending"] == "mixed":
        warnings.append(f"{where} mixes line endings.")
    if meta["size_bytes"] and not meta["ends_with_newline"]:
        warnings.append(f"{where} has no line break after its last row (kept as is).")
    return warnings


def layer_metadata(manifest: dict, files: list[dict], environment: dict, now: str) -> dict:
    """The Bronze layer's ``metadata.yaml`` from the run manifest and the per-file metadata."""
    warnings = [w for meta in files for w in file_warnings(meta)]
    return {
        "schema_version": 1,
        "layer": "bronze",
        "run_id": manifest["run_id"],
        "status": "complete",
        "ingestion_date": manifest["ingestion_date"],
        "created_at": now,
        "fingerprint": manifest["fingerprint"],
        "environment": environment,
        "timings": {
            "copy_seconds_total": round(sum(m["copy_seconds"] for m in files), 4),
            "first_copy_at": min((m["copied_at"] for m in files), default=None),
            "last_copy_at": max((m["copied_at"] for m in files), default=None),
        },
        "totals": {
            "files": len(files),
            "sources": sorted({m["source"] for m in files}),
            "data_rows": sum(m["data_rows"] for m in files),
            "size_bytes": sum(m["size_bytes"] for m in files),
        },
        "warnings": warnings,
        "files": files,
    }


def run_log(meta: dict) -> str:
    """The Bronze layer's ``run_log.txt``: one line per copied file, then the warnings."""
    lines = [
        f"{meta['created_at']} bronze layer of run {meta['run_id']}: {meta['totals']['files']} "
        f"files, {meta['totals']['data_rows']:,} data rows, {meta['totals']['size_bytes']:,} bytes"
    ]
    for f in meta["files"]:
        lines.append(
            f"{f['copied_at']} copied {f['raw_path']} -> {f['path']}: {f['size_bytes']:,} bytes, "
            f"{f['data_rows']:,} data rows, {f['columns']} columns, {f['encoding']}, "
            f"{f['line_ending']} line endings, sha256 {f['sha256']} ({f['copy_seconds']} s)"
        )
    lines += [f"WARNING {w}" for w in meta["warnings"]]
    return "\n".join(lines) + "\n"
