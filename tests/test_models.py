"""argostranslate package management, with real packages built offline by the fixture."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from handoutgen.errors import TranslationError
from handoutgen.mt import packages as models

try:
    from tests.argos_fixture import NetworkBlocked, argos_packages, no_network
except ImportError:  # tests/ is on sys.path rather than the project root
    from argos_fixture import NetworkBlocked, argos_packages, no_network  # noqa: F401

pytestmark = pytest.mark.usefixtures("no_network")
ROOT = Path(__file__).resolve().parent.parent


def test_install_from_file_then_list_shows_it(argos_packages, tmp_path):
    folder = tmp_path / "packages"
    info = models.install_file(argos_packages.copy_en_es, folder)

    assert (info.from_code, info.to_code, info.version) == ("en", "es", "1.0")
    assert info.provider == "argostranslate translate-en_es 1.0"
    assert (info.path / "metadata.json").is_file() and (info.path / "model" / "model.bin").is_file()
    assert models.list_packages(folder) == [info]
    assert models.find_package("en", "es", folder) == info
    assert [p.name for p in folder.iterdir()] == ["translate-en_es-1_0"], "no staging folder left behind"


def test_installing_the_same_pair_again_replaces_it(argos_packages, tmp_path):
    folder = tmp_path / "packages"
    models.install_file(argos_packages.copy_en_es, folder)
    models.install_file(argos_packages.random_en_es, folder)
    models.install_file(argos_packages.copy_es_en, folder)

    pairs = [(p.from_code, p.to_code) for p in models.list_packages(folder)]
    assert pairs == [("en", "es"), ("es", "en")]


def _assert_refused(archive: Path, folder: Path, words: str) -> str:
    with pytest.raises(TranslationError) as caught:
        models.install_file(archive, folder)
    message = str(caught.value)
    assert message.startswith(str(archive)), message
    assert words in message and "download the package again" in message, message
    assert len(message.splitlines()) == 1
    assert models.list_packages(folder) == []
    assert list(folder.iterdir()) == [], "a refused package leaves nothing behind"
    return message


def test_truncated_download_is_refused_clearly(argos_packages, tmp_path):
    broken = tmp_path / "translate-en_es-1_0.argosmodel"
    data = argos_packages.copy_en_es.read_bytes()
    broken.write_bytes(data[: len(data) // 2])
    _assert_refused(broken, tmp_path / "packages", "not a valid zip archive")


def test_damaged_member_fails_its_checksum(argos_packages, tmp_path):
    broken = tmp_path / "damaged.argosmodel"
    data = bytearray(argos_packages.copy_en_es.read_bytes())
    with zipfile.ZipFile(argos_packages.copy_en_es) as zf:
        info = zf.getinfo("translate-en_es-1_0/model/model.bin")
    middle = info.header_offset + 100 + info.compress_size // 2
    data[middle] ^= 0xFF
    broken.write_bytes(bytes(data))
    _assert_refused(broken, tmp_path / "packages", "fails its checksum")


def test_archive_without_model_is_refused(tmp_path):
    archive = tmp_path / "no-model.argosmodel"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("translate-en_es-1_0/metadata.json", json.dumps({"from_code": "en", "to_code": "es"}))
        zf.writestr("translate-en_es-1_0/sentencepiece.model", b"x")
    _assert_refused(archive, tmp_path / "packages", "model/model.bin is missing")


def test_archive_with_broken_model_is_refused(argos_packages, tmp_path):
    archive = tmp_path / "bad-model.argosmodel"
    with zipfile.ZipFile(argos_packages.copy_en_es) as src, zipfile.ZipFile(archive, "w") as dst:
        for item in src.infolist():
            data = b"not a model" if item.filename.endswith("model.bin") else src.read(item)
            dst.writestr(item, data)
    _assert_refused(archive, tmp_path / "packages", "does not load")


def test_text_file_is_not_a_package(tmp_path):
    archive = tmp_path / "notes.argosmodel"
    archive.write_text("hello")
    _assert_refused(archive, tmp_path / "packages", "not a valid zip archive")


def test_missing_pair_says_what_to_install_and_how(tmp_path):
    with pytest.raises(TranslationError) as caught:
        models.require_package("en", "vi", tmp_path / "packages")
    message = str(caught.value)
    assert "no argostranslate package for en → vi" in message
    assert "generate.py models install en vi" in message
    assert "generate.py models install translate-en_vi-VERSION.argosmodel" in message


def test_offline_index_install_fails_at_once_with_a_clear_message(tmp_path):
    started = time.monotonic()
    with pytest.raises(TranslationError) as caught:
        models.install_pair("en", "es", tmp_path / "packages")
    elapsed = time.monotonic() - started

    assert elapsed < 2.0, f"offline index request took {elapsed:.1f} s"
    message = str(caught.value)
    assert "cannot reach the Argos package index" in message
    assert "generate.py models install FILE.argosmodel" in message
    assert models.list_packages(tmp_path / "packages") == []


def test_tests_cannot_reach_the_network():
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    with pytest.raises(urllib.error.URLError) as caught:
        urllib.request.urlopen("http://example.com/", timeout=1)
    assert isinstance(caught.value.reason, NetworkBlocked)


@pytest.fixture
def local_index(argos_packages, tmp_path, monkeypatch):
    """A package index served from this machine (loopback only), like the real one online."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    served = tmp_path / "served"
    served.mkdir()
    (served / "translate-en_es-1_0.argosmodel").write_bytes(argos_packages.copy_en_es.read_bytes())

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(served), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    index = [
        {
            "type": "translate",
            "from_code": "en",
            "to_code": "es",
            "package_version": "1.0",
            "from_name": "English",
            "to_name": "Spanish",
            "links": [f"{base}/translate-en_es-1_0.argosmodel"],
        },
        {"type": "translate", "from_code": "en", "to_code": "fr", "package_version": "1.0", "links": []},
    ]
    (served / "index.json").write_text(json.dumps(index))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"{base}/index.json"
    server.shutdown()
    server.server_close()


def test_install_by_pair_from_an_index(local_index, tmp_path):
    folder = tmp_path / "packages"
    info = models.install_pair("en", "es", folder, url=local_index, downloads=tmp_path / "dl")

    assert (info.from_code, info.to_code) == ("en", "es")
    assert models.find_package("en", "es", folder) == info
    assert list((tmp_path / "dl").iterdir()) == [], "the download is removed once installed"


def test_index_without_the_pair_lists_what_it_has(local_index, tmp_path):
    with pytest.raises(TranslationError) as caught:
        models.install_pair("en", "vi", tmp_path / "packages", url=local_index)
    assert "no en → vi package" in str(caught.value)
    assert "es, fr" in str(caught.value)


def test_packages_dir_is_set_before_argostranslate_is_imported(argos_packages, tmp_path):
    """In a fresh interpreter: argostranslate's own settings point at the project's folder."""
    folder = tmp_path / "packages"
    models.install_file(argos_packages.copy_en_es, folder)
    code = (
        "import sys; from handoutgen.mt import packages as models; "
        "info = models.list_packages()[0]; models.load_argos_package(info); "
        "import argostranslate.settings as s; "
        "print(s.package_data_dir); print(s.device); "
        "print('argostranslate.translate' in sys.modules, 'torch' in sys.modules)"
    )
    env = {**os.environ, "HANDOUTGEN_ARGOS_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    env.pop("ARGOS_PACKAGES_DIR", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[0] == str(folder)
    assert lines[1] == "cpu"
    assert lines[2] == "False False", "loading a package must not pull torch or stanza"


def test_locale_codes_map_to_argos_codes():
    assert [models.argos_code(c) for c in ("es", "zh_Hans", "zh_Hant", "pt_BR", "vi", "es-MX")] == [
        "es",
        "zh",
        "zt",
        "pb",
        "vi",
        "es",
    ]


# --- hostile archives and indexes ------------------------------------------------------------


def _archive_like(
    source: Path,
    dest: Path,
    extra: list[tuple[zipfile.ZipInfo | str, bytes]] = (),
    rename: dict[str, str] | None = None,
    metadata: dict | None = None,
) -> Path:
    """A copy of a real package archive, with members renamed, replaced or added."""
    rename = rename or {}
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item)
            name = item.filename
            for old, new in rename.items():
                name = name.replace(old, new, 1) if name.startswith(old) else name
            if metadata is not None and name.endswith("/metadata.json"):
                data = json.dumps({**json.loads(data), **metadata}).encode()
            out.writestr(name, data)
        for info, data in extra:
            out.writestr(info, data)
    return dest


@pytest.mark.parametrize(
    "member",
    [
        "translate-en_es-1_0/../../escaped.txt",
        "/tmp/absolute.txt",
        "translate-en_es-1_0/..\\..\\escaped.txt",
        "translate-en_es-1_0//double.txt",
        "C:/windows.txt",
    ],
    ids=["dotdot", "absolute", "backslash", "empty-part", "drive"],
)
def test_archive_member_paths_are_checked_before_extraction(argos_packages, tmp_path, member):
    archive = _archive_like(argos_packages.copy_en_es, tmp_path / "evil.argosmodel", [(member, b"pwned")])
    message = _assert_refused(archive, tmp_path / "packages", "")
    assert "unsafe path" in message or "one top-level folder" in message, message
    assert not (tmp_path / "escaped.txt").exists() and not Path("/tmp/absolute.txt").exists()


def test_a_symlink_member_is_refused(argos_packages, tmp_path):
    link = zipfile.ZipInfo("translate-en_es-1_0/model/vocab.txt")
    link.create_system = 3
    link.external_attr = 0o120777 << 16
    archive = _archive_like(argos_packages.copy_en_es, tmp_path / "link.argosmodel", [(link, b"/etc/passwd")])
    _assert_refused(archive, tmp_path / "packages", "symbolic link")


def test_a_zip_bomb_is_refused_from_the_central_directory_before_inflating(argos_packages, tmp_path):
    archive = tmp_path / "bomb.argosmodel"
    with (
        zipfile.ZipFile(argos_packages.copy_en_es) as src,
        zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for item in src.infolist():
            out.writestr(item, src.read(item))
        with out.open("translate-en_es-1_0/model/padding.bin", "w", force_zip64=True) as handle:
            for _ in range(200):
                handle.write(bytes(1024 * 1024))  # 200 MB of zeros, about 200 KB packed
    started = time.monotonic()
    _assert_refused(archive, tmp_path / "packages", "(a zip bomb)")
    assert time.monotonic() - started < 2.0, "refused from the sizes, without inflating"


def test_an_archive_over_the_size_limit_is_refused(argos_packages, tmp_path):
    folder = tmp_path / "packages"
    with pytest.raises(TranslationError) as caught:
        models.install_file(argos_packages.copy_en_es, folder, max_unpacked=64 * 1024)
    assert "would unpack to more than 64 KB (a zip bomb, or not a translation package)" in str(caught.value)
    assert list(folder.iterdir()) == []
    assert models.install_file(argos_packages.copy_en_es, folder).to_code == "es"  # the default limit fits


def test_a_member_whose_header_lies_about_its_size_is_refused_without_inflating(argos_packages, tmp_path):
    """The central directory says 10 bytes; the data inflates to 50 MB. Extraction stops at the
    declared size and the member fails its checksum: nothing is left behind."""
    import struct

    archive = _archive_like(
        argos_packages.copy_en_es,
        tmp_path / "lies.argosmodel",
        [("translate-en_es-1_0/model/extra.bin", bytes(50_000_000))],
    )
    data = bytearray(archive.read_bytes())
    at = data.rfind(b"PK\x01\x02")  # the last central-directory entry: extra.bin
    assert (
        data[at + 46 : at + 46 + len("translate-en_es-1_0/model/extra.bin")]
        == b"translate-en_es-1_0/model/extra.bin"
    )
    data[at + 24 : at + 28] = struct.pack("<I", 10)  # uncompressed size
    archive.write_bytes(bytes(data))
    started = time.monotonic()
    _assert_refused(archive, tmp_path / "packages", "fails its checksum")
    assert time.monotonic() - started < 2.0


def test_a_member_listed_twice_is_refused(argos_packages, tmp_path):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name, as it should
        archive = _archive_like(
            argos_packages.copy_en_es,
            tmp_path / "twice.argosmodel",
            [("translate-en_es-1_0/metadata.json", b'{"from_code": "en", "to_code": "fr"}')],
        )
    _assert_refused(archive, tmp_path / "packages", "twice")


def test_a_folder_name_taken_by_another_pair_is_a_clear_error_and_keeps_it(argos_packages, tmp_path):
    folder = tmp_path / "packages"
    installed = models.install_file(argos_packages.copy_en_es, folder)
    clash = _archive_like(
        argos_packages.copy_es_en,
        tmp_path / "clash.argosmodel",
        rename={"translate-es_en-1_0": "translate-en_es-1_0"},
    )
    with pytest.raises(TranslationError) as caught:
        models.install_file(clash, folder)
    message = str(caught.value)
    assert len(message.splitlines()) == 1 and message.startswith(str(clash))
    assert (
        "'translate-en_es-1_0' is already taken" in message and "en → es" in message and "es → en" in message
    )
    assert models.list_packages(folder) == [installed], "the installed package is untouched"
    assert [p.name for p in folder.iterdir()] == ["translate-en_es-1_0"], "no staging folder left behind"


def test_a_broken_package_folder_is_replaced_by_a_reinstall(argos_packages, tmp_path):
    folder = tmp_path / "packages"
    broken = folder / "translate-en_es-1_0"
    broken.mkdir(parents=True)
    (broken / "metadata.json").write_text("{not json")
    info = models.install_file(argos_packages.copy_en_es, folder)
    assert info.path == broken and models.list_packages(folder) == [info]


def test_the_index_may_not_point_at_local_files_or_plain_http(argos_packages, tmp_path):
    """Links come from the index, which is data from the network: file:// would read this machine's
    files, and plain http:// (to 169.254.169.254, say) travels unprotected. Only https is followed."""
    secret = tmp_path / "translate-en_es-1_0.argosmodel"
    secret.write_bytes(argos_packages.copy_en_es.read_bytes())  # a real package: it would install
    index = tmp_path / "index.json"
    index.write_text(
        json.dumps(
            [
                {
                    "type": "translate",
                    "from_code": "en",
                    "to_code": "es",
                    "package_version": "1.0",
                    "links": [
                        secret.as_uri(),
                        "http://169.254.169.254/latest/p.argosmodel",
                        "ftp://example.com/p.argosmodel",
                    ],
                }
            ]
        )
    )
    with pytest.raises(TranslationError) as caught:
        models.install_pair("en", "es", tmp_path / "packages", url=index.as_uri(), downloads=tmp_path / "dl")
    message = str(caught.value)
    assert message.count("not followed, only https:// links are followed") == 3, message
    assert models.list_packages(tmp_path / "packages") == []


def test_a_link_refusal_covers_redirects_too():
    assert models.link_refused("https://argos-net.com/v1/translate-en_es-1_0.argosmodel") is None
    assert models.link_refused("http://127.0.0.1:8000/p.argosmodel") is None  # a mirror on this machine
    for url in (
        "file:///etc/passwd",
        "http://169.254.169.254/",
        "ftp://x/y",
        "https://",
        "javascript:x",
        "data:,x",
    ):
        assert models.link_refused(url), url


def test_an_index_version_cannot_place_the_download_elsewhere(local_index, tmp_path):
    served = json.loads(urllib.request.urlopen(local_index).read())
    served[0]["package_version"] = "../../../escaped"
    index = tmp_path / "index.json"
    index.write_text(json.dumps(served))
    downloads = tmp_path / "dl"
    precious = tmp_path / "escaped.argosmodel"  # where dl/translate-en_es-../../../escaped… would land
    precious.write_text("a file of the user's")
    info = models.install_pair("en", "es", tmp_path / "packages", url=index.as_uri(), downloads=downloads)
    assert info.to_code == "es"
    assert precious.read_text() == "a file of the user's", "the download was written outside its folder"
    assert list(downloads.iterdir()) == []


@pytest.mark.parametrize("pair", [("../x", "es"), ("en", "es/../../x"), ("EN", "es")])
def test_a_pair_must_be_index_codes(tmp_path, pair):
    with pytest.raises(TranslationError, match="is not a language code of the package index"):
        models.install_pair(*pair, tmp_path / "packages", url="file:///nonexistent/index.json")
