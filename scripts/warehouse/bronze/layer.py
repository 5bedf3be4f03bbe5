"""The Bronze layer's own files: ``metadata.yaml`` and ``run_log.txt`` from the per-file facts."""

from __future__ import annotations

from warehouse.core.encoding import DECIDED, UNICODE, label


def file_warnings(meta: dict) -> list[str]:
    """Facts about a copied file that the Silver layer (or a person) should know about."""
    where = f"{meta['source']}/{meta['file']}"
    warnings = []
    if meta["size_bytes"] == 0:
        warnings.append(f"{where} is empty (no header, no rows).")
    elif meta["data_rows"] == 0:
        warnings.append(f"{where} has a header but no data rows.")
    encoding = meta["encoding"]
    if encoding == "binary":
        warnings.append(f"{where} contains NUL bytes: it is probably not a CSV export.")
    elif encoding not in UNICODE:
        # Runs made before encodings were detected record no confidence: Latin-1, as read.
        confidence = meta.get("encoding_confidence", 1.0)
        read_as = f"it is read as {label(encoding)} (detected with confidence {confidence:.2f})"
        if confidence < DECIDED:
            warnings.append(
                f"{where} is not valid UTF-8 ({meta.get('encoding_note')}) and its encoding "
                f"could not be determined: {read_as}. Check its accented values, or re-export "
                "it as UTF-8."
            )
        else:
            warnings.append(f"{where} is not valid UTF-8 ({meta.get('encoding_note')}): {read_as}.")
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
        how = "copied"
        if f.get("stored_as") == "hardlink":
            how = f"linked (identical to {f['linked_from']}, no new bytes on disk)"
        lines.append(
            f"{f['copied_at']} {how} {f['raw_path']} -> {f['path']}: {f['size_bytes']:,} bytes, "
            f"{f['data_rows']:,} data rows, {f['columns']} columns, {f['encoding']}, "
            f"{f['line_ending']} line endings, sha256 {f['sha256']} ({f['copy_seconds']} s)"
        )
    lines += [f"WARNING {w}" for w in meta["warnings"]]
    return "\n".join(lines) + "\n"
