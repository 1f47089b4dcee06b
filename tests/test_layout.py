"""The package's shape is enforced, not hoped for: each stage imports only the stages below it
(the arrows of docs/design.md), functions stay short, and ruff and mypy pass."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "handoutgen"

#: The project-wide modules every stage may use.
BASE = {"errors", "fsutil", "project", "resources", "__init__", "__version__"}
#: What each stage may import, besides itself and BASE: the pipeline, top to bottom.
ALLOWED: dict[str, set[str]] = {
    "text": set(),
    "content": {"text"},
    "catalogs": {"text", "content"},
    "checks": {"text", "content", "catalogs"},
    "render": {"text", "content", "catalogs"},
    "build": {"text", "content", "catalogs", "checks", "render"},
    "mt": {"text", "content", "catalogs"},
    "review": {"text", "content", "catalogs", "checks", "render", "build", "mt"},
    "cli": {"text", "content", "catalogs", "checks", "render", "build", "mt", "review", "web"},
    "web": {"text", "content", "catalogs", "checks", "render", "build", "mt", "review"},
}
MAX_FUNCTION_LINES = 40
EXEMPT_MARK = "Long because"


def _stage(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else Path(parts[0]).stem


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every handoutgen module a file imports, at any depth (imports inside functions count)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "handoutgen":
                found += [(node.lineno, f"handoutgen.{a.name}") for a in node.names]
            elif node.module.startswith("handoutgen."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.append((node.lineno, "relative"))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("handoutgen.")]
    return found


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_stage_is_a_folder_with_a_docstring_that_says_what_it_is_for() -> None:
    for stage in ALLOWED:
        init = PACKAGE / stage / "__init__.py"
        assert init.is_file(), f"{stage}/ is not a package"
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert docstring and len(docstring.split()) >= 6, (
            f"{init.relative_to(ROOT)} needs a docstring saying what the stage is for"
        )
    loose = {p.stem for p in PACKAGE.glob("*.py")} - BASE
    assert not loose, f"modules outside a stage folder: {sorted(loose)}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_only_point_down_the_pipeline(path: Path) -> None:
    stage = _stage(path)
    wrong = []
    for line, module in _imports(path):
        if module == "relative":
            wrong.append(f"{line}: relative import (write handoutgen.STAGE.module)")
            continue
        target = module.split(".")[1]
        if stage in BASE:
            ok = target in BASE
        else:
            ok = target in BASE or target == stage or target in ALLOWED[stage]
        if not ok:
            wrong.append(f"{line}: {stage} imports {module}")
    assert not wrong, f"{path.relative_to(ROOT)}: " + "; ".join(wrong)


def test_the_layering_rule_would_catch_an_arrow_up(tmp_path: Path) -> None:
    """The check itself: a build module that imports review is reported."""
    bad = tmp_path / "x.py"
    bad.write_text("def f():\n    from handoutgen.review.sheets import write_sheet\n")
    assert _imports(bad) == [(2, "handoutgen.review.sheets")]
    assert "review" not in ALLOWED["build"] and "mt" not in ALLOWED["build"]


def _long_functions() -> list[str]:
    found = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                doc = ast.get_docstring(node) or ""
                if lines > MAX_FUNCTION_LINES and EXEMPT_MARK not in doc:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)")
    return found


def test_functions_are_short_or_say_why_not() -> None:
    assert _long_functions() == []


def _tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_lint_is_clean() -> None:
    result = _tool("ruff", "check", "handoutgen", "tests", "benchmarks", "generate.py")
    assert result.returncode == 0, result.stdout[-3000:]


def test_ruff_format_is_clean() -> None:
    result = _tool("ruff", "format", "--check", "handoutgen", "tests", "benchmarks", "generate.py")
    assert result.returncode == 0, result.stdout[-3000:]


def test_mypy_is_clean() -> None:
    result = _tool("mypy", "handoutgen")
    assert result.returncode == 0, result.stdout[-3000:]
