"""One error base class; the CLI prints ``error: …`` for these and exits with their code.

Anything else that escapes is a bug and gets a traceback.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from pathlib import Path

#: The project folder errors are reported relative to (set by the command line's ``-C``).
_DISPLAY_ROOT: contextvars.ContextVar[Path | None] = contextvars.ContextVar("display_root", default=None)


def set_display_root(root: Path | None) -> None:
    _DISPLAY_ROOT.set(Path(root).resolve() if root else None)


def display(path: Path | str) -> str:
    """A path as staff see it: relative to the project (``locales/es/LC_MESSAGES/handouts.po``),
    else to the working folder, else as given."""
    path = Path(path)
    resolved = path.resolve() if path.is_absolute() or path.exists() else path
    for base in (_DISPLAY_ROOT.get(), Path.cwd().resolve()):
        if base is not None:
            try:
                return resolved.relative_to(base).as_posix()
            except ValueError:
                continue
    return str(path)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, located precisely enough to fix it."""

    file: str
    line: int | None
    message: str
    path: str = ""  # the path into the data, e.g. ``sections[2].items[0]``

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class HandoutError(Exception):
    """Base class of every error a user can cause and fix."""

    exit_code = 1

    def __init__(self, message: str = "", problems: list[Problem] | None = None):
        self.problems = list(problems or [])
        if not message and self.problems:
            message = "\n".join(str(p) for p in self.problems)
        super().__init__(message)


class ContentError(HandoutError):
    """Handout YAML or clinic settings are wrong."""

    exit_code = 2


class TemplateError(ContentError):
    """A template (Jinja2 or CSS) cannot be read: syntax error, unknown variable or filter."""

    exit_code = 2


class CatalogError(HandoutError):
    """A gettext catalogue is malformed or inconsistent."""

    exit_code = 3


class TranslationError(HandoutError):
    """Machine translation could not run (no package, corrupt package, offline)."""

    exit_code = 4


class RenderError(HandoutError):
    """A PDF could not be produced (blocked URL, missing glyphs, page budget)."""

    exit_code = 5


class ReviewError(HandoutError):
    """A review action was refused (empty reviewer, stale sheet, unknown locale)."""

    exit_code = 6
