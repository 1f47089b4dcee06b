"""The pages and actions of the review app. Each handler is plain code run in a worker thread; the
wrapper signs the user in from the session cookie, checks the CSRF token of every POST, and turns a
refused action into a message on the page (never a traceback)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response

from handoutgen.errors import HandoutError
from handoutgen.web import accounts
from handoutgen.web.app import COOKIE, LOGIN_COOKIE, App, new_login_token, packet, pdf_version, read_form
from handoutgen.web.security import forbid

Handler = Callable[[App, Request], Any]
PUBLIC = {"/login", "/static/app.js", "/static/app.css"}
STATIC = {"app.js": "text/javascript", "app.css": "text/css"}


def wrap(app: App, function: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        request.state.form = await read_form(request) if request.method == "POST" else {}
        if request.url.path not in PUBLIC:
            found = await run_in_threadpool(accounts.session_user, app.store, request.cookies.get(COOKIE))
            if found is None:
                target = quote(request.url.path)
                return RedirectResponse(f"/login?next={target}", status_code=303)
            request.state.user, request.state.csrf = found
            if request.method == "POST" and not accounts.csrf_ok(found[1], request.state.form.get("csrf")):
                return PlainTextResponse("refused: the form has no valid CSRF token; reload the page", 403)
        try:
            return await run_in_threadpool(function, app, request)
        except HandoutError as exc:  # a refused action: say why, on the page it came from
            back = _back(request)
            if request.method == "POST" and back:
                return _back_with(back, error=str(exc).splitlines()[0])
            return PlainTextResponse(f"refused: {exc}", 409)

    return endpoint


def _back(request: Request) -> str:
    """The queue page a form was on (its ``back`` field: the browser sends no Referer, see
    security.py), only if it is a path of the queue on this site; else ""."""
    back = request.state.form.get("back", "")
    if not back.startswith("/queue/") or "//" in back or "\\" in back:
        return ""
    return back if all(" " < c < "\x7f" for c in back) else ""


def _back_with(url: str, **message: str) -> RedirectResponse:
    base = url.split("#")[0]
    joiner = "&" if "?" in base else "?"
    return RedirectResponse(base + joiner + urlencode(message), status_code=303)


# -- sign-in ----------------------------------------------------------------------------------------


def login_page(app: App, request: Request) -> Response:
    token = new_login_token()
    response = app.render("login.html.j2", request, login_csrf=token, error=request.query_params.get("error"))
    app.cookie(response, LOGIN_COOKIE, token, 600)
    return response


def login(app: App, request: Request) -> Response:
    form = request.state.form
    if not accounts.csrf_ok(request.cookies.get(LOGIN_COOKIE, ""), form.get("csrf")):
        return PlainTextResponse("refused: the sign-in form has no valid CSRF token; reload the page", 403)
    try:
        session = accounts.sign_in(app.store, form.get("name", ""), form.get("password", ""))
    except accounts.Locked:
        return _login_again(app, request, "Too many wrong passwords: this account is locked for 15 minutes.")
    if session is None:
        return _login_again(app, request, "Wrong name or password.")
    target = request.query_params.get("next", "/")
    response = RedirectResponse(
        target if target.startswith("/") and not target.startswith("//") else "/", 303
    )
    app.cookie(response, COOKIE, session[0], accounts.SESSION_SECONDS)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


def _login_again(app: App, request: Request, error: str) -> Response:
    token = new_login_token()
    response = app.render("login.html.j2", request, status=401, login_csrf=token, error=error)
    app.cookie(response, LOGIN_COOKIE, token, 600)
    return response


def logout(app: App, request: Request) -> Response:
    accounts.sign_out(app.store, request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def static(app: App, request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC:
        forbid(404, "no such file")
    return FileResponse(Path(__file__).parent / "static" / name, media_type=STATIC[name])


# -- pages -------------------------------------------------------------------------------------------


def overview(app: App, request: Request) -> Response:
    from handoutgen.build.status import COLUMNS, _cells, compute_status

    inputs, rows = compute_status(app.root)
    return app.render(
        "overview.html.j2", request, rows=rows, cells=_cells, columns=COLUMNS, locales=inputs.clinic.locales
    )


def _locale(app: App, code: str) -> str:
    """A locale code from the URL, only if the project has that catalogue (no path is built otherwise)."""
    from handoutgen.catalogs.store import locales_on_disk

    if code not in locales_on_disk(app.root / "locales"):
        forbid(404, "no such language in this project")
    return code


def _handout(app: App, name: str) -> str:
    known = {p.stem for p in (app.root / "handouts").glob("*.yaml")}
    if name not in known:
        forbid(404, "no such handout")
    return name


def queue(app: App, request: Request) -> Response:
    from handoutgen.review.queue import queue_view

    code = _locale(app, request.path_params["lang"])
    params = request.query_params
    view = queue_view(
        app.root, code, request.state.user, params.get("handout"), params.get("state"), params.get("finding")
    )
    filters = urlencode({k: v for k, v in view.filters.items() if v})
    return app.render(
        "queue.html.j2",
        request,
        view=view,
        code=code,
        message=params.get("done"),
        error=params.get("error"),
        back=f"/queue/{code}" + (f"?{filters}" if filters else ""),
    )


def _entry(request: Request) -> tuple[tuple[str, str | None], str]:
    form = request.state.form
    context = form.get("context") or None
    return (form.get("msgid", ""), context), form.get("digest", "")


def approve(app: App, request: Request) -> Response:
    from handoutgen.review.approve import approve_now, parse_overrides

    code = _locale(app, request.path_params["lang"])
    user = request.state.user
    if not user.may("review", code):
        forbid(403, f"{user.name} may not review '{code}'")
    key, digest = _entry(request)
    form = request.state.form
    overrides = (
        parse_overrides([f"{form['override']}={form.get('reason', '')}"]) if form.get("override") else {}
    )
    plan = approve_now(
        app.root, code, user.name, {"1": {"msgid": key[0], "context": key[1], "digest": digest}}, overrides
    )
    if plan.refused:
        raise HandoutError(f"not approved: {plan.refused[0][1]}")
    if not plan.approve:  # someone approved it a moment ago, or it left the catalogue
        raise HandoutError("not approved: this entry needs no review any more; reload the page")
    _poke(app)
    return _back_with(_back(request) or f"/queue/{code}", done="approved")


def edit(app: App, request: Request) -> Response:
    from handoutgen.review.edits import edit_translation

    text = request.state.form.get("text", "")
    return _act(
        app,
        request,
        "edit",
        "saved",
        lambda code, key, digest, who: edit_translation(app.root, code, key, digest, text, who, who),
    )


def send_back(app: App, request: Request) -> Response:
    from handoutgen.review import edits

    comment = request.state.form.get("comment", "")
    return _act(
        app,
        request,
        "review",
        "sent back",
        lambda code, key, digest, who: edits.send_back(app.root, code, key, digest, who, who, comment),
    )


def _act(app: App, request: Request, right: str, done: str, action: Callable[..., None]) -> Response:
    """An edit or send-back: the right to do it in this language, then the library call."""
    code = _locale(app, request.path_params["lang"])
    user = request.state.user
    if not user.may(right, code):
        forbid(403, f"{user.name} may not {'translate' if right == 'edit' else 'review'} '{code}'")
    key, digest = _entry(request)
    action(code, key, digest, user.name)
    _poke(app)
    return _back_with(_back(request) or f"/queue/{code}", done=done)


def _poke(app: App) -> None:
    if app.rebuilder is not None:
        app.rebuilder.poke()


def preview(app: App, request: Request) -> Response:
    code, name = (
        _locale_or_en(app, request.path_params["lang"]),
        _handout(app, request.path_params["handout"]),
    )
    pdf = app.root / "build" / code / f"{name}.pdf"
    return app.render(
        "preview.html.j2", request, code=code, name=name, version=pdf_version(pdf), exists=pdf.is_file()
    )


def _locale_or_en(app: App, code: str) -> str:
    return code if code == "en" else _locale(app, code)


def preview_state(app: App, request: Request) -> Response:
    code, name = (
        _locale_or_en(app, request.path_params["lang"]),
        _handout(app, request.path_params["handout"]),
    )
    rebuilder = app.rebuilder
    state = {
        "version": pdf_version(app.root / "build" / code / f"{name}.pdf"),
        "builds": rebuilder.builds if rebuilder else 0,
        "error": rebuilder.last_error if rebuilder else None,
    }
    return JSONResponse(state)


def pdf(app: App, request: Request) -> Response:
    code, name = (
        _locale_or_en(app, request.path_params["lang"]),
        _handout(app, request.path_params["handout"]),
    )
    path = app.root / "build" / code / f"{name}.pdf"
    if not path.is_file():
        forbid(404, "this sheet is not built (waiting for translation, or it failed: see the overview)")
    return Response(
        path.read_bytes(),
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="{code}-{name}.pdf"'},
    )


def print_packet(app: App, request: Request) -> Response:
    """Every final sheet of one language, as one zip to print."""
    from handoutgen.build.status import compute_status

    code = _locale_or_en(app, request.path_params["lang"])
    _, rows = compute_status(app.root, (code,))
    paths = [app.root / "build" / code / f"{r.handout}.pdf" for r in rows if r.ready]
    paths = [p for p in paths if p.is_file()]
    if not paths:
        forbid(404, f"no final sheet in '{code}' yet")
    headers = {"content-disposition": f'attachment; filename="handouts-{code}.zip"'}
    return Response(packet(paths), media_type="application/zip", headers=headers)


def history(app: App, request: Request) -> Response:
    from handoutgen.review.queue import history_rows

    code = request.query_params.get("lang")
    rows = history_rows(app.root, _locale(app, code) if code else None)
    return app.render("history.html.j2", request, rows=rows, code=code)


ROUTES: list[tuple[str, Handler, list[str]]] = [
    ("/login", login_page, ["GET"]),
    ("/login", login, ["POST"]),
    ("/logout", logout, ["POST"]),
    ("/static/{name}", static, ["GET"]),
    ("/", overview, ["GET"]),
    ("/queue/{lang}", queue, ["GET"]),
    ("/queue/{lang}/approve", approve, ["POST"]),
    ("/queue/{lang}/edit", edit, ["POST"]),
    ("/queue/{lang}/send-back", send_back, ["POST"]),
    ("/preview/{lang}/{handout}", preview, ["GET"]),
    ("/preview/{lang}/{handout}/state", preview_state, ["GET"]),
    ("/pdf/{lang}/{handout}.pdf", pdf, ["GET"]),
    ("/packet/{lang}.zip", print_packet, ["GET"]),
    ("/history", history, ["GET"]),
]
