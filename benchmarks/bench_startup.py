"""Benchmark (not a test): `kb4tui --demo` from process start to the campaign list painted.

Runs the real command in a pseudo-terminal (120x40, TERM=xterm-256color) with a throwaway
HOME, and reads what it draws until the names of three demo campaigns have been written
(the campaign table's rows; names are those of the same deterministic demo organisation).
Then the process is terminated. No hook in the app is needed. Also the CPU time the
process had used by then (from /proc: steadier than wall time on a shared machine, where
the neighbours' load moves wall time by a third), and import times from
`python -X importtime`.

    .venv/bin/python benchmarks/bench_startup.py [--runs 5]

Every launch shares one throwaway HOME: the first starts with an empty data cache, the
later ones find the demo profile's cache from the launch before (and warm OS file caches).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import select
import signal
import statistics
import struct
import subprocess
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS_NEEDED = 3


def campaign_names() -> re.Pattern[bytes]:
    """The start of each demo campaign's name, as the table draws it (before any cut)."""
    from kb4tui.demo import generate_org

    names = [str(c["name"]) for c in generate_org(seed=7, users=1500).campaigns()]
    starts = {re.escape(name[:12].encode()) for name in names if len(name) >= 12}
    return re.compile(b"|".join(sorted(starts)))


TIMEOUT = 30.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (Linux /proc), or NaN elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def launch_until_painted(home: Path, names: re.Pattern[bytes]) -> tuple[float, float]:
    """(wall, CPU) seconds from spawning `kb4tui --demo` until the campaign list is on the
    terminal."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "LANG": "C.UTF-8",
    }
    command = [str(ROOT / ".venv/bin/kb4tui"), "--demo"]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=follower, stdout=follower, stderr=follower, env=env, start_new_session=True
    )
    os.close(follower)
    seen = b""
    found: set[bytes] = set()
    try:
        while True:
            left = TIMEOUT - (time.perf_counter() - started)
            if left <= 0:
                raise TimeoutError(f"no campaign list after {TIMEOUT:.0f} s: {seen[-300:]!r}")
            ready, _, _ = select.select([leader], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                raise RuntimeError(f"kb4tui exited early: {seen[-300:]!r}") from None
            seen = seen[-200:] + chunk
            found.update(names.findall(seen))
            if len(found) >= ROWS_NEEDED:
                return time.perf_counter() - started, cpu_seconds(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        os.close(leader)


def import_seconds(module: str) -> tuple[float, float]:
    """(cumulative import time Python reports for `module`, wall time of the process)."""
    python = str(ROOT / ".venv/bin/python")
    started = time.perf_counter()
    result = subprocess.run(
        [python, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    wall = time.perf_counter() - started
    # Lines read "import time: self [us] | cumulative | imported package"; ours is last.
    cumulative = 0
    for line in result.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].strip() == module:
            cumulative = int(parts[1])
    return cumulative / 1e6, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print("== start-up: `kb4tui --demo` to the campaign list painted (pty 120x40)")
    with tempfile.TemporaryDirectory() as directory:
        home = Path(directory)
        names = campaign_names()
        runs = [launch_until_painted(home, names) for _ in range(max(2, args.runs))]
    (first, first_cpu), warm = runs[0], [wall for wall, _ in runs[1:]]
    warm_cpu = [cpu for _, cpu in runs[1:]]
    print(f"  first launch (empty cache)       {first * 1000:7.0f} ms   target < 1000 ms")
    print(
        f"  warm cache ({len(warm)}) median / worst      {statistics.median(warm) * 1000:5.0f} / "
        f"{max(warm) * 1000:.0f} ms   target < 1000 ms"
    )
    print(
        f"  CPU used by then: first / warm median   {first_cpu * 1000:4.0f} / "
        f"{statistics.median(warm_cpu) * 1000:.0f} ms"
    )
    for module in ("kb4tui.cli", "kb4tui.ui.app"):
        cumulative, wall = import_seconds(module)
        print(
            f"  import {module:<14} {cumulative * 1000:7.0f} ms (python -X importtime; "
            f"whole process {wall * 1000:.0f} ms)"
        )


if __name__ == "__main__":
    main()
