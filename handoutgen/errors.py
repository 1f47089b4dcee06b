"""One error base class; the CLI prints ``error: …`` for these and exits with their code.

Anything else that escapes is a bug and gets a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


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
