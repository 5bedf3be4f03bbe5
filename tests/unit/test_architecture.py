"""The package's shape, as ADR 0010 describes it: every import points down a floor, no import
circles, no hidden imports of our own modules, no module over 400 lines, and no path built by
hand outside the path catalog."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "scripts" / "warehouse"
MAX_LINES = 400

# Lowest floor first. A module may import modules of its own package and of lower floors only.
FLOORS = [
    {"core"},
    {"run"},
    {"quality"},
    {"bronze", "silver", "gold"},
    {"contracts"},
    {"lineage"},
    {"agents"},  # below report: the run summary embeds the narrative a model may write
    {"report"},
    {"rulekit"},
]
FLOOR_OF = {package: i for i, floor in enumerate(FLOORS) for package in floor}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, whether the import is inside a function) of every import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inner = {
        id(node)
        for func in ast.walk(tree)
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef))
        for node in ast.walk(func)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno, id(node) in inner) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                name = full if full in MODULES else node.module
                found.append((name, node.lineno, id(node) in inner))
    return found


def _own(name: str) -> str | None:
    """The package module ``name`` refers to (a module or the package that holds a name)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name if name.startswith("warehouse") else None


GRAPH = {
    module: sorted({own for name, _, _ in _imports(path) if (own := _own(name)) and own != module})
    for module, path in MODULES.items()
}


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_module_sits_on_a_floor():
    unplaced = [m for m in MODULES if _package(m) and _package(m) not in FLOOR_OF]
    assert not unplaced, f"modules outside every floor of FLOORS: {unplaced}"


def test_every_import_points_down_a_floor():
    upward = [
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if _package(module)
        and _package(target)
        and _package(target) != _package(module)
        and FLOOR_OF[_package(target)] >= FLOOR_OF[_package(module)]
    ]
    assert not upward, "imports that do not point down a floor:\n" + "\n".join(upward)


def test_the_import_graph_has_no_cycle():
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for target in GRAPH.get(module, []):
            if state.get(target) == 1:
                cycles.append(stack[stack.index(target) :] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[module] = 2

    for module in MODULES:
        if module not in state:
            visit(module)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_no_import_of_our_own_code_hides_inside_a_function():
    hidden = [
        f"{path.relative_to(REPO)}:{line} imports {name}"
        for path in [*MODULES.values(), *sorted((REPO / "scripts").glob("*.py"))]
        for name, line, inside in _imports(path)
        if inside and _own(name)
    ]
    assert not hidden, "\n".join(hidden)


def test_a_library_imported_inside_a_function_says_why():
    """Allowed only to keep a heavy library out of processes that do not need it."""
    silent = []
    for path in MODULES.values():
        lines = path.read_text(encoding="utf-8").splitlines()
        for name, line, inside in _imports(path):
            if inside and not lines[line - 2].strip().startswith("#"):
                silent.append(f"{path.relative_to(REPO)}:{line} imports {name} without a comment")
    assert not silent, "\n".join(silent)


@pytest.mark.parametrize(
    "path",
    [
        *MODULES.values(),
        *sorted((REPO / "scripts").glob("*.py")),
        *sorted((REPO / "tools").glob("*.py")),
    ],
    ids=lambda p: p.relative_to(REPO).as_posix(),
)
def test_no_module_is_over_400_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(REPO)} has {lines} lines (at most {MAX_LINES})"


# An artifact path spelled out by hand: a layer folder joined as a string or a Path part.
HAND_BUILT = re.compile(
    r"""(["'](artifacts|orchestrator|bronze|silver|gold|marts|reports|drafts|quarantine)["']\s*/"""
    r"""|/\s*["'](orchestrator|bronze|silver|gold|marts|reports|drafts|quarantine)["']"""
    r"""|["']/(silver|gold|bronze)/["']\s+in\b)"""
)


def test_only_the_path_catalog_builds_artifact_paths():
    offenders = []
    for path in [*MODULES.values(), *sorted((REPO / "scripts").glob("*.py"))]:
        if path == PACKAGE / "core" / "paths.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if HAND_BUILT.search(line):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not offenders, "paths built outside core/paths.py:\n" + "\n".join(offenders)
