"""Bad inputs, run the way a user runs them: every kind of input file, broken on purpose.

The corpus lives in ``tests/data/bad/<kind>/``. A case is ``<name>.expect`` (a small YAML file) plus,
usually, the bad file itself beside it (``<name>.<ext>``: the same name, any other extension). The
``.expect`` file says:

``about``
    one line: what is wrong with the file, and why someone would write it.
``place``
    where the bad file goes, relative to a fresh copy of the shipped project (``copy_project``);
    a path starting with ``../`` lands next to the project, outside it (a downloaded package).
``mode``
    ``replace`` (default): the file replaces (or is added at) ``place``; ``prepend``: its bytes are
    put before the shipped file's, so a one-line snippet breaks a full, otherwise good file at line 1.
    A template snippet has no final new line: every later line keeps its number, so the references
    that extraction writes into the catalogues (``#: templates/handout.html.j2:12``) do not move.
``run``
    the ``generate.py`` arguments (after ``-C PROJECT``); ``{place}`` is the placed file's absolute path.
``exit``
    the expected exit code (README, "Exit codes").
``names`` / ``line`` / ``error``
    one line of the output (stderr or stdout) must contain ``names`` (default: ``place``), followed by
    ``:<line>`` when ``line`` is given (a list: any of those lines, e.g. an entry's msgid or msgstr
    line), and every ``error`` substring (case-insensitive). Cases that must be accepted (exit 0) may
    leave all three out.
``files`` / ``links`` / ``edit``
    more set-up: extra files (``path: text``), symlinks (``path: target``), and text replacements in
    shipped files (``- [path, old, new]``), made before the inputs are snapshotted.
``zip``
    for packages: a recipe the archive is built from at run time (see :func:`build_zip`), so that
    no zip bomb or real model is committed.
``expect_file``
    ``path: text``: after the run, that project file must contain the text (e.g. a review sheet
    showing an ISO-8859-1 catalogue's é correctly).
``xfail``
    why the case fails today. It is a strict xfail: the day the code is fixed the case turns into
    an XPASS failure, and whoever fixed it deletes the line.

Each case asserts: the exit code; no traceback; the error line naming the file (and line); and that
every input file (everything in the project but ``build/`` and ``.cache/``) is byte-identical
afterwards: nothing is "repaired" behind the user's back. A refused package also leaves the package
folder as it was.

``python tests/test_bad_inputs.py [WORD…]`` runs the cases whose id contains a WORD and prints what
each does today (exit code, first error line or a traceback's last line, modified files) and whether
it meets its expectations, without pytest.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
BAD = TESTS / "data" / "bad"
if str(TESTS) not in sys.path:  # conftest and argos_fixture, also when run as a script
    sys.path.insert(0, str(TESTS))

from conftest import copy_project  # noqa: E402

EXCLUDED = ("build", ".cache")  # outputs and caches: the only places a command may write
PACKAGES = Path(".cache") / "argos-packages"
TIMEOUT = 120  # seconds per command: a hang is a failure, not a stuck suite
KEYS = {
    "about",
    "place",
    "mode",
    "run",
    "exit",
    "names",
    "line",
    "error",
    "files",
    "links",
    "edit",
    "zip",
    "expect_file",
    "xfail",
    "needs",
}


# -- the cases ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str  # "<kind>/<name>"
    expect_path: Path
    data: Path | None  # the bad file, when it is not built from a recipe
    spec: dict[str, Any]

    @property
    def kind(self) -> str:
        return self.id.split("/")[0]

    @property
    def errors(self) -> list[str]:
        value = self.spec.get("error", [])
        return [value] if isinstance(value, str) else list(value)


def load_case(expect_path: Path) -> Case:
    spec = yaml.safe_load(expect_path.read_text(encoding="utf-8"))
    case_id = f"{expect_path.parent.name}/{expect_path.stem}"
    assert isinstance(spec, dict), f"{expect_path}: expected a mapping"
    unknown = set(spec) - KEYS
    assert not unknown, f"{expect_path}: unknown keys {sorted(unknown)}"
    for key in ("about", "place", "run", "exit"):
        assert key in spec, f"{expect_path}: '{key}' is required"
    siblings = [
        p
        for p in expect_path.parent.glob(f"{expect_path.stem}.*")
        if p != expect_path and p.name[len(expect_path.stem)] == "."
    ]
    assert len(siblings) <= 1, f"{expect_path}: more than one data file: {siblings}"
    data = siblings[0] if siblings else None
    assert data is not None or "zip" in spec, f"{expect_path}: no data file beside it and no zip recipe"
    return Case(case_id, expect_path, data, spec)


def all_cases() -> list[Case]:
    return [load_case(p) for p in sorted(BAD.glob("*/*.expect"))]


def _param(case: Case):
    marks = []
    if case.spec.get("xfail"):
        marks.append(pytest.mark.xfail(strict=True, reason=str(case.spec["xfail"])))
    return pytest.param(case, id=case.id, marks=marks)


# -- building packages from recipes ------------------------------------------------------------------

_REAL_PACKAGE: dict[str, Path] = {}


def real_package() -> Path:
    """A small but real, loadable en→es package (tests/argos_fixture.py), built once per process
    (about 4 s) in a temporary folder removed at exit."""
    if "en_es" not in _REAL_PACKAGE:
        from argos_fixture import build_argosmodel

        folder = Path(tempfile.mkdtemp(prefix="bad-inputs-argos-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _REAL_PACKAGE["en_es"] = build_argosmodel(folder)
    return _REAL_PACKAGE["en_es"]


def build_zip(recipe: dict[str, Any], target: Path) -> None:
    """Write a .argosmodel from a recipe:

    ``base: real`` starts from the real test package (top folder ``translate-en_es-1_0``);
    ``rename_top: NAME`` moves every base member under NAME instead; ``drop: [member, …]`` leaves
    base members out; ``members:`` adds (or overrides) members, each ``{name, text}``, ``{name,
    symlink: target}`` (a Unix symlink entry), and optionally ``declared_size: N``: the size the
    headers claim once uncompressed (a zip bomb's lie), however small the real data is.
    """
    members: dict[str, tuple[zipfile.ZipInfo | None, bytes]] = {}
    if recipe.get("base") == "real":
        with zipfile.ZipFile(real_package()) as src:
            for info in src.infolist():
                name = info.filename
                if recipe.get("rename_top"):
                    name = recipe["rename_top"] + name[name.index("/") :]
                members[name] = (None, src.read(info))
    for name in recipe.get("drop", []):
        members.pop(name)
    lies: dict[str, int] = {}
    for item in recipe.get("members", []):
        name = item["name"]
        if "symlink" in item:
            info = zipfile.ZipInfo(name)
            info.create_system = 3  # Unix: the mode bits below are read
            info.external_attr = 0o120777 << 16  # S_IFLNK
            members[name] = (info, item["symlink"].encode())
        else:
            members[name] = (None, item.get("text", "").encode())
        if "declared_size" in item:
            lies[name] = int(item["declared_size"])
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, (info, data) in members.items():
            zf.writestr(info or name, data)
    if lies:
        _lie_about_sizes(target, lies)


def _lie_about_sizes(path: Path, sizes: dict[str, int]) -> None:
    """Patch the uncompressed size in a member's local header and central-directory entry."""
    data = bytearray(path.read_bytes())
    end = data.rindex(b"PK\x05\x06")
    count, _, offset = struct.unpack_from("<HII", data, end + 10)
    for _ in range(count):
        assert data[offset : offset + 4] == b"PK\x01\x02"
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, offset + 28)
        local = struct.unpack_from("<I", data, offset + 42)[0]
        name = data[offset + 46 : offset + 46 + name_len].decode()
        if name in sizes:
            struct.pack_into("<I", data, offset + 24, sizes[name])
            struct.pack_into("<I", data, local + 22, sizes[name])
        offset += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(data))


# -- running one case ------------------------------------------------------------------------------


@dataclass
class Observed:
    exit: int | None
    stdout: str
    stderr: str
    changed: list[str] = field(default_factory=list)  # input files modified, added or removed
    packages_changed: list[str] = field(default_factory=list)
    missing_text: list[str] = field(default_factory=list)  # expect_file texts not found

    @property
    def lines(self) -> list[str]:
        return self.stderr.splitlines() + self.stdout.splitlines()

    def headline(self) -> str:
        """The first error line, or a traceback's last line, for the report."""
        errs = self.stderr.splitlines()
        if "Traceback (most recent call last)" in self.stderr:
            return "TRACEBACK: " + next((l for l in reversed(errs) if l.strip()), "")
        for line in errs:
            if line.startswith("error:"):
                return line
        for line in self.lines:
            if "error" in line.lower() or "warning" in line.lower():
                return line
        return errs[-1] if errs else "(no output)"


def snapshot(project: Path, under: Path | None = None) -> dict[str, str]:
    """sha256 of every file (a symlink: its target), outside build/ and .cache/ unless ``under``."""
    base = project / under if under else project
    result: dict[str, str] = {}
    if not base.exists():
        return result
    for folder, dirs, files in os.walk(base):
        rel_folder = Path(folder).relative_to(project)
        if under is None and rel_folder == Path("."):
            dirs[:] = [d for d in dirs if d not in EXCLUDED]
        for name in dirs + files:
            path = Path(folder) / name
            rel = (rel_folder / name).as_posix()
            if path.is_symlink():
                result[rel] = "symlink -> " + os.readlink(path)
            elif path.is_file():
                result[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return result


def _differences(before: dict[str, str], after: dict[str, str]) -> list[str]:
    out = []
    for name in sorted(set(before) | set(after)):
        if name not in after:
            out.append(f"{name} (deleted)")
        elif name not in before:
            out.append(f"{name} (created)")
        elif before[name] != after[name]:
            out.append(f"{name} (modified)")
    return out


def prepare(case: Case, tmp: Path) -> tuple[Path, Path]:
    """A project copy with the bad file in place; returns (project, placed file)."""
    project = copy_project(tmp / "project")
    spec = case.spec
    for path, old, new in spec.get("edit", []):
        target = project / path
        text = target.read_text(encoding="utf-8")
        assert old in text, f"{case.id}: edit: {old!r} not found in {path}"
        target.write_text(text.replace(old, new, 1), encoding="utf-8")
    for path, text in (spec.get("files") or {}).items():
        target = project / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    for path, link in (spec.get("links") or {}).items():
        target = project / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() or target.is_symlink():
            target.unlink()
        target.symlink_to(link)
    placed = project / spec["place"]
    placed.parent.mkdir(parents=True, exist_ok=True)
    if "zip" in spec:
        build_zip(spec["zip"], placed)
    elif spec.get("mode", "replace") == "prepend":
        placed.write_bytes(case.data.read_bytes() + placed.read_bytes())
    else:
        assert spec.get("mode", "replace") == "replace", f"{case.id}: unknown mode {spec['mode']!r}"
        placed.write_bytes(case.data.read_bytes())
    return project, placed


def run_case(case: Case, tmp: Path) -> Observed:
    project, placed = prepare(case, tmp)
    before = snapshot(project)
    packages_before = snapshot(project, PACKAGES)
    args = [a.replace("{place}", str(placed.resolve())) for a in shlex.split(case.spec["run"])]
    env = {k: v for k, v in os.environ.items() if k not in ("HANDOUTGEN_ARGOS_DIR", "ARGOS_PACKAGES_DIR")}
    env.update(PYTHONIOENCODING="utf-8", LC_ALL="C.UTF-8")
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "generate.py"), "-C", str(project), *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TIMEOUT,
            env=env,
            cwd=tmp,
        )
        observed = Observed(
            result.returncode,
            result.stdout.decode("utf-8", "replace"),
            result.stderr.decode("utf-8", "replace"),
        )
    except subprocess.TimeoutExpired as exc:
        observed = Observed(
            None,
            (exc.stdout or b"").decode("utf-8", "replace"),
            (exc.stderr or b"").decode("utf-8", "replace") + f"\n(killed after {TIMEOUT} s)",
        )
    observed.changed = _differences(before, snapshot(project))
    observed.packages_changed = _differences(packages_before, snapshot(project, PACKAGES))
    for path, text in (case.spec.get("expect_file") or {}).items():
        target = project / path
        content = target.read_text(encoding="utf-8", errors="replace") if target.is_file() else ""
        if text not in content:
            observed.missing_text.append(
                f"{path} does not contain {text!r}" + ("" if target.is_file() else " (no such file)")
            )
    return observed


def failures(case: Case, observed: Observed) -> list[str]:
    """Every way the observed run misses the case's expectations (empty: it meets them)."""
    spec = case.spec
    found = []
    if observed.exit is None:
        found.append(f"did not finish in {TIMEOUT} s")
    elif observed.exit != spec["exit"]:
        found.append(f"exit code {observed.exit}, expected {spec['exit']}")
    if "Traceback" in observed.stderr:
        found.append("a traceback on stderr: " + observed.headline())
    names = spec.get("names")
    if names is None and (spec.get("error") or "line" in spec):
        names = Path(spec["place"]).name if spec["place"].startswith("../") else spec["place"]
    if names is not None:
        lines = spec.get("line")
        places = (
            [f"{names}:{n}" for n in (lines if isinstance(lines, list) else [lines])]
            if lines
            else [str(names)]
        )
        wanted = [e.casefold() for e in case.errors]
        if not any(
            any(p in line for p in places) and all(w in line.casefold() for w in wanted)
            for line in observed.lines
        ):
            found.append(
                f"no output line contains {' or '.join(map(repr, places))}"
                + (f" and {case.errors!r}" if wanted else "")
            )
    if observed.changed:
        found.append("input files changed: " + ", ".join(observed.changed))
    if observed.packages_changed and spec["exit"] != 0:
        found.append("the package folder changed: " + ", ".join(observed.packages_changed))
    found.extend(observed.missing_text)
    return found


# -- the test --------------------------------------------------------------------------------------

CASES = all_cases()
WORKERS = max(1, min(4, os.cpu_count() or 1))  # the commands are separate processes: run a few at once


def _missing_modules(case: Case) -> list[str]:
    import importlib.util

    return [m for m in case.spec.get("needs", []) if importlib.util.find_spec(m) is None]


@pytest.fixture(scope="module")
def observed_runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every selected case's run, made once, WORKERS at a time (the suite would otherwise spend
    most of its time waiting for one process after another). ``-k`` and ``-x`` still select."""
    selected = [
        item.callspec.params["case"]
        for item in request.session.items
        if getattr(item, "originalname", None) == "test_bad_input" and item.module is request.module
    ]
    runnable = [c for c in selected if not _missing_modules(c)]
    if any("zip" in c.spec and c.spec["zip"].get("base") == "real" for c in runnable):
        real_package()  # built once, before the threads start
    base = tmp_path_factory.mktemp("bad-inputs")

    def one(case: Case) -> tuple[str, Any]:
        folder = base / case.id.replace("/", "--")
        folder.mkdir()
        try:
            return case.id, run_case(case, folder)
        except Exception as exc:
            return case.id, exc

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return dict(pool.map(one, runnable))


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_bad_input(case: Case, observed_runs: dict[str, Any]) -> None:
    missing = _missing_modules(case)
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (the mt extra)")
    observed = observed_runs[case.id]
    if isinstance(observed, Exception):
        raise observed
    problems = failures(case, observed)
    assert not problems, (
        f"{case.id}: {case.spec['about']}\n  run: generate.py {case.spec['run']}\n  "
        + "\n  ".join(problems)
        + "\n--- stderr:\n"
        + observed.stderr[-3000:]
        + "\n--- stdout (tail):\n"
        + observed.stdout[-1500:]
    )


def test_every_kind_is_broken_at_least_five_ways() -> None:
    kinds: dict[str, int] = {}
    for case in CASES:
        kinds[case.kind] = kinds.get(case.kind, 0) + 1
    expected = {
        "handout",
        "clinic",
        "glossary",
        "literacy",
        "po",
        "pot",
        "template",
        "css",
        "review",
        "argosmodel",
        "logo",
        "reviewers",
        "approvals",
    }
    assert set(kinds) == expected, kinds
    assert all(n >= 5 for n in kinds.values()), kinds


def test_every_file_in_the_corpus_belongs_to_a_case() -> None:
    """A data file without its .expect would silently never run."""
    stems = {(c.expect_path.parent, c.expect_path.stem) for c in CASES}
    orphans = [
        p for p in BAD.glob("*/*") if p.suffix != ".expect" and (p.parent, p.name.split(".")[0]) not in stems
    ]
    assert not orphans, orphans
    strays = [p for p in BAD.iterdir() if p.is_file() and p.name != "README.md"]
    assert not strays, f"cases go in a folder per kind: {strays}"


# -- report mode -----------------------------------------------------------------------------------


def main(words: list[str]) -> int:
    selected = [c for c in CASES if not words or any(w in c.id for w in words)]
    bad = 0
    for case in selected:
        with tempfile.TemporaryDirectory(prefix="bad-input-") as tmp:
            try:
                observed = run_case(case, Path(tmp))
            except Exception as exc:
                print(f"{case.id}: set-up failed: {exc!r}")
                bad += 1
                continue
        problems = failures(case, observed)
        status = "ok" if not problems else "FAILS"
        marked = " (xfail)" if case.spec.get("xfail") else ""
        if problems and not marked:
            bad += 1
        if not problems and marked:
            status, bad = "XPASS: remove its xfail line", bad + 1
        print(f"{case.id}: {status}{marked}: expected exit {case.spec['exit']}, got {observed.exit}")
        print(f"    run: {case.spec['run']}")
        print(f"    first error: {observed.headline()[:300]}")
        if observed.changed:
            print(f"    modified: {', '.join(observed.changed)}")
        for problem in problems:
            print(f"    - {problem[:300]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
