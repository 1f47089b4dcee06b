"""Shared fixtures: a throw-away copy of the project, and real tools (pdftotext, pdffonts, pdfinfo,
msgfmt) as independent judges of the files the project writes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PARTS = (
    "handouts",
    "templates",
    "assets",
    "locales",
    "clinic.yaml",
    "babel.cfg",
    "glossary.yaml",
    "literacy.yaml",
    "reviewers.yaml",
)

#: Reviewers the tests list in a copy's reviewers.yaml (the shipped file lists nobody).
TEST_REVIEWERS = """
reviewers:
  - id: ana
    name: Ana Reviewer
    email: ana@example.org
    languages: [es, vi, zh_Hans, ko, ar]
    qualification: ATA certified en>es (test)
  - id: rosa
    name: Rosa Díaz
    languages: [es]
    qualification: bilingual staff, assessed 2026-05 (test)
re_review_after_days: 1095
"""


def list_reviewers(root: Path, text: str = TEST_REVIEWERS) -> None:
    (Path(root) / "reviewers.yaml").write_text(text, encoding="utf-8")


def approve(root: Path, code: str, keys=None, reviewer: str = "ana", overrides=None) -> int:
    """Approve entries (all that pass, or only ``keys``) through the library, as the CLI does."""
    from handoutgen.review.approve import Selection, apply_approval, plan_approval, shown_now

    if "id: ana" not in (Path(root) / "reviewers.yaml").read_text(encoding="utf-8"):
        list_reviewers(root)
    shown = shown_now(root, code, keys)
    catalog, plan = plan_approval(root, code, reviewer, Selection(everything=True), overrides, shown=shown)
    return apply_approval(root, code, catalog, plan) if plan.approve else 0


def copy_project(dest: Path) -> Path:
    """The shipped project (content, templates, catalogues) in a folder a test may change."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_PARTS:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("*.mo"))
        elif src.is_file():
            shutil.copy2(src, dest / name)
    return dest


def copy_built(baseline: Path, tmp_path: Path) -> Path:
    """A copy of a built project, build/ included, with its files' times (a copied PDF is the same)."""
    dest = tmp_path / "project"
    shutil.copytree(baseline, dest)
    return dest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def run_python(code: str) -> str:
    """``code`` run in a fresh Python process from the project's root (what it imports is its own);
    its stdout. A failure shows the end of its stderr."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def run_tool(*args: str | Path) -> str:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True)
    return result.stdout


def pdf_text(path: Path, *extra: str) -> str:
    return run_tool("pdftotext", *extra, path, "-")


def pdf_info(path: Path) -> dict[str, str]:
    info = {}
    for line in run_tool("pdfinfo", path).splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def pdf_fonts(path: Path) -> list[dict[str, str]]:
    """Rows of `pdffonts`: name, type, encoding, emb, sub, uni."""
    lines = run_tool("pdffonts", path).splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name type… encoding emb sub uni objectID gen: read from the right, names have no spaces
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows
