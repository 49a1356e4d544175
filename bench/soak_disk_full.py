"""`streamforge run` on a small tmpfs until the disk is full, then resumed once space is freed.

    sudo python bench/soak_disk_full.py            # needs root: it mounts a tmpfs (and unmounts it)
    sudo python bench/soak_disk_full.py --rounds 3 --size-mib 20

Round after round the run fills the file system: it must stop with exit 1 and one line naming the
file and saying the disk is full (no traceback, no "internal error"). The file system is then
grown by --size-mib (space freed), and the same command continues. At the end a larger file
system takes two more cycles and `verify` must be clean.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from soak_common import environment, run_args, verify


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size-mib", type=int, default=20)
    parser.add_argument("--format", default="json")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("mounting a tmpfs needs root")
    mount = Path(tempfile.mkdtemp(prefix="soak-disk-full-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={args.size_mib}m", "tmpfs", str(mount)],
                   check=True)  # fmt: skip
    rows = []
    try:
        out = mount / "landing"
        command = run_args(out, "--interval", "0.05", "--scale", "3", "--format", args.format,
                           "--duration", "300")  # fmt: skip
        for round_ in range(1, args.rounds + 1):
            size = args.size_mib * round_
            _resize(mount, size)
            began = time.monotonic()
            done = subprocess.run(command, capture_output=True, text=True, env=environment())
            lines = done.stderr.strip().splitlines()
            one_line = len(lines) == 1 and "disk is full" in lines[0] and str(out) in lines[0]
            clean = not any(n in done.stderr for n in ("Traceback", "internal error"))
            cycles = len(re.findall(r"cycle \d+: [\d,]+ rows", done.stdout))
            rows.append((round_, size, done.returncode, cycles, time.monotonic() - began,
                         one_line and clean, lines[-1] if lines else ""))  # fmt: skip
        _resize(mount, args.size_mib * args.rounds * 10)
        final = subprocess.run([*command, "--cycles", "2"], capture_output=True, text=True,
                               env=environment())  # fmt: skip
        ok, said = verify(out)
        used = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20
    finally:
        subprocess.run(["umount", str(mount)], check=False)
        mount.rmdir()
    print(f"## soak_disk_full: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"`python bench/soak_disk_full.py --rounds {args.rounds} --size-mib {args.size_mib} "
          f"--format {args.format}`")  # fmt: skip
    print()
    print("| round | tmpfs | exit | cycles before full | seconds | one clear line |")
    print("|---:|---:|---:|---:|---:|---|")
    for round_, size, code, cycles, seconds, said_well, _ in rows:
        print(f"| {round_} | {size} MiB | {code} | {cycles} | {seconds:.0f} | {said_well} |")
    print()
    print(f"Last message: `{rows[-1][6]}`")
    print()
    print(f"Resumed on a larger file system: exit {final.returncode}; landing {used:.1f} MiB; "
          f"verify {'clean' if ok else 'FAILED'}: {said}")  # fmt: skip


def _resize(mount: Path, size_mib: int) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size_mib}m", str(mount)], check=True)


if __name__ == "__main__":
    main()
