"""Reading and writing the files every layer writes: YAML, JSON, text, atomically.

The one YAML loader and the one JSON reader of the package live here: YAML is always read with
the safe loader (no Python objects), in its C version when PyYAML has it.

A reader never sees a half-written file: each write goes to a temporary file in the same
folder, then replaces the target in one step.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from warehouse.core.errors import PipelineError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def utc_now() -> str:
    """The current UTC time as an ISO 8601 string with seconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` for the body to write; it then replaces ``path`` in one
    step. A crash never leaves a half-written artifact, and a failed write (a full disk) leaves
    neither the target nor the temporary file behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise PipelineError(
                f"Could not write {path}: {exc.strerror} (the disk or your quota is full). "
                "Free some space there, then run `snakemake all` again: it completes the same "
                "run."
            ) from exc
        raise
    finally:
        tmp.unlink(missing_ok=True)


def _atomic_write(path: Path, text: str) -> None:
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_yaml(path: Path, data: object) -> None:
    """Write ``data`` as block-style YAML, keys in the order given."""
    _atomic_write(path, yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True))


def read_yaml(path: Path) -> object:
    """Read YAML safely (no Python objects)."""
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_Loader)


class YAMLAliasError(yaml.YAMLError):
    """A YAML file uses an alias (``*name``) where aliases are refused."""


def read_yaml_without_aliases(path: Path) -> object:
    """Read YAML safely and refuse any alias (``*name``, also in ``<<: *name`` merges).

    For files a person writes and a job validates (contracts): a few lines of aliases can stand
    for billions of values (a "billion laughs" file), which the first message that prints the
    value, or the first walk over it, expands. Aliases are found in the event stream, before
    anything is built.
    """
    text = Path(path).read_text(encoding="utf-8")
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark
            raise YAMLAliasError(
                f"line {mark.line + 1}, column {mark.column + 1}: the alias *{event.anchor} "
                "repeats another part of the file, and aliases are not allowed here. Write the "
                "value out instead of using &anchor / *alias."
            )
    return yaml.load(text, Loader=_Loader)


def parse_yaml(text: str) -> object:
    """Parse YAML text safely (no Python objects); raises ``yaml.YAMLError`` when it is not."""
    return yaml.load(text, Loader=_Loader)


def read_json(path: Path) -> object:
    """Read a UTF-8 JSON file."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def write_json(path: Path, data: object) -> None:
    """Write ``data`` as indented UTF-8 JSON."""
    _atomic_write(path, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def write_text(path: Path, text: str) -> None:
    """Write a text artifact atomically."""
    _atomic_write(path, text)
