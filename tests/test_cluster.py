"""Rendering on a real Dask cluster: a LocalCluster of worker processes that see only the render
bundle (templates and assets) shipped to them, never the project folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_project

from handoutgen.build.cluster import bundle_key, render_bundle
from handoutgen.build.manifest import Manifest
from handoutgen.build.run import BuildOptions, build_run
from handoutgen.cli.main import main

pytest.importorskip("distributed", reason="the cluster extra is installed by test.sh")
OPTIONS = BuildOptions(locales=("en", "es", "ar", "zh_Hans"), handouts=("aftercare", "back-pain-faq"))


def test_a_local_cluster_builds_the_same_bytes_as_this_machine(tmp_path: Path) -> None:
    here, there = copy_project(tmp_path / "here"), copy_project(tmp_path / "there")
    local = build_run(here, OPTIONS, lambda line: None, jobs=1)
    lines: list[str] = []
    remote = build_run(there, OPTIONS, lines.append, cluster="local:2")
    assert not [o.error for o in local.outcomes + remote.outcomes if o.error], lines
    assert len(remote.rebuilt) == 8
    for outcome in remote.outcomes:
        name = Path(outcome.job.locale) / f"{outcome.job.handout_id}.pdf"
        assert (there / "build" / name).read_bytes() == (here / "build" / name).read_bytes(), name
    # the planner wrote the manifest; the next build (no cluster needed) has nothing to do
    assert len(Manifest(there / "build").names()) == 8
    assert build_run(there, OPTIONS, lambda line: None).no_op


def test_workers_get_only_templates_and_assets(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    bundle = render_bundle(project)
    assert bundle and all(name.startswith(("templates/", "assets/")) for name in bundle)
    key = bundle_key(bundle)
    (project / "templates" / "handout.css").write_text(
        "/* changed */\n" + (project / "templates" / "handout.css").read_text()
    )
    assert bundle_key(render_bundle(project)) != key  # a changed stylesheet is a new bundle


def test_an_unreachable_cluster_is_one_clear_line(tmp_path: Path, capsys) -> None:
    project = copy_project(tmp_path / "project")
    code = main(
        [
            "-C",
            str(project),
            "build",
            "-l",
            "es",
            "--handout",
            "aftercare",
            "--force",
            "--cluster",
            "tcp://127.0.0.1:9",
        ]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0 and any("cannot reach the cluster at 'tcp://127.0.0.1:9'" in line for line in err), err
    assert not (project / "build" / "es" / "aftercare.pdf").exists()
