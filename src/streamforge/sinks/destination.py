"""Which landing a destination names: a Unity Catalog Volume path, or a local folder; and the
landing that writes there.

The CLI, the facade and the web app all ask here, so `dbfs:/Volumes/...`, a trailing slash or a
doubled slash mean the same Volume everywhere, and a URL of another scheme is refused instead of
silently becoming a local folder called `s3:`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from streamforge.errors import StreamForgeError

if TYPE_CHECKING:
    from streamforge.sinks.formats import FileFormat
    from streamforge.sinks.landing import Landing

# s3://, abfss://, gs://, file:/, http://, ...: a scheme we do not write to. A colon not followed
# by a slash ("run:1") is an ordinary folder name.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:/")


class UnsupportedDestination(StreamForgeError):
    """A destination that is neither a local folder nor a `/Volumes/...` path."""


def is_volume(text: str) -> bool:
    """True for `/Volumes/...` and `dbfs:/Volumes/...` (after collapsing doubled slashes)."""
    return _collapse(text.strip()).startswith("/Volumes/")


def normalise_volume(text: str) -> str:
    """`dbfs:/Volumes//c/s/v/x/` → `/Volumes/c/s/v/x`.

    Raises:
        StreamForgeError: the path does not name `/Volumes/<catalog>/<schema>/<volume>[/path]`.
    """
    from streamforge.sinks.volume_files import VolumePath  # the SDK is imported only for Volumes

    return VolumePath.parse(_collapse(text)).root


def check_destination(text: str) -> str:
    """The destination with surrounding blanks removed, when it names something we can write.

    Raises:
        UnsupportedDestination: empty, a NUL character, `~` (not expanded on purpose: a server would
            expand it to its own home), or a URL scheme other than `dbfs:/Volumes`.
    """
    text = text.strip()
    if not text:
        raise UnsupportedDestination(
            "choose a destination: a local folder or /Volumes/<catalog>/<schema>/<volume>/…"
        )
    if "\x00" in text:
        raise UnsupportedDestination("the destination contains a NUL character")
    if text.startswith("~"):
        raise UnsupportedDestination(
            f"'{text}': '~' is not expanded; give the folder's full path or a relative one"
        )
    if _SCHEME.match(text) and not is_volume(text):
        scheme = text.split(":", 1)[0]
        raise UnsupportedDestination(
            f"'{text}': '{scheme}:' destinations are not supported; write to a local folder or "
            "a Unity Catalog Volume (/Volumes/<catalog>/<schema>/<volume>/…)"
        )
    return text


def open_landing(text: str) -> Landing:
    """The landing at `text`: a `VolumeLanding` for `/Volumes/...` (and `dbfs:/Volumes/...`),
    else a `LocalLanding` on that folder.

    Raises:
        UnsupportedDestination: see `check_destination`; StreamForgeError: a malformed Volume path.
    """
    from streamforge.sinks.local import LocalLanding

    text = check_destination(text)
    if is_volume(text):
        from streamforge.sinks.volume import VolumeLanding  # the SDK loads for Volumes only

        return VolumeLanding.from_path(normalise_volume(text))
    return LocalLanding(Path(text))


def check_format(text: str, fmt: FileFormat) -> None:
    """Refuse a table format (`delta`) to a Volume before anything is written: delta-rs writes a
    table through a file system (listing, atomic log commits), a Volume is reached through the
    Files API, which offers neither, and Databricks Apps do not mount /Volumes.

    Raises:
        StreamForgeError: naming the formats the Volume takes.
    """
    from streamforge.sinks.formats import FORMATS

    if is_volume(text) and fmt.writes == "tables":
        names = [n for n, f in sorted(FORMATS.items()) if f.writes == "files"]
        files = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        raise StreamForgeError(
            f"--format {fmt.name} cannot write to a Volume ({text}): a {fmt.name} table needs a "
            f"file system, a Volume is written through the Files API. Write {files} to the "
            f"Volume (the generated pipeline builds the Delta tables), or {fmt.name} to a local "
            "folder"
        )


def _collapse(text: str) -> str:
    """Drop `dbfs:` before `/Volumes` and collapse doubled slashes."""
    if text.startswith("dbfs:/"):
        text = text[len("dbfs:") :]
    return re.sub(r"/{2,}", "/", text)
