"""A local stand-in for the Databricks Files API, spoken to by the real `databricks-sdk` client.

It serves what the SDK's `w.files` calls: `/api/2.0/fs/files{path}` (PUT with `?overwrite=`, GET,
HEAD, DELETE) and `/api/2.0/fs/directories{path}` (PUT, GET with `contents` + `next_page_token`,
HEAD, DELETE). Presigned-URL and multipart routes answer "not found" / "not implemented", as on
a workspace that does not offer them, so the SDK falls back to one PUT / one GET on the workspace
host. Files live in a dict; every request is logged; failures (503s, a 429 with Retry-After, a 403
for a prefix) can be injected, and so can a lost reply: the request is served, then the connection
drops before the answer (`lose_reply`).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from posixpath import dirname
from urllib.parse import parse_qs, unquote, urlsplit

TOKEN = "dapi-test"
WORKSPACE_ID = "1234567890"
FILES = "/api/2.0/fs/files"
DIRECTORIES = "/api/2.0/fs/directories"


@dataclass(frozen=True, slots=True)
class Request:
    """One request as the server saw it: the Files API path is decoded, the query flattened."""

    method: str
    api: str  # "files", "directories" or the raw route for anything else
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body_size: int = 0


@dataclass(slots=True)
class Failure:
    """Answer `status` instead of serving, `times` times, for matching requests."""

    status: int
    times: int | None  # None: for ever
    method: str | None
    prefix: str
    retry_after: int | None = None
    error_code: str = "TEMPORARILY_UNAVAILABLE"
    message: str = "injected failure"
    lost_reply: bool = False  # serve the request, then drop the connection without an answer


@dataclass(slots=True)
class FakeFilesApi:
    """The server's state: files by absolute path, directories, volumes, the log and failures."""

    volumes: set[str] = field(default_factory=lambda: {"/Volumes/main/demo/landing"})
    files: dict[str, bytes] = field(default_factory=dict)
    directories: set[str] = field(default_factory=set)
    log: list[Request] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    page_size: int = 2  # tiny, so that every listing in the tests walks several pages
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def fail(
        self,
        status: int,
        times: int | None = 1,
        *,
        method: str | None = None,
        prefix: str = "/",
        retry_after: int | None = None,
        error_code: str = "TEMPORARILY_UNAVAILABLE",
        message: str = "injected failure",
    ) -> None:
        rule = Failure(status, times, method, prefix, retry_after, error_code, message)
        with self.lock:
            self.failures.append(rule)

    def lose_reply(self, prefix: str, method: str | None = "PUT", times: int | None = 1) -> None:
        """Serve matching requests, then close the connection unanswered: the client cannot tell
        whether its request happened (a reset after the server committed it)."""
        rule = Failure(0, times, method, prefix, lost_reply=True)
        with self.lock:
            self.failures.append(rule)

    def deny(self, prefix: str, method: str | None = None) -> None:
        """A 403 PERMISSION_DENIED for every request under `prefix`, as a missing grant gives."""
        volume = ".".join(prefix.split("/")[2:5])
        message = f"User does not have WRITE VOLUME on Volume '{volume}'."
        self.fail(403, None, method=method, prefix=prefix, error_code="PERMISSION_DENIED",
                  message=message)  # fmt: skip

    def requests(self, method: str | None = None, api: str | None = "files") -> list[Request]:
        with self.lock:
            return [
                r
                for r in self.log
                if (method is None or r.method == method) and (api is None or r.api == api)
            ]

    def is_directory(self, path: str) -> bool:
        return path in self.volumes or path in self.directories

    def volume_of(self, path: str) -> str | None:
        return next((v for v in self.volumes if path == v or path.startswith(v + "/")), None)

    def make_directories(self, path: str) -> bool:
        volume = self.volume_of(path)
        if volume is None:
            return False
        while path != volume:
            self.directories.add(path)
            path = dirname(path)
        return True

    def failure_for(self, method: str, path: str) -> Failure | None:
        with self.lock:
            for rule in self.failures:
                if rule.method not in (None, method) or not path.startswith(rule.prefix):
                    continue
                if rule.times is not None:
                    if rule.times <= 0:
                        continue
                    rule.times -= 1
                return rule
        return None


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body in one send, without Nagle: else each response waits ~40ms for an ACK.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log is the record."""

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def do_POST(self) -> None:
        self._serve("POST")

    def _body(self) -> bytes | None:
        """The whole request body, or None when the client went away before sending all of it
        (killed mid-upload): like the real service, the fake then stores nothing."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                line = self.rfile.readline()
                if not line.strip():
                    return None
                size = int(line.split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                chunk = self.rfile.read(size)
                if len(chunk) < size:
                    return None
                data += chunk
                self.rfile.readline()
        size = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(size)
        return data if len(data) == size else None

    def _serve(self, method: str) -> None:
        state = self.server.state
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        body = self._body() if method in ("PUT", "POST") else b""
        if body is None:
            self.close_connection = True
            return
        api, path = "other", url.path
        for prefix, name in ((FILES, "files"), (DIRECTORIES, "directories")):
            if url.path.startswith(prefix + "/"):
                api, path = name, unquote(url.path[len(prefix) :])
        request = Request(method, api, path, query, dict(self.headers.items()), len(body))
        with state.lock:
            state.log.append(request)
        if url.path == "/.well-known/databricks-config":  # read by Config() before any auth
            meta = json.dumps({"workspace_id": WORKSPACE_ID}).encode()
            return self._reply(200, meta, {"Content-Type": "application/json"})
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._error(401, "UNAUTHENTICATED", "invalid access token")
        if api == "other":
            return self._error(404, "ENDPOINT_NOT_FOUND", f"no API at {url.path} in this fake")
        failure = state.failure_for(method, path)
        if failure is not None and failure.lost_reply:
            self._lost = True  # _reply stays silent; the handler closes the connection
            self.close_connection = True
        elif failure is not None:
            extra = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
            return self._error(failure.status, failure.error_code, failure.message, extra)
        with state.lock:
            if api == "files":
                return self._file(state, method, path, query, body)
            return self._directory(state, method, path, query)

    def _file(
        self, state: FakeFilesApi, method: str, path: str, query: dict[str, str], body: bytes
    ) -> None:
        if method == "POST":  # multipart upload sessions: not offered here, so the SDK walks on
            return self._error(501, "NOT_IMPLEMENTED", "multipart uploads are not supported")
        if method == "PUT":
            if not state.is_directory(dirname(path)):
                missing = f"The parent directory of {path} does not exist."
                return self._error(404, "NOT_FOUND", missing)
            if path in state.files and query.get("overwrite", "true") != "true":
                return self._error(409, "ALREADY_EXISTS", f"The file {path} already exists.")
            state.files[path] = body
            return self._reply(204)
        if path not in state.files:
            return self._error(404, "NOT_FOUND", f"The file {path} does not exist.")
        if method == "DELETE":
            del state.files[path]
            return self._reply(204)
        data = state.files[path]
        headers = {
            "Content-Type": "application/octet-stream",
            "Content-Length": str(len(data)),
            "Last-Modified": formatdate(usegmt=True),
        }
        return self._reply(200, data if method == "GET" else b"", headers)

    def _directory(
        self, state: FakeFilesApi, method: str, path: str, query: dict[str, str]
    ) -> None:
        if method == "PUT":
            if not state.make_directories(path):
                return self._error(404, "NOT_FOUND", f"The volume of {path} does not exist.")
            return self._reply(204)
        if not state.is_directory(path):
            return self._error(404, "NOT_FOUND", f"The directory {path} does not exist.")
        children = sorted(
            {p for p in [*state.files, *state.directories] if dirname(p) == path}
        )  # fmt: skip
        if method == "DELETE":
            if children:
                return self._error(409, "DIRECTORY_NOT_EMPTY", f"{path} is not empty.")
            state.directories.discard(path)
            return self._reply(204)
        if method == "HEAD":
            return self._reply(200)
        start = int(query.get("page_token") or 0)
        page = children[start : start + state.page_size]
        listing: dict[str, object] = {
            "contents": [
                {
                    "path": p + ("/" if p in state.directories else ""),
                    "name": p.rsplit("/", 1)[1],
                    "is_directory": p in state.directories,
                    **({"file_size": len(state.files[p])} if p in state.files else {}),
                }
                for p in page
            ]
        }
        if start + state.page_size < len(children):
            listing["next_page_token"] = str(start + state.page_size)
        body = json.dumps(listing).encode()
        return self._reply(200, body, {"Content-Type": "application/json"})

    def _error(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        body = b"" if self.command == "HEAD" else json.dumps(
            {"error_code": code, "message": message}
        ).encode()  # fmt: skip
        self._reply(status, body, {"Content-Type": "application/json", **(headers or {})})

    def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        if getattr(self, "_lost", False):
            return
        self.send_response(status)
        headers = dict(headers or {})
        headers.setdefault("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: FakeFilesApi) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


class FilesApiServer:
    """Runs a `FakeFilesApi` on 127.0.0.1 on a free port, in a thread, until `stop()`."""

    def __init__(self, state: FakeFilesApi | None = None) -> None:
        self.state = state or FakeFilesApi()
        self._server = _Server(self.state)
        self.state.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # A short poll interval: stop() waits for the next poll, and every test stops a server.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.01,), daemon=True
        )

    def start(self) -> FakeFilesApi:
        self._thread.start()
        return self.state

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
