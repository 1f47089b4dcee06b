"""Where a project's files are, and the guard that keeps every read inside it: a symlink in the
project that leads outside is refused, naming it, before anything is read."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from handoutgen.errors import (
    ContentError,
    Problem,
)

ASSET_DIRS = ("assets", "templates")


@dataclass(frozen=True)
class Project:
    """Where a project's inputs live; every path the renderer may read is under ``root``."""

    root: Path

    @property
    def handouts(self) -> Path:
        """The handouts folder, once no file in it is a symlink leading out of the project (the
        content loader would otherwise read, and quote in its errors, any file on the machine)."""
        folder = self.root / "handouts"
        _refuse_links_out(self.root, [folder, *_links_in(folder)])
        return folder

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def locales(self) -> Path:
        return self.root / "locales"

    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def clinic_file(self) -> Path:
        path = self.root / "clinic.yaml"
        _refuse_links_out(self.root, [path])
        return path

    def asset_roots(self) -> tuple[Path, ...]:
        """The folders the renderer may read, as real paths; a folder that is a symlink leading out
        of the project is no root at all (its files are then refused like any outside file)."""
        real = self.root.resolve()
        roots = ((self.root / name).resolve() for name in ASSET_DIRS)
        return tuple(root for root in roots if root.is_relative_to(real))


INPUT_GLOBS = (
    "handouts/*.yaml",
    "locales/*/LC_MESSAGES/*.po",
    "locales/*/approvals.jsonl",
    "templates/*",
    "assets/**/*",
    "clinic.yaml",
    "glossary.yaml",
    "reviewers.yaml",
)


#: Folders whose every entry is an input; a symlink in them must stay inside the project.
GUARDED_DIRS = ("handouts", "templates", "assets", "locales")


def input_files(root: Path) -> list[Path]:
    """The input files (listing only: nothing is read, so ``watch`` may poll it)."""
    files: set[Path] = set()
    for pattern in INPUT_GLOBS:
        files.update(p for p in root.glob(pattern) if p.is_file())
    return sorted(files)


def outside_links(root: Path, paths: list[Path] | None = None) -> list[tuple[Path, Path]]:
    """(link, where it leads) for every symlink among ``paths`` (default: the input folders, walked
    without following links, and the top-level settings files) whose target is outside ``root``.

    A symlink that stays inside the project is fine; one leading out would let a build read (and a
    PDF carry) any file on the machine."""
    real_root = Path(root).resolve()
    if paths is None:
        paths = [
            Path(root) / name for name in ("clinic.yaml", "glossary.yaml", "literacy.yaml", "reviewers.yaml")
        ]
        for name in GUARDED_DIRS:
            folder = Path(root) / name
            paths.append(folder)
            if folder.is_dir() and not folder.is_symlink():
                paths.extend(_symlinks_under(folder))  # any other entry is a plain file or folder inside
    found = []
    linked: dict[Path, bool] = {}  # folder -> whether it is a symlink, asked once per call
    for path in paths:
        path = Path(path)
        if not (path.is_symlink() or _under_link(path, Path(root), linked)):
            continue
        target = path.resolve()
        if not target.is_relative_to(real_root):
            found.append((path, target))
    return found


def _symlinks_under(folder: Path) -> list[Path]:
    """Every symlink below ``folder``, walked without following links; one listing per folder and no
    ``stat`` per file (the directory entries say which are links)."""
    found, todo = [], [str(folder)]
    while todo:
        with os.scandir(todo.pop()) as entries:
            for entry in entries:
                if entry.is_symlink():
                    found.append(Path(entry.path))
                elif entry.is_dir(follow_symlinks=False):
                    todo.append(entry.path)
    return found


def _under_link(path: Path, root: Path, linked: dict[Path, bool]) -> bool:
    """Whether a folder between ``root`` and ``path`` is a symlink."""
    try:
        parts = path.relative_to(root).parts[:-1]
    except ValueError:
        return True  # not under the project at all: judged by where it leads
    folder = root
    for part in parts:
        folder = folder / part
        if folder not in linked:
            linked[folder] = folder.is_symlink()
        if linked[folder]:
            return True
    return False


def refuse_outside_links(root: Path, paths: list[Path] | None = None) -> None:
    """A ContentError naming every input that is a symlink leading out of the project."""
    found = outside_links(root, paths)
    if found:
        raise ContentError(
            problems=[
                Problem(
                    _shown(link, root),
                    None,
                    (
                        f"is a symlink to {target}, outside the project; nothing outside the project is "
                        "read, so copy the file into the project instead of linking to it"
                    ),
                )
                for link, target in found
            ]
        )


def _shown(path: Path, root: Path) -> str:
    path = Path(path)
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _links_in(folder: Path) -> list[Path]:
    """The entries of ``folder`` that are symlinks (every entry when the folder is one): only these
    can lead out of the project. The folder is listed once, with no ``stat`` per file."""
    if not folder.is_dir():
        return []
    linked = folder.is_symlink()
    with os.scandir(folder) as entries:
        return [folder / e.name for e in entries if linked or e.is_symlink()]


def _refuse_links_out(root: Path, paths: list[Path]) -> None:
    from handoutgen.project import refuse_outside_links

    refuse_outside_links(root, paths)


def git_commit(root: Path) -> str | None:
    """The checked-out commit, read from ``.git`` inside the project (no git command is run)."""
    head = root / ".git" / "HEAD"
    try:
        ref = head.read_text(encoding="utf-8").strip()
        if not ref.startswith("ref: "):
            return ref[:40] or None
        name = ref[5:]
        loose = root / ".git" / name
        if loose.is_file():
            return loose.read_text(encoding="utf-8").strip()[:40]
        for line in (root / ".git" / "packed-refs").read_text(encoding="utf-8").splitlines():
            if line.endswith(" " + name):
                return line.split()[0]
    except (OSError, UnicodeDecodeError):
        return None
    return None
