"""A local stand-in for the workspace and pipelines APIs that `deploy` and the app's workspace
schema folder call, spoken to by the real `databricks-sdk`: workspace mkdirs, import, list and
export (files kept in memory), pipelines list/create/edit, permissions and updates. Every request
is logged with the token it carried, so tests see who did what.
"""

from __future__ import annotations

import json
import posixpath
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

APP_TOKEN = "dapi-app"
USER_TOKEN = "dapi-user"


@dataclass(slots=True)
class FakeWorkspace:
    pipelines: dict[str, dict] = field(default_factory=dict)
    imported: dict[str, int] = field(default_factory=dict)  # path -> request bytes
    files: dict[str, bytes] = field(default_factory=dict)  # workspace files by path
    folders: set[str] = field(default_factory=set)
    grants: dict[str, list] = field(default_factory=dict)
    updates: list[str] = field(default_factory=list)
    log: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, token
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def _serve(self, method: str) -> None:
        state = self.server.state
        path = urlsplit(self.path).path
        size = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(size) if size else b""
        if path == "/.well-known/databricks-config":
            return self._reply(200, {"workspace_id": "42"})
        query = dict(parse_qsl(urlsplit(self.path).query))
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        if token not in (APP_TOKEN, USER_TOKEN):
            return self._reply(401, {"error_code": "UNAUTHENTICATED", "message": "bad token"})
        with state.lock:
            state.log.append((method, path, token))
            if path in ("/api/2.0/workspace/list", "/api/2.0/workspace/export"):
                return self._read(state, path, query["path"])
            return self._route(state, method, path, raw, token)

    def _read(self, state: FakeWorkspace, route: str, wanted: str):
        """List a folder, or export a file as it was imported (direct download)."""
        if route.endswith("/export"):
            if wanted not in state.files:
                return self._reply(
                    404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": wanted}
                )
            return self._raw(state.files[wanted])
        if wanted not in state.folders:
            return self._reply(404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": wanted})
        inside = [p for p in [*state.folders, *state.files] if posixpath.dirname(p) == wanted]
        objects = [
            {"path": p, "object_type": "DIRECTORY" if p in state.folders else "FILE"}
            for p in sorted(inside)
        ]
        return self._reply(200, {"objects": objects})

    def _route(self, state: FakeWorkspace, method: str, path: str, raw: bytes, token: str):
        body = json.loads(raw) if raw[:1] == b"{" else {}
        parts = path.split("/")
        if path == "/api/2.0/workspace/mkdirs":
            folder = body["path"]
            while folder not in ("/", ""):  # like the workspace: parents too
                state.folders.add(folder)
                folder = posixpath.dirname(folder)
            return self._reply(200, {})
        if path == "/api/2.0/workspace/import":
            fields = _multipart(raw, self.headers.get("Content-Type", ""))
            name = fields["path"].decode()
            state.imported[name] = len(raw)
            if posixpath.dirname(name) not in state.folders:
                return self._reply(404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": name})
            state.files[name] = fields["content"]
            return self._reply(200, {})
        if path == "/api/2.0/pipelines" and method == "GET":
            listed = [{"pipeline_id": i, "name": p["name"]} for i, p in state.pipelines.items()]
            return self._reply(200, {"statuses": listed})
        if path == "/api/2.0/pipelines" and method == "POST":
            ident = f"p-{len(state.pipelines) + 1}"
            state.pipelines[ident] = {**body, "owner_token": token}
            return self._reply(200, {"pipeline_id": ident})
        if parts[:4] == ["", "api", "2.0", "pipelines"] and len(parts) == 5 and method == "PUT":
            state.pipelines[parts[4]].update(body)
            return self._reply(200, {})
        if parts[-1] == "updates" and method == "POST":
            state.updates.append(parts[4])
            return self._reply(200, {"update_id": f"u-{len(state.updates)}"})
        if path.startswith("/api/2.0/permissions/pipelines/") and method == "PATCH":
            state.grants.setdefault(parts[-1], []).extend(body.get("access_control_list", []))
            return self._reply(200, {"object_id": parts[-1], "access_control_list": []})
        return self._reply(404, {"error_code": "ENDPOINT_NOT_FOUND", "message": path})

    def _raw(self, data: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _reply(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _multipart(raw: bytes, content_type: str) -> dict[str, bytes]:
    """The fields of a multipart/form-data body, by name (what the SDK's upload sends)."""
    boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
    fields = {}
    for part in raw.split(b"--" + boundary)[1:-1]:
        part = part.removeprefix(b"\r\n").removesuffix(b"\r\n")  # not the file's own newlines
        head, _, value = part.partition(b"\r\n\r\n")
        name = head.split(b'name="', 1)[1].split(b'"', 1)[0].decode()
        fields[name] = value
    return fields


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: FakeWorkspace) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


class WorkspaceServer:
    """Start with `start()` (returns the state, whose `url` is the host), stop with `stop()`."""

    def __init__(self) -> None:
        self.state = FakeWorkspace()
        self._server = _Server(self.state)
        self.state.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> FakeWorkspace:
        self._thread.start()
        return self.state

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
