"""What every check reports: one problem in one place, printed like a compiler message."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One problem with one string, in the same ``file:line:`` form as content errors.

    A translation check names the catalogue entry (``msgid`` and ``context``) and prints its
    English; a plain-language check of the YAML names where in the document the string is
    (``path``, e.g. ``sections[1].body[0]``)."""

    check: str  # the check's or rule's stable name
    severity: str  # error | warning | info
    message: str
    file: str
    line: int | None
    msgid: str | None = None
    context: str | None = None
    path: str = ""

    @property
    def rule(self) -> str:
        """The plain-language checks call their checks rules."""
        return self.check

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        path = f" {self.path}:" if self.path else ""
        english = f' (English: "{excerpt(self.msgid)}")' if self.msgid is not None else ""
        return f"{where}:{path} {self.severity}[{self.check}]: {self.message}{english}"


def excerpt(text: str, width: int = 40) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width].rstrip() + "…"
