"""A schema folder in a Databricks workspace folder (`/Workspace/...`) or a Unity Catalog Volume
(`/Volumes/...`), for the app on Databricks, where neither is mounted: read and written through
databricks-sdk (workspace export/import, or the Files API).

The app works on a local mirror (the loader, validate and previews read files): `pull` copies every
sector folder's YAML into it, and a save writes the remote file first, then the mirror, so the
mirror never holds what the workspace does not. Validation happens before anything is written
(`schema_edit.save_table`), so invalid YAML never reaches the remote folder.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from streamforge.errors import StreamForgeError
from streamforge.spec.load import MAX_FILE_BYTES, YAML_SUFFIXES

WORKSPACE_PREFIX = "/Workspace/"
VOLUME_PREFIXES = ("/Volumes/", "dbfs:/Volumes/")


def is_remote(folder: str | Path | None) -> bool:
    """True for a workspace folder or a Volume path (the app reaches those through the SDK)."""
    text = str(folder or "")
    return text.startswith((WORKSPACE_PREFIX, *VOLUME_PREFIXES))


class _Store(Protocol):
    def entries(self, folder: str) -> list[tuple[str, bool]]: ...  # (name, is_directory)

    def read(self, path: str) -> bytes: ...

    def write(self, path: str, data: bytes) -> None: ...

    def mkdir(self, path: str) -> None: ...


class _Workspace:
    """Workspace files: list, export (raw, `AUTO`), import (`AUTO`, overwrite) and mkdirs."""

    def __init__(self, client: Any) -> None:
        self.api = client.workspace

    def entries(self, folder: str) -> list[tuple[str, bool]]:
        from databricks.sdk.service.workspace import ObjectType

        found = []
        for item in self.api.list(folder):
            name = PurePosixPath(item.path or "").name
            if item.object_type in (ObjectType.DIRECTORY, ObjectType.FILE):
                found.append((name, item.object_type == ObjectType.DIRECTORY))
        return found

    def read(self, path: str) -> bytes:
        from databricks.sdk.service.workspace import ExportFormat

        with self.api.download(path, format=ExportFormat.AUTO) as handle:
            return handle.read(MAX_FILE_BYTES + 1)

    def write(self, path: str, data: bytes) -> None:
        from databricks.sdk.service.workspace import ImportFormat

        self.api.upload(path, io.BytesIO(data), format=ImportFormat.AUTO, overwrite=True)

    def mkdir(self, path: str) -> None:
        self.api.mkdirs(path)


class _Volume:
    """Volume files through the Files API."""

    def __init__(self, client: Any) -> None:
        self.api = client.files

    def entries(self, folder: str) -> list[tuple[str, bool]]:
        return [
            (item.name or PurePosixPath(item.path or "").name, bool(item.is_directory))
            for item in self.api.list_directory_contents(folder)
        ]

    def read(self, path: str) -> bytes:
        contents = self.api.download(path).contents
        return contents.read(MAX_FILE_BYTES + 1) if contents is not None else b""

    def write(self, path: str, data: bytes) -> None:
        self.api.upload(path, io.BytesIO(data), overwrite=True)

    def mkdir(self, path: str) -> None:
        self.api.create_directory(path)


class RemoteSchema:
    """One remote schema folder (sector folders of table YAML files) and its local mirror."""

    def __init__(self, folder: str, client: Any, mirror: Path) -> None:
        self.folder = str(folder).removeprefix("dbfs:").rstrip("/")
        self.mirror = Path(mirror)
        self._store: _Store = (
            _Workspace(client) if self.folder.startswith(WORKSPACE_PREFIX) else _Volume(client)
        )

    def pull(self) -> Path:
        """Copy every sector folder's table files into the mirror (replacing what it held);
        returns the mirror. Raises StreamForgeError when the folder cannot be read."""
        try:
            sectors = [name for name, is_dir in self._store.entries(self.folder) if is_dir]
            files = {
                sector: {
                    name: self._store.read(f"{self.folder}/{sector}/{name}")
                    for name, is_dir in self._store.entries(f"{self.folder}/{sector}")
                    if not is_dir and PurePosixPath(name).suffix in YAML_SUFFIXES
                }
                for sector in sectors
                if not sector.startswith((".", "_"))
            }
        except Exception as exc:  # the SDK's errors name the path and the reason
            raise StreamForgeError(f"cannot read the schema folder {self.folder}: {exc}") from exc
        fresh = self.mirror.with_name(f".{self.mirror.name}.pulling")
        shutil.rmtree(fresh, ignore_errors=True)
        for sector, tables in files.items():
            (fresh / sector).mkdir(parents=True)
            for name, data in tables.items():
                (fresh / sector / name).write_bytes(data)
        fresh.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.mirror, ignore_errors=True)
        fresh.rename(self.mirror)
        return self.mirror

    def write(self, local: Path, text: str) -> None:
        """Write the remote file that `local` (a path inside the mirror) mirrors, then `local`."""
        relative = Path(local).resolve().relative_to(self.mirror.resolve())
        remote = f"{self.folder}/{relative.as_posix()}"
        try:
            if len(relative.parts) > 1:
                self._store.mkdir(f"{self.folder}/{relative.parent.as_posix()}")
            self._store.write(remote, text.encode("utf-8"))
        except Exception as exc:
            raise StreamForgeError(f"not saved: cannot write {remote}: {exc}") from exc
        local.parent.mkdir(parents=True, exist_ok=True)
        tmp = local.with_name(f".{local.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(local)
