"""Who holds a Volume lock, and whether that process is gone: the lock's proof of life besides its
heartbeat.

A lock file written by a process on this very machine can be judged at once: if that process no
longer exists, the lock is dead, without waiting for its heartbeat to go stale. "This very machine"
must be exact, or a live holder in another container could be judged dead because its pid is
unused here: so the host name, the kernel's boot id and the pid namespace must all match (Linux),
and the process's start time guards against a pid reused by another program.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

__all__ = ["Holder", "describe_gone", "this_process"]

Holder = dict[str, Any]  # the identity fields of a lock document


def this_process() -> Holder:
    """This process's identity: host, pid, and (on Linux) boot id, pid namespace, start time."""
    return {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "boot_id": _read("/proc/sys/kernel/random/boot_id"),
        "pid_ns": _pid_namespace(),
        "started": _start_time(os.getpid()),
    }


def describe_gone(held: Holder, live_tokens: set[str]) -> str | None:
    """Why the holder described by the lock document `held` is certainly gone, or None when it
    may be alive (another machine, or a process that still runs).

    `live_tokens`: the lock tokens this process holds right now; a lock of this very process whose
    token is not among them was left by a run of this process that has ended.
    """
    me = this_process()
    if not _same_machine(held, me):
        return None
    try:
        pid = int(held["pid"])
    except (KeyError, TypeError, ValueError):
        return None
    where = f"pid {pid} on {held.get('host')}"
    if pid == me["pid"] and held.get("started") == me["started"]:
        if held.get("token") in live_tokens:
            return None
        return f"it was left by an earlier run of this process ({where}), which has ended"
    if not _alive(pid) or _state(pid) == "Z":  # a zombie has exited; only its parent lags
        return f"its process ({where}) is gone"
    started = _start_time(pid)
    if held.get("started") is not None and started is not None and held["started"] != started:
        return f"its process ({where}) is gone, and its pid now belongs to another program"
    return None


def _same_machine(held: Holder, me: Holder) -> bool:
    """One machine and one pid namespace; each Linux mark must match when either side has it."""
    if held.get("host") != me["host"]:
        return False
    return all(held.get(mark) == me[mark] for mark in ("boot_id", "pid_ns"))


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat)."""
    fields = _stat(pid)
    return fields[19] if len(fields) > 19 else None


def _state(pid: int) -> str | None:
    """R, S, D, Z, ... (field 3 of /proc/<pid>/stat)."""
    fields = _stat(pid)
    return fields[0] if fields else None


def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the name (in parentheses, and may hold spaces)."""
    stat = _read(f"/proc/{pid}/stat")
    return stat.rsplit(")", 1)[-1].split() if stat else []


def _pid_namespace() -> str | None:
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return None


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None
