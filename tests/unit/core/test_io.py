"""Atomic writes: a reader never sees a half-written file, and a failed write leaves nothing."""

import errno
from pathlib import Path

import pytest

from warehouse.core import io
from warehouse.core.errors import PipelineError


def test_a_write_replaces_the_target_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "sub" / "index.html"
    io.write_text(target, "old")
    io.write_text(target, "new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["index.html"]


def _fail_with(code):
    def write_text(self, text, encoding=None):
        # Half the bytes reach the disk, then the disk is full: a torn temporary file.
        with open(self, "w", encoding=encoding) as handle:
            handle.write(text[: len(text) // 2])
        raise OSError(code, "No space left on device")

    return write_text


def test_a_full_disk_is_a_clear_error_and_leaves_neither_target_nor_temporary(
    tmp_path, monkeypatch
):
    target = tmp_path / "run.yaml"
    monkeypatch.setattr(Path, "write_text", _fail_with(errno.ENOSPC))
    with pytest.raises(PipelineError) as err:
        io.write_yaml(target, {"run_id": "x" * 100})
    message = str(err.value)
    assert f"Could not write {target}: No space left on device" in message
    assert "Free some space there, then run `snakemake all` again" in message
    assert list(tmp_path.iterdir()) == []  # no torn .run.yaml.<pid>.tmp


def test_a_full_disk_keeps_the_previous_version_of_the_target(tmp_path, monkeypatch):
    target = tmp_path / "runs.json"
    io.write_json(target, {"runs": [1]})
    monkeypatch.setattr(Path, "write_text", _fail_with(errno.EDQUOT))
    with pytest.raises(PipelineError, match="quota is full"):
        io.write_json(target, {"runs": [1, 2]})
    assert io.read_json(target) == {"runs": [1]}
    assert [p.name for p in tmp_path.iterdir()] == ["runs.json"]


def test_other_write_errors_are_not_disguised_but_still_clean_up(tmp_path, monkeypatch):
    monkeypatch.setattr(Path, "write_text", _fail_with(errno.EIO))
    with pytest.raises(OSError) as err:
        io.write_text(tmp_path / "x.txt", "text")
    assert not isinstance(err.value, PipelineError) and err.value.errno == errno.EIO
    assert list(tmp_path.iterdir()) == []
