"""Security headers on every response, and refusals as HTTP errors."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: No inline script or style, nothing from elsewhere, never framed (the PDF preview: by the app only).
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-src 'self'; connect-src 'self'; frame-ancestors 'none'"
)
PDF_CSP = "default-src 'none'; frame-ancestors 'self'"
HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"cross-origin-opener-policy": b"same-origin",
    b"cross-origin-resource-policy": b"same-origin",
    b"cache-control": b"no-store",
}


class SecurityHeaders:
    """Adds the headers above to every response (pure ASGI: streaming responses work too)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in HEADERS]
                is_pdf = any(k == b"content-type" and v.startswith(b"application/pdf") for k, v in headers)
                headers += list(HEADERS.items())
                headers.append((b"content-security-policy", (PDF_CSP if is_pdf else CSP).encode()))
                if not is_pdf:
                    headers.append((b"x-frame-options", b"DENY"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def forbid(status: int, reason: str) -> None:
    raise HTTPException(status_code=status, detail=reason)
