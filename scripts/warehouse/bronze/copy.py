"""Bronze: byte-exact, verified copies of the raw files, and the facts a loader needs about them.

The copy is streamed in chunks: one pass hashes the bytes, counts line breaks and checks the
encoding, so a 500 MB export is never held in memory. The copy is checked twice: against the
SHA-256 the run's manifest recorded for the raw file (the file must not have changed since the
run was minted) and against the raw file's stat before and after (it must not change while it
is being copied).

A run that differs from an earlier one only in code or config would otherwise store every
unchanged export again. Bronze copies are immutable, so an identical copy of an earlier run is
hard-linked instead (same inode, no new bytes on disk), after checking that it still hashes to
the expected SHA-256; any failure (another file system, a modified or missing file) falls back
to a real copy. Snakemake touches every output after its job, so a link also moves the earlier
copy's mtime: the Silver rule therefore reads Bronze copies as ``ancient()`` inputs and takes
its rebuild signal from the per-file metadata, which is never shared.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import errno
import hashlib
import os
import re
import time
from pathlib import Path

from warehouse.core import paths
from warehouse.core.encoding import detect_encoding
from warehouse.core.errors import PipelineError
from warehouse.core.io import utc_now
from warehouse.run import manifests
from warehouse.run.sources import table_name

CHUNK = 1 << 20


DELIMITERS = (",", ";", "\t", "|")


HEADER_LIMIT = 1 << 16
SAMPLE_LIMIT = 1 << 16
_NON_ASCII_LINE = re.compile(rb"[^\r\n]*[\x80-\xff][^\r\n]*")


class _Scanner:
    """Accumulates hash, line-break counts and encoding facts over a stream of chunks.

    Line breaks are counted in bytes, except in a UTF-16 file (found by its byte order mark):
    there a line break is two bytes and a 0x0A byte may be half of another character, so its
    text is decoded as it streams by and the breaks are counted in that.
    """

    def __init__(self) -> None:
        self.sha = hashlib.sha256()
        self.size = 0
        self.lf = 0
        self.cr = 0
        self.crlf = 0
        self.nul = False
        self.head = b""
        self.last: bytes | str = b""
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.utf8_error: str | None = None
        self.non_ascii = False
        # Lines with non-ASCII bytes from the first byte that is not UTF-8 on: what the
        # encoding is decided on (warehouse.bronze.encoding).
        self.sample = b""
        self.utf16 = None  # the incremental decoder of a UTF-16 file

    def feed(self, chunk: bytes) -> None:
        self.sha.update(chunk)
        if self.size == 0 and _is_utf16(chunk):
            self.utf16 = codecs.getincrementaldecoder("utf-16")("replace")
        if len(self.head) < HEADER_LIMIT:
            self.head += chunk[: HEADER_LIMIT - len(self.head)]
        if self.utf16 is not None:
            self._count(self.utf16.decode(chunk))
        else:
            self._count(chunk)
            self.non_ascii = self.non_ascii or not chunk.isascii()
            self._check_utf8(chunk)
        self.size += len(chunk)

    def _count(self, data: bytes | str) -> None:
        lf, cr = ("\n", "\r") if isinstance(data, str) else (b"\n", b"\r")
        if not data:
            return
        if self.last == cr and data[:1] == lf:
            self.crlf += 1
        self.lf += data.count(lf)
        self.cr += data.count(cr)
        self.crlf += data.count(cr + lf)
        self.nul = self.nul or ("\x00" if isinstance(data, str) else b"\x00") in data
        self.last = data[-1:]

    def _check_utf8(self, chunk: bytes) -> None:
        if self.utf8_error is None:
            try:
                self.decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                self.utf8_error = f"not valid UTF-8 at byte {self.size + exc.start}"
                # exc.start may count up to 3 bytes the decoder held back from the last chunk.
                self._collect(chunk[chunk.rfind(b"\n", 0, max(exc.start - 3, 0)) + 1 :])
        elif len(self.sample) < SAMPLE_LIMIT and not chunk.isascii():
            self._collect(chunk)

    def _collect(self, data: bytes) -> None:
        for match in _NON_ASCII_LINE.finditer(data):
            self.sample += match.group() + b"\n"
            if len(self.sample) >= SAMPLE_LIMIT:
                break

    def finish(self) -> None:
        if self.utf16 is not None:
            self._count(self.utf16.decode(b"", final=True))
        elif self.utf8_error is None:
            try:
                self.decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.utf8_error = f"not valid UTF-8: truncated character at byte {self.size}"


def _is_utf16(head: bytes) -> bool:
    # A UTF-32 little-endian mark starts like a UTF-16 one; it stays a file with NUL bytes.
    marks = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    return head[:2] in marks and head[:4] != codecs.BOM_UTF32_LE


def copy_verified(src: Path, dest: Path, expected_sha256: str | None = None) -> dict:
    """Store ``src`` at ``dest`` byte for byte and describe it; raise PipelineError on drift.

    With ``expected_sha256``, an identical Bronze copy of an earlier run is hard-linked instead
    of copied (see the module docstring); the facts say which (``stored_as``: ``hardlink`` or
    ``copy``, ``linked_from``: the earlier copy or None). Either way the file is written to a
    temporary name and renamed into place only when every check passed, so a failure never
    leaves a file that looks complete.
    """
    src, dest = Path(src), Path(dest)
    try:
        before = src.stat()
    except OSError as exc:
        error = _unreadable(src, exc)
        if error is None:
            raise
        raise error from exc
    dest.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    linked_from = None
    scanner = None
    if expected_sha256:
        for candidate in identical_copies(expected_sha256, exclude=dest):
            scanner = _link_verified(candidate, dest, expected_sha256)
            if scanner is not None:
                linked_from = candidate
                break
    if scanner is None:
        scanner = _copy_checked(src, dest, before, expected_sha256)
    facts = describe(scanner)
    facts.update(
        size_bytes=scanner.size,
        sha256=scanner.sha.hexdigest(),
        source_mtime=dt.datetime.fromtimestamp(before.st_mtime, dt.UTC).isoformat(),
        copy_seconds=round(time.perf_counter() - started, 4),
        stored_as="hardlink" if linked_from else "copy",
        linked_from=linked_from.as_posix() if linked_from else None,
    )
    return facts


def copy_raw_file(
    manifest: dict, source: str, file: str, raw_path: str | Path, data_path: str | Path
) -> dict:
    """Copy the raw file ``file`` of ``source`` to its Bronze path ``data_path``, verified
    against the SHA-256 the run's ``manifest`` recorded for it; its Bronze file metadata."""
    expected = next(
        (f["sha256"] for f in manifest["raw_files"] if (f["source"], f["file"]) == (source, file)),
        None,
    )
    copied_at = utc_now()
    facts = copy_verified(raw_path, data_path, expected_sha256=expected)
    return {
        "source": source,
        "file": file,
        "table": table_name(source, file),
        "raw_path": str(raw_path),
        "path": str(data_path),
        "source_sha256": expected,
        "copied_at": copied_at,
        **facts,
    }


def _copy_checked(src: Path, dest: Path, before: os.stat_result, expected: str | None):
    """Copy ``src`` to ``dest`` through a temporary file; the finished scan of its bytes."""
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    scanner = _Scanner()
    try:
        try:
            with open(src, "rb") as fin, open(tmp, "wb") as fout:
                while chunk := fin.read(CHUNK):
                    scanner.feed(chunk)
                    fout.write(chunk)
        except OSError as exc:
            error = _unreadable(src, exc, dest)
            if error is None:
                raise
            raise error from exc
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
        if expected and digest != expected:
            raise PipelineError(
                f"Raw file {src} is not the file this run was made from: its SHA-256 is "
                f"{digest}, the run's manifest recorded {expected}. A run is an "
                "immutable snapshot: run without run_id to make a new run from the current "
                "raw files, or restore the original file to complete the old run."
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return scanner


def _unreadable(src: Path, exc: OSError, dest: Path | None = None) -> PipelineError | None:
    """The error a user sees when the raw file cannot be read or the Bronze copy cannot be
    written for lack of space; None for any other error (it is raised as it is)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return PipelineError(
            f"Could not write the Bronze copy {dest}: {exc.strerror} (the disk or your quota is "
            "full). Free some space there, then run `snakemake all` again: it completes the "
            "same run."
        )
    if exc.filename is not None and Path(exc.filename) != src:
        return None
    if isinstance(exc, FileNotFoundError):
        return PipelineError(
            f"Raw file {src} no longer exists: it was there when the run's manifest was "
            "written. Restore it (or wait until the export has finished moving), then run "
            "`snakemake all` again: it completes the same run."
        )
    return PipelineError(
        f"Raw file {src} cannot be read ({exc.strerror}). Give the user running the pipeline "
        f"read access (e.g. chmod a+r '{src}'), then run `snakemake all` again."
    )


def identical_copies(sha256: str, exclude: Path, root: str | Path = "."):
    """Bronze copies of recorded runs in the workspace ``root`` whose raw file had this SHA-256
    and that still exist with the recorded size, newest run first; ``exclude`` (the copy being
    made) is never one.

    A generator, so the caller stops reading manifests at the first copy it can use. Only what
    the manifests say is trusted here; the caller verifies the bytes. A manifest that cannot be
    read is skipped: it only means a missed chance to share a file.
    """
    seen: set[Path] = set()
    for run_id in reversed(manifests.list_run_ids(root)):
        try:
            manifest = manifests.read_manifest(run_id, root) or {}
        except (PipelineError, OSError, ValueError):
            continue
        for record in manifest.get("raw_files") or []:
            if not isinstance(record, dict) or record.get("sha256") != sha256:
                continue
            candidate = paths.at(
                paths.BRONZE_DATA,
                root,
                run_id=run_id,
                source=str(record.get("source")),
                file=str(record.get("file")),
            )
            if candidate in seen or candidate.resolve() == Path(exclude).resolve():
                continue
            seen.add(candidate)
            if candidate.is_file() and candidate.stat().st_size == record.get("size"):
                yield candidate


def _link_verified(candidate: Path, dest: Path, expected: str) -> _Scanner | None:
    """Hard-link ``candidate`` to ``dest`` if its bytes hash to ``expected``; the finished scan
    of the linked file, or None (nothing left behind) when it could not be used."""
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.link")
    try:
        tmp.unlink(missing_ok=True)
        os.link(candidate, tmp)
        # The scan is the verification (and gives the same facts as a copy would): read the
        # link, not the candidate's path, so what is checked is exactly what will be in place.
        scanner = _Scanner()
        with open(tmp, "rb") as handle:
            while chunk := handle.read(CHUNK):
                scanner.feed(chunk)
        scanner.finish()
        if scanner.sha.hexdigest() != expected:
            return None
        os.replace(tmp, dest)
        return scanner
    except OSError:
        return None  # cross-device, no hard links on this file system, permissions, ...
    finally:
        tmp.unlink(missing_ok=True)


def describe(scanner: _Scanner) -> dict:
    """Encoding (with its confidence), delimiter, line ending, header and row count from a
    finished scan."""
    bom = scanner.head.startswith(codecs.BOM_UTF8)
    confidence = 1.0
    if scanner.utf16 is not None:
        encoding = "binary" if scanner.nul else "utf-16"
    elif scanner.nul:
        encoding = "binary"
    elif scanner.utf8_error:
        encoding, confidence = detect_encoding(scanner.sample)
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
    ends_with_newline = scanner.last in (b"\n", b"\r", "\n", "\r")
    lines = breaks + (1 if scanner.size and not ends_with_newline else 0)
    header_text = _first_line(scanner.head, _text_codec(encoding))
    delimiter = _guess_delimiter(header_text)
    header = _split_header(header_text, delimiter)
    facts = {
        "encoding": encoding,
        "bom": bom or encoding == "utf-16",
        "delimiter": delimiter,
        "line_ending": line_ending,
        "ends_with_newline": ends_with_newline,
        "header": header,
        "columns": len(header),
        "lines": lines,
        "data_rows": max(lines - 1, 0),
    }
    if encoding != "binary":
        facts["encoding_confidence"] = confidence
    if scanner.utf8_error and encoding != "binary":
        facts["encoding_note"] = scanner.utf8_error
    if scanner.nul:
        facts["encoding_note"] = "contains NUL bytes: this is not a text file"
    return facts


def _text_codec(encoding: str) -> str:
    """The codec that decodes a file Bronze described with ``encoding`` (as far as it can)."""
    return "utf-8" if encoding in ("ascii", "utf-8", "utf-8-sig", "binary") else encoding


def _first_line(head: bytes, encoding: str) -> str:
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    for sep in ("\r\n", "\n", "\r"):
        text = text.split(sep, 1)[0]
    return text


def _split_header(header: str, delimiter: str) -> list[str]:
    """The header's column names, read with the CSV rules (a quoted name may hold a comma)."""
    if not header:
        return []
    try:
        names = next(csv.reader([header], delimiter=delimiter))
    except csv.Error:  # a header Silver will refuse with its own message; describe it as is
        names = header.split(delimiter)
    return [n.strip() for n in names]


def _guess_delimiter(header: str) -> str:
    """The candidate delimiter that occurs most often in the header outside quoted names
    (``,`` on a tie or none)."""
    bare = re.sub(r'"[^"]*"', "", header)
    counts = {d: bare.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","
