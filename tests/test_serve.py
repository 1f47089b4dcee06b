"""The review app end to end: the real ``generate.py serve`` in a subprocess, driven by Debian's
Chromium through Playwright, judged by what the browser shows and by the files it writes (the
approval records and the PO catalogue).

One server (on a copy of the project) serves the whole module; each test works on its own
entries (its own handout's queue), so the tests may run in any order or alone."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urljoin

import pytest
import yaml
from conftest import ROOT, TEST_REVIEWERS, copy_project, list_reviewers, pdf_text

from handoutgen.catalogs.approvals import load_approvals
from handoutgen.catalogs.states import State, entry_state
from handoutgen.catalogs.store import load_catalog, po_path

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
#: The test reviewers, and Tomás: listed as a reviewer for es, but his account is a translator's.
REVIEWERS = TEST_REVIEWERS.replace(
    "re_review_after_days",
    "  - id: tomas\n    name: Tomás Ortega\n    languages: [es]\n"
    "    qualification: bilingual staff (test)\nre_review_after_days",
)
USERS = [
    ("ana", "reviewer", ["es"]),  # reviewers.yaml lists her for vi too: the account does not
    ("rosa", "reviewer", ["es"]),
    ("tomas", "translator", ["es"]),
    ("lena", "editor", []),  # locked out by test 8, used by no other test
]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")


# -- the server and the browser ---------------------------------------------------------------------


@dataclass
class Server:
    root: Path
    url: str
    port: int
    process: subprocess.Popen
    log: Path
    contexts: list = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _generate(root: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "generate.py"), "-C", str(root), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _add_users(root: Path) -> None:
    adding = [
        subprocess.Popen(
            [sys.executable, str(ROOT / "generate.py"), "-C", str(root), "users", "add", name, "--role", role]
            + [a for code in codes for a in ("--lang", code)]
            + ["--password-stdin"],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, role, codes in USERS
    ]
    for process in adding:
        _, err = process.communicate(PASSWORD + "\n", timeout=60)
        assert process.returncode == 0, err


def _wait_until_answers(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"the server stopped: {server.log.read_text(errors='replace')}")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
            connection.request("GET", "/login")
            if connection.getresponse().status == 200:
                return
        time.sleep(0.2)
    raise AssertionError("the server did not answer within a minute")


def _stop(process: subprocess.Popen) -> None:
    """Stop the server and anything it started (its own process group, made for it)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError):  # build workers left behind, if any
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=15)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = copy_project(tmp_path_factory.mktemp("serve") / "project")
    list_reviewers(root, REVIEWERS)
    _add_users(root)
    port = _free_port()
    log = root.parent / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # no --host: the default must be the loopback address
            [sys.executable, str(ROOT / "generate.py"), "-C", str(root), "serve", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Server(root, f"http://127.0.0.1:{port}", port, process, log)
    try:
        _wait_until_answers(running)
        yield running
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def sign_in(server: Server, browser) -> Iterator:
    """``sign_in(name)``: a page of a new browser context, signed in as ``name``."""
    contexts = []

    def open_as(name: str | None, password: str = PASSWORD):
        context = browser.new_context(base_url=server.url)
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        if name is not None:
            page.goto("/login")
            page.fill("#name", name)
            page.fill("#password", password)
            page.click("button[type=submit]")
            page.wait_for_url(f"{server.url}/")
        return page

    yield open_as
    for context in contexts:
        context.close()


# -- reading the files ------------------------------------------------------------------------------


def records(root: Path, code: str = "es") -> list[dict]:
    path = root / "locales" / code / "approvals.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def message_of(root: Path, msgid: str, context: str | None = None, code: str = "es"):
    catalog = load_catalog(po_path(root / "locales", code))
    message = catalog.get(msgid, context=context)
    assert message is not None, msgid
    return message


def state_of(root: Path, msgid: str, context: str | None = None, code: str = "es") -> State:
    return entry_state(message_of(root, msgid, context, code), load_approvals(root, code))


def files_now(root: Path, code: str = "es") -> tuple[bytes, bytes]:
    log = root / "locales" / code / "approvals.jsonl"
    return po_path(root / "locales", code).read_bytes(), log.read_bytes() if log.exists() else b""


@dataclass
class Entry:
    number: str
    msgid: str
    context: str | None
    digest: str


def entries(page, form: str = "form.approve") -> list[Entry]:
    """The queue's entries that have ``form`` (and need no override to approve), as shown."""
    found = []
    for article in page.locator(f"article.entry:has({form})").all():
        if article.locator("select[name=override]").count():
            continue
        fields = article.locator(form)
        msgid, context, digest = (
            fields.locator(f"input[name={name}]").get_attribute("value")
            for name in ("msgid", "context", "digest")
        )
        found.append(Entry(article.get_attribute("data-number"), msgid, context or None, digest))
    return found


def article_for(page, msgid: str):
    """The queue's article of one entry, found by its text (entry numbers may change as others work)."""
    quoted = msgid.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return page.locator(f'article.entry:has(input[name=msgid][value="{quoted}"])').first


def csrf_of(page) -> str:
    return page.locator("form.logout input[name=csrf]").get_attribute("value")


def post(page, path: str, **form: str):
    return page.request.post(path, form=form, max_redirects=0)


# -- 1. sign-in -------------------------------------------------------------------------------------

PAGES = ["/", "/queue/es", "/queue/es?state=all", "/preview/es/aftercare", "/preview/es/aftercare/state"]
PAGES += ["/pdf/es/aftercare.pdf", "/pdf/en/aftercare.pdf", "/packet/es.zip", "/history", "/history?lang=es"]
ACTIONS = ["/logout", "/queue/es/approve", "/queue/es/edit", "/queue/es/send-back"]


def test_every_page_but_sign_in_needs_a_session_and_signing_in_works(server: Server, sign_in) -> None:
    page = sign_in(None)
    for path in PAGES:
        response = page.request.get(path, max_redirects=0)
        assert response.status == 303, path
        assert response.headers["location"].startswith("/login?next="), path
    for path in ACTIONS:
        response = post(page, path, msgid="x", digest="x", csrf="x")
        assert (response.status, response.headers["location"][:13]) == (303, "/login?next=/"), path
    assert page.request.get("/login").status == 200

    page.goto("/queue/es")  # the browser lands on the sign-in form, and comes back after it
    assert re.search(r"/login\?next=/queue/es$", page.url)
    page.fill("#name", "ana")
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    assert page.locator("p.error[role=alert]").inner_text() == "Wrong name or password."
    page.fill("#name", "ana")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/queue/es")
    assert page.locator("h1").inner_text() == "Review queue: es"
    assert "ana (reviewer: es)" in page.locator("header").inner_text()
    assert page.request.get("/", max_redirects=0).status == 200
    session = {c["name"]: c["value"] for c in page.context.cookies()}["handoutgen_session"]

    page.click("form.logout button")
    page.wait_for_url(re.compile(r"/login$"))
    page.goto("/")
    assert re.search(r"/login\?next=/$", page.url)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", "/", headers={"Cookie": f"handoutgen_session={session}"})
    assert connection.getresponse().status == 303, "a signed-out session still works"


# -- 2. a reviewer approves -------------------------------------------------------------------------


def test_a_reviewer_approves_an_entry_with_the_keyboard(server: Server, sign_in) -> None:
    page = sign_in("ana")
    page.goto("/queue/es?handout=aftercare")
    first = page.locator("article.entry").first
    entry = entries(page)[0]
    assert first.get_attribute("data-number") == entry.number, "the first entry needs an override"
    before = len(records(server.root))
    assert state_of(server.root, entry.msgid, entry.context) is not State.REVIEWED

    page.keyboard.press("j")  # the first entry
    assert page.evaluate("document.activeElement.id") == f"entry-{entry.number}"
    with page.expect_navigation():
        page.keyboard.press("a")
    assert page.locator("p.done[role=status]").inner_text() == "Approved."
    assert page.url.endswith("/queue/es?handout=aftercare&done=approved"), "the filter is lost"
    assert entry.msgid not in [e.msgid for e in entries(page)], "still in the queue"

    added = records(server.root)[before:]
    assert [(r["action"], r["by"], r["english"][0]) for r in added] == [("approve", "ana", entry.msgid)]
    assert added[0]["name"] == "Ana Reviewer" and added[0]["qualification"].startswith("ATA")
    assert state_of(server.root, entry.msgid, entry.context) is State.REVIEWED
    assert "fuzzy" not in message_of(server.root, entry.msgid, entry.context).flags


# -- 3. a translator edits --------------------------------------------------------------------------


def test_a_translator_edits_and_cannot_approve_their_own_text(server: Server, sign_in) -> None:
    from handoutgen.review.approve import approve_now, shown_now

    page = sign_in("tomas")
    page.goto("/queue/es?handout=back-care")
    assert page.locator("form.approve").count() == 0, "a translator is shown an Approve button"
    entry = entries(page, "form.edit")[0]
    text = "Texto nuevo de Tomás, para revisar."
    before = len(records(server.root))
    article = article_for(page, entry.msgid)
    unchanged = files_now(server.root)
    article.locator("textarea[name=text]").fill("   ")  # refused: said on the queue page, filter kept
    with page.expect_navigation():
        article.locator("form.edit button").click()
    assert page.locator("p.error[role=alert]").inner_text().startswith("the translation is empty")
    assert "handout=back-care" in page.url and files_now(server.root) == unchanged
    article.locator("textarea[name=text]").fill(text)
    with page.expect_navigation():
        article.locator("form.edit button").click()
    assert page.locator("p.done[role=status]").inner_text() == "Saved."
    shown = article_for(page, entry.msgid)
    assert shown.locator("p.text").inner_text() == text
    assert shown.locator("span.state").inner_text() == "awaiting review"
    assert shown.locator("p.origin").inner_text() == "From: tomas (edited in the review app)"

    message = message_of(server.root, entry.msgid, entry.context)
    assert message.string == text and not message.fuzzy
    assert state_of(server.root, entry.msgid, entry.context) is State.AWAITING
    added = records(server.root)[before:]
    assert [(r["action"], r["by"], r["translation"]) for r in added] == [("edit", "tomas", [text])]

    # reviewers.yaml lists Tomás for es, but he may not approve his own text: not in the browser ...
    digest = shown.locator("form.edit input[name=digest]").get_attribute("value")
    form = {"msgid": entry.msgid, "context": entry.context or "", "digest": digest, "csrf": csrf_of(page)}
    assert post(page, "/queue/es/approve", **form).status == 403
    # ... nor through the library the command line uses
    plan = approve_now(
        server.root, "es", "tomas", shown_now(server.root, "es", [(entry.msgid, entry.context)])
    )
    assert not plan.approve and "tomas wrote this translation" in plan.refused[0][1]
    assert len(records(server.root)) == before + 1
    assert state_of(server.root, entry.msgid, entry.context) is State.AWAITING

    other = sign_in("rosa")  # another listed reviewer may
    other.goto("/queue/es?handout=back-care")
    with other.expect_navigation():
        article_for(other, entry.msgid).locator("form.approve button").click()
    assert other.locator("p.done[role=status]").inner_text() == "Approved."
    last = records(server.root)[-1]
    assert (last["action"], last["by"], last["origin"]["name"]) == ("approve", "rosa", "tomas")
    assert state_of(server.root, entry.msgid, entry.context) is State.REVIEWED


# -- 4. the preview follows an edit -----------------------------------------------------------------


def _wait_for_quiet_builds(page, path: str, quiet: float = 2.0, timeout: float = 90) -> None:
    """Until the rebuilder has built at least once and not again for ``quiet`` seconds."""
    deadline, builds, since = time.monotonic() + timeout, -1, time.monotonic()
    while time.monotonic() < deadline:
        state = page.request.get(path).json()
        if state["builds"] != builds:
            builds, since = state["builds"], time.monotonic()
        elif builds >= 1 and time.monotonic() - since >= quiet:
            return
        time.sleep(0.25)
    raise AssertionError("the preview kept rebuilding")


def test_the_preview_shows_a_saved_edit_within_seconds(server: Server, sign_in, tmp_path: Path) -> None:
    handout = yaml.safe_load((server.root / "handouts" / "aftercare.yaml").read_text(encoding="utf-8"))
    heading = handout["sections"][0]["title"]
    queue = sign_in("tomas")
    preview = queue.context.new_page()
    _wait_for_quiet_builds(queue, "/preview/es/aftercare/state")
    preview.goto("/preview/es/aftercare")
    old_src = preview.locator("#preview iframe").get_attribute("src")
    assert old_src.startswith("/pdf/es/aftercare.pdf?v=")

    queue.goto("/queue/es?handout=aftercare&state=all")
    article = article_for(queue, heading)
    text = "Cuidados zeta nueve"
    article.locator("textarea[name=text]").fill(text)
    queue.evaluate("addEventListener('submit', () => sessionStorage.setItem('sent', Date.now()), true)")
    with queue.expect_navigation():
        article.locator("form.edit button").click()
    assert queue.locator("p.done[role=status]").inner_text() == "Saved."
    submitted = int(queue.evaluate("sessionStorage.getItem('sent')")) / 1000  # the browser's clock
    written = po_path(server.root / "locales", "es").stat().st_mtime  # is this machine's clock too
    preview.wait_for_function(
        "old => document.querySelector('#preview iframe').getAttribute('src') !== old",
        arg=old_src,
        timeout=60_000,
        polling=100,
    )
    shown = time.time()
    seconds, after_write = shown - submitted, shown - written
    print(f"\nedit-to-preview: {seconds:.1f} s from pressing Save ({after_write:.1f} s from the .po write)")
    assert seconds < 30

    new_src = preview.locator("#preview iframe").get_attribute("src")
    pdf = preview.request.get(new_src)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    (tmp_path / "shown.pdf").write_bytes(pdf.body())
    assert text in " ".join(pdf_text(tmp_path / "shown.pdf").split())
    assert message_of(server.root, heading).string == text


# -- 5. two reviewers at the same moment ------------------------------------------------------------


def test_two_reviewers_approving_at_the_same_moment_both_count(server: Server, sign_in) -> None:
    pages = [sign_in("ana"), sign_in("rosa")]
    for page in pages:
        page.goto("/queue/es?handout=first-visit")
    chosen = entries(pages[0])[:2]
    assert len(chosen) == 2
    before = len(records(server.root))
    at = pages[0].evaluate("Date.now()") + 400  # both click at this moment (one clock: one browser)
    for page, entry in zip(pages, chosen):
        page.evaluate(
            "([sel, at]) => setTimeout(() => document.querySelector(sel).click(), at - Date.now())",
            ["#" + article_for(page, entry.msgid).get_attribute("id") + " form.approve button", at],
        )
    for page in pages:
        page.wait_for_url(re.compile(r"done=approved"))
        assert page.locator("p.done[role=status]").inner_text() == "Approved."

    added = records(server.root)[before:]
    got = sorted((r["by"], r["english"][0]) for r in added if r["action"] == "approve")
    assert got == sorted([("ana", chosen[0].msgid), ("rosa", chosen[1].msgid)])
    for entry in chosen:
        assert state_of(server.root, entry.msgid, entry.context) is State.REVIEWED
    result = _generate(server.root, "review", "verify")
    assert result.returncode == 0, result.stdout + result.stderr

    # rosa, a moment late on ana's entry (the form as it was): told so, on the page, and no record
    late = {"msgid": chosen[0].msgid, "context": chosen[0].context or "", "digest": chosen[0].digest}
    back = "/queue/es?handout=first-visit"
    response = post(pages[1], "/queue/es/approve", csrf=csrf_of(pages[1]), back=back, **late)
    assert response.status == 303 and response.headers["location"].startswith(back + "&error=")
    pages[1].goto(response.headers["location"])
    assert "needs no review any more" in pages[1].locator("p.error[role=alert]").inner_text()
    assert len(records(server.root)) == before + 2


# -- 6. only one's own languages ---------------------------------------------------------------------


def test_a_reviewer_is_refused_a_language_they_may_not_review(server: Server, sign_in) -> None:
    from handoutgen.review.approve import shown_now

    shown = shown_now(server.root, "vi")
    entry = next(iter(shown.values()))
    before = files_now(server.root, "vi")
    for name in ("rosa", "ana"):  # rosa: not listed for vi; ana: listed, but her account is for es
        page = sign_in(name)
        page.goto("/queue/vi")
        assert page.locator("article.entry").count() > 0
        assert page.locator("form.approve, form.send-back, form.edit").count() == 0
        form = {"msgid": entry["msgid"], "context": entry["context"] or "", "digest": entry["digest"]}
        for action in ("approve", "send-back", "edit"):
            response = post(
                page, f"/queue/vi/{action}", csrf=csrf_of(page), comment="no good", text="x", **form
            )
            assert response.status == 403, (name, action)
    assert files_now(server.root, "vi") == before


# -- 7. CSRF ------------------------------------------------------------------------------------------


def test_a_post_without_the_right_csrf_token_is_refused(server: Server, sign_in) -> None:
    page, other = sign_in("rosa"), sign_in("ana")
    page.goto("/queue/es?handout=back-pain-faq")
    entry = entries(page)[0]
    form = {"msgid": entry.msgid, "context": entry.context or "", "digest": entry.digest}
    before = files_now(server.root)
    for csrf in ({}, {"csrf": ""}, {"csrf": "wrong"}, {"csrf": csrf_of(other)}):
        for action in ("approve", "send-back"):
            response = post(page, f"/queue/es/{action}", comment="needs work", **form, **csrf)
            assert response.status == 403, (action, csrf)
            assert "CSRF" in response.text()
    assert post(page, "/logout").status == 403
    assert files_now(server.root) == before
    assert page.request.get("/", max_redirects=0).status == 200, "the session ended"

    login = sign_in(None)  # the sign-in form has its own token, bound to a cookie
    login.goto("/login")
    assert post(login, "/login", name="rosa", password=PASSWORD).status == 403
    assert post(login, "/login", name="rosa", password=PASSWORD, csrf="wrong").status == 403
    assert "handoutgen_session" not in {c["name"] for c in login.context.cookies()}

    # the same request with the token goes through: the refusals above were the token's doing
    response = post(page, "/queue/es/approve", csrf=csrf_of(page), **form)
    assert response.status == 303 and "done=approved" in response.headers["location"]
    assert (records(server.root)[-1]["by"], records(server.root)[-1]["english"][0]) == ("rosa", entry.msgid)


# -- 8. locking ---------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account(server: Server, sign_in) -> None:
    page = sign_in(None)
    page.goto("/login")
    for _ in range(5):
        page.fill("#name", "lena")
        page.fill("#password", "wrong password, again")
        with page.expect_navigation() as navigation:
            page.click("button[type=submit]")
        assert navigation.value.status == 401
        assert page.locator("p.error").inner_text() == "Wrong name or password."
    page.fill("#name", "lena")
    page.fill("#password", PASSWORD)
    with page.expect_navigation() as navigation:
        page.click("button[type=submit]")
    assert navigation.value.status == 401
    assert "locked" in page.locator("p.error[role=alert]").inner_text()
    assert page.url.endswith("/login")
    assert "handoutgen_session" not in {c["name"] for c in page.context.cookies()}
    assert sign_in("rosa").locator("h1").count() == 1, "another account was locked too"


# -- 9. safety ----------------------------------------------------------------------------------------

TRAVERSALS = [
    "/pdf/..%2F..%2Fetc/passwd.pdf",
    "/pdf/es/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd.pdf",
    "/pdf/%2e%2e/%2e%2e/clinic.pdf",
    "/pdf/es/..%2F..%2Fclinic.yaml%00.pdf",
    "/queue/../../",
    "/queue/..%2F..%2F",
    "/queue/..%2F..%2Fetc%2Fpasswd",
    "/static/../app.py",
    "/static/..%2Fapp.py",
    "/static/..%2F..%2Fweb%2Fapp.py",
    "/static/%2e%2e%2fapp.py",
    "/static/app.py",
    "/preview/..%2F..%2F/etc%2Fpasswd",
    "/preview/es/..%2F..%2Fclinic/state",
    "/packet/..%2F..%2Fetc%2Fpasswd.zip",
    "/history?lang=..%2F..%2Fetc",
    "/../../../etc/passwd",
]


def _raw_get(server: Server, path: str, cookie: str) -> tuple[int, bytes]:
    """GET exactly ``path`` (no URL normalising on our side), following redirects within the app."""
    for _ in range(5):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        body = response.read()
        location = response.getheader("location")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            return response.status, body
        path = location.removeprefix(server.url)
        assert path.startswith("/") and not path.startswith("/login"), location
    raise AssertionError(f"redirect loop from {path}")


def _listening_addresses(port: int) -> set[str]:
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, _, hex_port = local.partition(":")
                if state == "0A" and int(hex_port, 16) == port:
                    found.add(address)
    return found


def test_headers_cookies_paths_and_the_address_are_safe(server: Server, sign_in) -> None:
    page = sign_in(None)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    response = page.goto("/login")
    cookies = {c["name"]: c for c in page.context.cookies()}
    page.fill("#name", "ana")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    cookies.update({c["name"]: c for c in page.context.cookies()})
    for name in ("handoutgen_login", "handoutgen_session"):
        assert (cookies[name]["httpOnly"], cookies[name]["sameSite"]) == (True, "Strict"), name

    for path in ("/login", "/", "/queue/es", "/preview/es/aftercare", "/history", "/static/app.js"):
        headers = page.goto(path).headers if path != "/login" else response.headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        assert "script-src 'self'" in csp and "default-src 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    assert not [p for p in problems if "Content Security Policy" in p], problems
    pdf = page.request.get("/pdf/es/aftercare.pdf")
    assert pdf.status == 200 and pdf.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'self'" in pdf.headers["content-security-policy"]

    cookie = (
        "handoutgen_session=" + {c["name"]: c["value"] for c in page.context.cookies()}["handoutgen_session"]
    )
    assert _raw_get(server, "/pdf/es/aftercare.pdf", cookie)[0] == 200
    for path in TRAVERSALS:
        status, body = _raw_get(server, path, cookie)
        assert status in (403, 404), (path, status)
        assert b"root:" not in body and b"import " not in body and b"%PDF" not in body, path

    login = sign_in(None)  # signing in never sends the browser to another site
    for target in ("//example.org/", "/\\example.org/", "https://example.org/", "/\t/example.org"):
        login.goto("/login?" + urlencode({"next": target}))
        csrf = login.locator("form.login input[name=csrf]").get_attribute("value")
        response = post(login, login.url, name="rosa", password=PASSWORD, csrf=csrf)
        assert response.status == 303, target
        assert urljoin(server.url, response.headers["location"]).startswith(server.url + "/"), target

    assert _listening_addresses(server.port) == {"0100007F"}, "serve binds beyond 127.0.0.1 by default"
    assert f"on http://127.0.0.1:{server.port}/" in server.log.read_text(errors="replace")
