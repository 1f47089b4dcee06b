"""The machine-translation commands end to end, with a tiny real package built offline:
install from a file, translate, print as DRAFT, review with a back-translation."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import pdf_text

from handoutgen.catalogs.states import State, entry_state, machine_provider
from handoutgen.catalogs.store import load_catalog, po_path
from handoutgen.cli.main import main

try:
    from tests.argos_fixture import argos_packages, no_network
except ImportError:  # pragma: no cover - run from inside tests/
    from argos_fixture import argos_packages, no_network  # noqa: F401

pytestmark = pytest.mark.usefixtures("no_network")


def test_install_translate_build_and_review_offline(
    project: Path, argos_packages, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("HANDOUTGEN_ARGOS_DIR", str(project / ".cache" / "argos"))
    run = lambda *args: main(["-C", str(project), *args])  # noqa: E731
    po_path(project / "locales", "es").unlink()
    assert run("catalogs", "init", "es") == 0
    assert run("models", "install", str(argos_packages.copy_en_es)) == 0
    assert run("models", "install", str(argos_packages.copy_es_en)) == 0
    capsys.readouterr()
    assert run("models", "list") == 0
    assert "translate-en_es" in capsys.readouterr().out
    assert run("translate", "es") == 0
    path = po_path(project / "locales", "es")
    subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], check=True)
    catalog = load_catalog(path, "es")
    messages = [m for m in catalog if m.id]
    assert messages and all(entry_state(m) is State.MACHINE_DRAFT for m in messages)
    assert all("argostranslate" in (machine_provider(m) or "") for m in messages)
    phone = next(m for m in messages if "{clinic_phone}" in m.id)
    assert "{clinic_phone}" in phone.string
    # a machine draft never prints as final
    assert run("build", "-l", "es", "--handout", "aftercare") == 0
    assert "DRAFT" in pdf_text(project / "build" / "es" / "aftercare.pdf")
    # the reviewer's sheet reads the drafts back into English with the reverse package
    assert run("review", "sheet", "es", "--no-pdf") == 0
    html = (project / "build" / "review" / "es.html").read_text()
    assert html.count("Read back by machine") == len(messages)
