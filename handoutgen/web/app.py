"""The review app behind ``generate.py serve``: Starlette, server-rendered Jinja2 pages, one small
script of our own, nothing from the internet.

Every change goes through the same library calls as the command line (:mod:`handoutgen.review`),
so the browser and ``generate.py review approve`` write the same records under the same locks.
Every page but sign-in needs a session; every form carries the session's CSRF token; responses carry
a Content-Security-Policy without inline script and ``frame-ancestors 'none'`` (the PDF preview may
be framed by the app's own pages only).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import secrets
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from handoutgen.web import accounts
from handoutgen.web.preview import Rebuilder
from handoutgen.web.security import SecurityHeaders, forbid

HERE = Path(__file__).resolve().parent
COOKIE = "handoutgen_session"
LOGIN_COOKIE = "handoutgen_login"
MAX_FORM = 64 * 1024


class App:
    """What every handler needs: the project, the account store, the page templates, the rebuilder."""

    def __init__(self, root: Path, *, secure_cookies: bool = False, rebuild: bool = True) -> None:
        self.root = Path(root).resolve()
        self.store = accounts.store_path(self.root)
        self.secure = secure_cookies
        self.pages = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "pages"), autoescape=True, undefined=jinja2.StrictUndefined
        )
        from handoutgen.review.sheets import word_diff

        self.pages.filters["word_diff"] = word_diff
        self.rebuilder = Rebuilder(self.root) if rebuild else None

    def render(self, template: str, request: Request, status: int = 200, **values: Any) -> HTMLResponse:
        user = getattr(request.state, "user", None)
        page = self.pages.get_template(template).render(
            user=user, csrf=getattr(request.state, "csrf", ""), **values
        )
        return HTMLResponse(page, status_code=status)

    def cookie(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name, value, max_age=max_age, httponly=True, samesite="strict", secure=self.secure, path="/"
        )


def make_app(root: Path, *, secure_cookies: bool = False, rebuild: bool = True) -> Starlette:
    from handoutgen.web import handlers

    app = App(root, secure_cookies=secure_cookies, rebuild=rebuild)
    routes = [
        Route(path, handlers.wrap(app, function), methods=methods)
        for path, function, methods in handlers.ROUTES
    ]

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if app.rebuilder is not None:
            app.rebuilder.start()
        try:
            yield
        finally:
            if app.rebuilder is not None:
                app.rebuilder.stop()

    starlette = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)], lifespan=lifespan)
    starlette.state.app = app
    return starlette


async def read_form(request: Request) -> dict[str, str]:
    """The posted form as text fields; a body over MAX_FORM is refused (no uploads here)."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_FORM):
        forbid(413, "the form is too large")
    form = await request.form(max_files=0, max_fields=50, max_part_size=MAX_FORM)
    return {k: v for k, v in form.items() if isinstance(v, str)}


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


def packet(paths: list[Path]) -> bytes:
    """A zip of PDFs (a print packet), made the same way each time."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            info = zipfile.ZipInfo(path.name, date_time=(2000, 1, 1, 0, 0, 0))
            archive.writestr(info, path.read_bytes())
    return out.getvalue()


def pdf_version(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else ""
