"""pyproject.toml promises a range of Babel versions, and the locks test only the newest. This runs the
catalogue code on the oldest Babel the range allows, which `scripts/setup.sh --test` installs from
requirements/babel-oldest.txt into .venv/compat/babel-oldest."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
COMPAT = ROOT / ".venv" / "compat" / "babel-oldest"
CATALOG = Path("locales") / "es" / "LC_MESSAGES" / "handouts.po"

SNIPPET = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    import babel
    import handoutgen
    from handoutgen.catalogs.store import load_catalog, validate_catalog
    from handoutgen.errors import CatalogError

    print("babel", babel.__version__, "from", Path(babel.__file__).resolve().parent.parent)
    print("handoutgen from", Path(handoutgen.__file__).resolve().parent.parent)
    path = Path(sys.argv[1])
    try:
        catalog = load_catalog(path, "es")
    except CatalogError as exc:
        for problem in exc.problems:
            print("load:", problem)
        sys.exit(1)
    problems = validate_catalog(catalog, path, "es")
    for problem in problems:
        print("validate:", problem)
    print("entries", len([m for m in catalog if m.id]))
    sys.exit(1 if problems or len(catalog) == 0 else 0)
    """
)


def oldest_allowed_babel() -> Version:
    """The lower bound of pyproject.toml's babel range, which babel-oldest.txt must pin exactly."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    (spec,) = [Requirement(d).specifier for d in deps if Requirement(d).name.lower() == "babel"]
    (lower,) = [Version(s.version) for s in spec if s.operator == ">="]
    return lower


def test_babel_oldest_lock_pins_the_lower_bound() -> None:
    lock = (ROOT / "requirements" / "babel-oldest.txt").read_text(encoding="utf-8")
    pinned = re.search(r"^babel==(\S+)", lock, re.MULTILINE)
    assert pinned, "requirements/babel-oldest.txt pins no babel; run scripts/lock.sh"
    assert Version(pinned.group(1)) == oldest_allowed_babel(), (
        "requirements/babel-oldest.in must pin the lower bound of babel in pyproject.toml; "
        "edit it and run scripts/lock.sh"
    )


def test_catalogue_code_works_with_oldest_babel() -> None:
    if not (COMPAT / "babel").is_dir():
        pytest.skip(f"{COMPAT.relative_to(ROOT)} is missing; `bash scripts/setup.sh --test` installs it")
    env = {**os.environ, "PYTHONPATH": f"{COMPAT}{os.pathsep}{ROOT}", "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", SNIPPET, str(CATALOG)],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    lines = result.stdout.splitlines()
    first = lines[0].split() if lines else []
    assert first[:1] == ["babel"] and len(first) == 4, output
    assert Version(first[1]) == oldest_allowed_babel(), (
        f"the snippet did not run on the oldest Babel:\n{output}"
    )
    assert Path(first[3]) == COMPAT.resolve(), output
    assert lines[1] == f"handoutgen from {ROOT}", output
    assert result.returncode == 0, f"the catalogue code failed on Babel {first[1]}:\n{output}"
