"""Bronze copy: a raw file that vanished, cannot be read, or a full disk is a clear error."""

import builtins
import errno

import pytest

from warehouse.bronze import copy
from warehouse.core.errors import PipelineError


def test_a_raw_file_that_vanished_says_to_restore_it(tmp_path):
    with pytest.raises(PipelineError, match=r"no longer exists.*Restore it.*same run"):
        copy.copy_verified(tmp_path / "gone.csv", tmp_path / "bronze" / "gone.csv")


def test_an_unreadable_raw_file_says_how_to_fix_it(tmp_path, monkeypatch):
    # Tests run as root, whom chmod 000 does not stop: the open of the raw file fails instead.
    src = tmp_path / "cust_info.csv"
    src.write_text("a\n1\n")
    real_open = builtins.open

    def denied(path, *args, **kwargs):
        if str(path) == str(src):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(copy, "open", denied, raising=False)
    dest = tmp_path / "bronze" / "cust_info.csv"
    with pytest.raises(PipelineError, match=r"cannot be read \(Permission denied\).*chmod a\+r"):
        copy.copy_verified(src, dest)
    assert list(dest.parent.iterdir()) == []  # no partial copy left


def test_a_full_disk_during_the_copy_is_a_clear_error_and_leaves_nothing(tmp_path, monkeypatch):
    src = tmp_path / "cust_info.csv"
    src.write_text("a\n1\n")
    real_open = builtins.open

    class FullDisk:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, chunk):
            raise OSError(errno.ENOSPC, "No space left on device")

    def opener(path, mode="r", *args, **kwargs):
        handle = real_open(path, mode, *args, **kwargs)
        return FullDisk(handle) if "w" in mode else handle

    monkeypatch.setattr(copy, "open", opener, raising=False)
    dest = tmp_path / "bronze" / "cust_info.csv"
    with pytest.raises(PipelineError, match=r"Could not write the Bronze copy .*Free some space"):
        copy.copy_verified(src, dest)
    assert list(dest.parent.iterdir()) == []
