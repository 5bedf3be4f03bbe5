"""Shared fixtures: a throw-away copy of the project with small generated raw data.

End-to-end tests run the real ``snakemake`` command (from the same environment as pytest) in
such a copy, so they see exactly what a user sees, and never touch the repository's own
``raw/`` or ``artifacts/``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
import yaml

from sample_generator import generate
from warehouse.contracts.validation import load_contract
from warehouse.core.duck import session
from warehouse.core.parquet import to_frame
from warehouse.silver.cleaner import clean_table
from warehouse.silver.context import Context
from warehouse.silver.reader import load_bronze

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
PROJECT_PARTS = ("Snakefile", "rules", "scripts", "tools", "config", "profiles", "report")
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))


def copy_project(dest: Path) -> Path:
    """Copy the workflow (not raw data, artifacts or tests) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for part in PROJECT_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=ignore)
        else:
            shutil.copy2(src, dest / part)
    return dest


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """stdout and stderr together (Snakemake prints parse errors to stdout, job errors to
        stderr)."""
        return self.stdout + self.stderr


class Workspace:
    """A project copy in a temporary folder, with helpers to run snakemake in it."""

    def __init__(self, root: Path):
        self.root = root
        # The result of the invocation that built the workspace's first run, when a fixture did.
        self.first_result: Result | None = None

    def snakemake(self, *args: str, timeout: int = 300, env: dict | None = None) -> Result:
        """Run snakemake here. A model endpoint or key from the developer's environment is never
        passed on (tests must not call a real LLM service); ``env`` adds variables."""
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")
            },
            "PYTHONDONTWRITEBYTECODE": "1",
            **(env or {}),
        }
        proc = subprocess.run(
            [SNAKEMAKE, *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def run_ids(self) -> list[str]:
        root = self.root / "artifacts" / "orchestrator"
        return sorted(p.parent.name for p in root.glob("*/run.yaml")) if root.is_dir() else []

    def checksums(self, sub: str = "artifacts") -> dict[str, str]:
        """SHA-256 of every file under ``sub`` (relative path -> digest)."""
        base = self.root / sub
        return {
            p.relative_to(base).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(base.rglob("*"))
            if p.is_file() and ".cache" not in p.parts
        }


TINY_SCALE = 0.01  # the generator's floor: 60 customers, 40 product versions, 400 order lines


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A fresh project copy with a small generated raw/ folder (all six tables, all dirt)."""
    root = copy_project(tmp_path / "project")
    generate(root / "raw", scale=TINY_SCALE, seed=7)
    return Workspace(root)


@pytest.fixture(scope="session")
def complete_run(tmp_path_factory) -> Workspace:
    """One complete run of the small generated data, built once per test process (each
    pytest-xdist worker) and shared by every end-to-end module. Read only: a test that changes
    anything takes ``built_workspace`` (or ``copy_workspace``), a copy of it."""
    root = copy_project(tmp_path_factory.mktemp("complete_run") / "project")
    generate(root / "raw", scale=TINY_SCALE, seed=7)
    ws = Workspace(root)
    ws.first_result = ws.snakemake("all")
    assert ws.first_result.returncode == 0, ws.first_result.output
    return ws


def copy_workspace(ws: Workspace, dest: Path) -> Workspace:
    """A copy of ``ws`` at ``dest`` with the same files and modification times (so Snakemake
    sees its runs as they were), carrying the result of the run that built it."""
    shutil.copytree(ws.root, dest, symlinks=True)
    copy = Workspace(dest)
    copy.first_result = getattr(ws, "first_result", None)
    return copy


@pytest.fixture
def built_workspace(complete_run: Workspace, tmp_path: Path) -> Workspace:
    """A copy of the shared complete run, for one test to change (instead of a cold run)."""
    return copy_workspace(complete_run, tmp_path / "project")


@pytest.fixture(scope="session")
def scale_one_silver(tmp_path_factory):
    """All six tables cleaned from generated data at about the real export size: each
    ``clean_table`` result's fields, with ``table`` and ``quarantine`` read back as DataFrames."""
    raw = tmp_path_factory.mktemp("raw")
    generate(raw, scale=1, seed=42)
    results = {}
    for contract_path in sorted((REPO / "config" / "contracts" / "silver").glob("*.yaml")):
        contract = load_contract(contract_path, REPO / "config" / "contract.schema.yaml")
        src = raw / f"source_{contract['source']['source']}" / contract["source"]["file"]
        ctx = Context(table=contract["table"], ingestion_date=dt.date(2026, 11, 26))
        with session(label="scale-one") as con:
            result = clean_table(con, load_bronze(con, src), contract, ctx)
            frames = {
                "table": to_frame(con.table(result.relation).to_arrow_table()),
                "quarantine": to_frame(con.table(result.quarantine).to_arrow_table()),
            }
        results[contract["table"]] = SimpleNamespace(**{**vars(result), **frames})
    return results


def schema_validator(name: str) -> jsonschema.Draft202012Validator:
    """A validator for one of the documented artifact schemas (references resolved locally)."""
    from referencing import Registry, Resource

    schemas = REPO / "docs" / "schemas"
    registry = Registry().with_resources(
        (p.name, Resource.from_contents(json.loads(p.read_text())))
        for p in schemas.glob("*.schema.json")
    )
    schema = json.loads((schemas / name).read_text())
    return jsonschema.Draft202012Validator(schema, registry=registry)


def canonical_content(root: Path) -> dict[str, str]:
    """What a run holds, without timestamps: the SHA-256 of every Bronze copy and the
    ``content_sha256`` of every Silver table, quarantine and Gold mart (from their metadata)."""
    content = {}
    for path in sorted(root.glob("artifacts/bronze/*/files/*/*.yaml")):
        meta = yaml.safe_load(path.read_text())
        content[f"bronze/{meta['source']}/{meta['file']}"] = meta["sha256"]
    for layer, pattern in (
        ("silver", "artifacts/silver/*/tables/*.yaml"),
        ("gold", "artifacts/gold/marts/*/tables/*.yaml"),
    ):
        for path in sorted(root.glob(pattern)):
            meta = yaml.safe_load(path.read_text())
            for part, value in meta.items():
                if isinstance(value, dict) and "content_sha256" in value:
                    content[f"{layer}/{path.stem}/{part}"] = value["content_sha256"]
    return content


def earlier_run_files(ws: Workspace) -> dict[str, str]:
    """SHA-256 of every file of the workspace's first run (to prove it is never touched)."""
    run_id = ws.run_ids()[0]
    return {k: v for k, v in ws.checksums().items() if run_id in k}


@pytest.fixture
def case(complete_run: Workspace, tmp_path: Path) -> Workspace:
    """A bad-input case: a copy of the shared complete run that the test puts a file into.
    ``case.run_id`` is the earlier run, ``case.before`` the checksums of its files."""
    ws = copy_workspace(complete_run, tmp_path / "project")
    ws.run_id = ws.run_ids()[0]
    ws.before = earlier_run_files(ws)
    return ws


@pytest.fixture(autouse=True)
def no_traceback_on_the_console(request, monkeypatch):
    """In the real-export tests (tests/e2e/test_real_exports_*.py), every console output of
    every snakemake invocation is scanned: a bad export must never show a Python traceback."""
    if not request.module.__name__.startswith("test_real_exports"):
        yield
        return
    outputs: list[tuple[tuple, str]] = []
    invoke = Workspace.snakemake

    def scanned(self, *args, **kwargs):
        result = invoke(self, *args, **kwargs)
        outputs.append((args, result.output))
        return result

    monkeypatch.setattr(Workspace, "snakemake", scanned)
    yield
    shown = [(args, out[-2000:]) for args, out in outputs if "Traceback" in out]
    assert not shown, f"a traceback reached the console: {shown}"
