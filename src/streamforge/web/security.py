"""What every answer of the app carries, and what every request must be, before a route runs.

- Security headers: the pages may not be framed (clickjacking), types are not sniffed, and scripts
  come only from the app's own static files (the vendored highlight.js and Swagger UI satisfy that;
  inline style attributes are allowed because the charts size their bars with them).
- Host check when served locally: a page on another site cannot reach the app through DNS rebinding.
  On Databricks Apps the platform's proxy fronts the app and sets the host, so no check there.
- A NUL character anywhere in the path or the query is refused with 400 naming the field, before a
  route passes it to the file system (which would raise and answer 500).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, unquote

from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]", "testserver")


class SecurityHeaders:
    """ASGI middleware: adds HEADERS to every HTTP answer, refuses NUL in path and query."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = _nul_problem(scope)
        if problem is not None:
            answer = JSONResponse({"detail": problem}, status_code=400)
            await answer(scope, receive, self._with_headers(send))
            return
        await self.app(scope, receive, self._with_headers(send))

    @staticmethod
    def _with_headers(send: Send) -> Send:
        async def wrapped(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        return wrapped


def _nul_problem(scope: Scope) -> str | None:
    if "\x00" in scope.get("path", "") or "%00" in scope.get("raw_path", b"").decode("latin-1"):
        return "the URL path contains a NUL character"
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if "\x00" in value or "\x00" in name:
            return f"{unquote(name.replace(chr(0), ''))}: contains a NUL character"
    return None


def protect(app, allowed_hosts: Iterable[str] | None) -> None:
    """Add the host check (when `allowed_hosts` is given) and SecurityHeaders to `app`."""
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(SecurityHeaders)
