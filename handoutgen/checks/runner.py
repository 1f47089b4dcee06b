"""The translation checks run over a catalogue, with the references they need (glossary, template), collected per entry."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog

from handoutgen.catalogs.lookup import Key
from handoutgen.catalogs.store import (
    load_catalog,
)


def check_references(root: Path) -> tuple:
    """What every catalogue is checked against: the glossary and the template catalogue. Read
    once per run and shared by all locales."""
    from handoutgen.catalogs.store import pot_path
    from handoutgen.checks.translation import load_glossary

    glossary_path = Path(root) / "glossary.yaml"
    template_path = pot_path(Path(root) / "locales")
    return (
        load_glossary(glossary_path) if glossary_path.exists() else None,
        load_catalog(template_path) if template_path.exists() else None,
    )


def findings_by_key(
    root: Path, catalog: Catalog, path: Path, code: str, references: tuple | None = None
) -> dict[Key, list]:
    """Quality-check findings of a catalogue, per entry."""
    from handoutgen.checks.translation import check_catalog

    glossary, template = references or check_references(root)
    result: dict[Key, list] = {}
    for finding in check_catalog(catalog, path, code, glossary, template):
        result.setdefault((finding.msgid, finding.context), []).append(finding)
    return result
