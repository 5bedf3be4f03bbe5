"""Fingerprints change exactly when raw data, code, config or software change; digests are
cached."""

import errno
import os
from importlib import metadata
from pathlib import Path

from warehouse.core import environment
from warehouse.core import hashing as fpmod
from warehouse.core.hashing import DigestCache
from warehouse.run.fingerprint import compute_fingerprint

SOFTWARE = {"python": "3.11.9", "smelthouse": "0.1.0", "pandas": "3.1.1", "pyarrow": "26.0.1"}


def _tree(root: Path) -> dict[str, list[Path]]:
    (root / "raw").mkdir(parents=True)
    (root / "code").mkdir()
    (root / "raw" / "a.csv").write_bytes(b"x,y\r\n1,2\r\n")
    (root / "code" / "rule.py").write_text("print('hi')\n")
    (root / "config.yaml").write_text("raw_dir: raw\n")
    return {
        "raw": [root / "raw" / "a.csv"],
        "code": [Path("rule.py")],
        "config": [root / "config.yaml"],
    }


def _fp(root, files, config=None, cache=None, software=None):
    return compute_fingerprint(
        raw_files=files["raw"],
        code_root=root / "code",
        code_files=files["code"],
        config_files=files["config"],
        effective_config=config or {"raw_dir": "raw"},
        cache=cache or DigestCache(None),
        software=software or SOFTWARE,
    )


def test_each_part_changes_only_with_its_inputs(tmp_path):
    files = _tree(tmp_path)
    base = _fp(tmp_path, files)
    assert _fp(tmp_path, files).combined == base.combined

    (tmp_path / "raw" / "a.csv").write_bytes(b"x,y\r\n1,3\r\n")
    changed_raw = _fp(tmp_path, files)
    assert changed_raw.raw != base.raw
    assert (changed_raw.code, changed_raw.config) == (base.code, base.config)

    (tmp_path / "code" / "rule.py").write_text("print('hi')  # a comment\n")
    changed_code = _fp(tmp_path, files)
    assert changed_code.code != changed_raw.code
    assert changed_code.raw == changed_raw.raw

    changed_config = _fp(tmp_path, files, config={"raw_dir": "other"})
    assert changed_config.config != changed_code.config
    assert changed_config.combined != changed_code.combined


def test_raw_file_record_has_size_and_sha256(tmp_path):
    files = _tree(tmp_path)
    fp = _fp(tmp_path, files)
    record = fp.raw_files[files["raw"][0].as_posix()]
    assert record == {"sha256": fpmod.sha256_file(files["raw"][0]), "size": 10}
    assert set(fp.as_dict()) == {"combined", "raw", "code", "config", "software"}


def test_a_library_upgrade_changes_only_the_software_part_and_the_combined(tmp_path):
    files = _tree(tmp_path)
    base = _fp(tmp_path, files)
    upgraded = _fp(tmp_path, files, software=SOFTWARE | {"pandas": "3.2.0"})
    assert upgraded.software != base.software
    assert upgraded.combined != base.combined  # a new run, never the old one completed
    assert (upgraded.raw, upgraded.code, upgraded.config) == (base.raw, base.code, base.config)
    assert upgraded.software_versions["pandas"] == "3.2.0"
    # The order the versions are listed in does not matter.
    reordered = dict(reversed(list(SOFTWARE.items())))
    assert _fp(tmp_path, files, software=reordered).combined == base.combined


def test_software_versions_cover_python_the_project_and_the_libraries_that_shape_results(
    monkeypatch,
):
    versions = environment.software_versions()
    assert set(versions) == {"python", "smelthouse", *environment.RESULT_PACKAGES}
    assert versions["pandas"] == metadata.version("pandas")
    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda n: "9.9" if n == "pyarrow" else real(n))
    assert environment.software_versions()["pyarrow"] == "9.9"


def test_a_library_that_is_not_installed_is_recorded_as_missing(monkeypatch):
    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", missing)
    assert environment.package_versions(("numpy",)) == {"numpy": None}


def test_unchanged_file_is_not_hashed_again(tmp_path, monkeypatch):
    files = _tree(tmp_path)
    cache_path = tmp_path / "cache.json"
    first = _fp(tmp_path, files, cache=_saved(DigestCache(cache_path)))
    calls = []
    real = fpmod.sha256_file
    monkeypatch.setattr(fpmod, "sha256_file", lambda p: calls.append(Path(p)) or real(p))

    cache = DigestCache(cache_path)
    assert _fp(tmp_path, files, cache=cache).raw == first.raw
    assert files["raw"][0] not in calls  # raw digest came from the cache

    # Same size, new content, new mtime: the cache notices and hashes again.
    raw = files["raw"][0]
    raw.write_bytes(b"x,y\r\n9,9\r\n")
    os.utime(raw, ns=(raw.stat().st_atime_ns, raw.stat().st_mtime_ns + 10**9))
    assert _fp(tmp_path, files, cache=DigestCache(cache_path)).raw != first.raw
    assert raw in calls


def test_corrupt_cache_is_ignored(tmp_path):
    files = _tree(tmp_path)
    cache_path = tmp_path / "cache.json"
    cache_path.write_text("{not json")
    assert _fp(tmp_path, files, cache=DigestCache(cache_path)).raw == _fp(tmp_path, files).raw


def _saved(cache: DigestCache) -> DigestCache:
    # Returned cache saves itself after the first fingerprint, as the workflow does.
    original = cache.digest

    def digest(path):
        value = original(path)
        cache.save()
        return value

    cache.digest = digest
    return cache


def test_a_cache_that_cannot_be_written_leaves_no_temporary_file(tmp_path, monkeypatch):
    cache = DigestCache(tmp_path / "cache.json")
    (tmp_path / "f").write_text("x")
    cache.digest(tmp_path / "f")

    def full_disk(self, *args, **kwargs):
        Path.write_bytes(self, b"{")  # a torn first part, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full_disk)
    cache.save()  # best effort: never an error
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]
