"""The translation checks run over a catalogue, with the references they need (glossary,
template), collected per entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog

from handoutgen.catalogs.lookup import Key
from handoutgen.catalogs.store import load_catalog
from handoutgen.checks.findings import Finding
from handoutgen.content.settings import Glossary, load_glossary

#: What every catalogue is checked against: the glossary and the template, when the project has them.
References = tuple[Glossary | None, Catalog | None]


def check_references(root: Path) -> References:
    """What every catalogue is checked against: the glossary and the template catalogue. Read
    once per run and shared by all locales."""
    from handoutgen.catalogs.store import pot_path

    glossary_path = Path(root) / "glossary.yaml"
    template_path = pot_path(Path(root) / "locales")
    return (
        load_glossary(glossary_path) if glossary_path.exists() else None,
        load_catalog(template_path) if template_path.exists() else None,
    )


def findings_by_key(
    root: Path,
    catalog: Catalog,
    path: Path,
    code: str,
    references: References | None = None,
    memo: Any = None,
) -> dict[Key, list[Finding]]:
    """Quality-check findings of a catalogue, per entry (every translation finding names its msgid);
    ``memo``: see :class:`~handoutgen.checks.translation.CheckMemo`."""
    from handoutgen.checks.translation import check_catalog

    glossary, template = references or check_references(root)
    result: dict[Key, list[Finding]] = {}
    for finding in check_catalog(catalog, path, code, glossary, template, memo):
        result.setdefault((finding.msgid or "", finding.context), []).append(finding)
    return result
