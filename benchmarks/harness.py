"""What the benchmarks share: the installed CLI as a child process, its time and memory, tables."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from aiusage.settings import environment_variables

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
AIUSAGE = Path(sys.executable).parent / "aiusage"
# Every variable that would make a provider configured or move a log folder: cleared, so the
# machine running the benchmark never leaks its own keys or logs into the figures.
PROVIDER_VARIABLES = (
    *environment_variables(),
    "GEMINI_DATA_DIR",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
)


@dataclass(frozen=True)
class Run:
    """One finished child process."""

    wall: float  # seconds
    code: int
    stdout: bytes
    stderr: bytes
    max_rss_mb: float  # the child's peak resident memory
    cpu: float  # seconds of CPU, user and system, of the child and its children


def run(
    command: Sequence[str | Path],
    env: Mapping[str, str],
    cwd: Path | None = None,
    memory: bool = True,
) -> Run:
    """Run ``command`` to the end and measure its wall time and peak memory.

    A child forked from this process inherits its resident size as the starting point of its
    own peak (``ru_maxrss`` survives ``exec``), so the peak is taken by GNU time, a small process,
    when it is installed; otherwise from ``wait4``, which may overstate a small child's peak.
    ``memory=False`` runs the command directly (start-up timings: no extra process).
    """
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as peak,
    ):
        argv = [str(part) for part in command]
        gnu_time = GNU_TIME if memory else None
        if gnu_time:
            argv = [gnu_time, "-f", "%M", "-o", peak.name, *argv]
        start = time.perf_counter()
        child = subprocess.Popen(argv, env=dict(env), cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        rss_kb = float(usage.ru_maxrss)
        if gnu_time:
            lines = [line for line in peak.read().splitlines() if line.strip().isdigit()]
            rss_kb = float(lines[-1]) if lines else rss_kb
        out.seek(0)
        err.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return Run(wall, child.returncode, out.read(), err.read(), rss_kb / 1024, cpu)


def _gnu_time() -> str | None:
    path = "/usr/bin/time"
    if not os.path.exists(path):
        return None
    probe = subprocess.run([path, "-f", "%M", "true"], capture_output=True, check=False)
    return path if probe.returncode == 0 and probe.stderr.strip().isdigit() else None


GNU_TIME = _gnu_time()


@contextmanager
def isolated(**extra: str) -> Iterator[dict[str, str]]:
    """An environment with a fresh, empty HOME and AIUSAGE_HOME, no provider variable, no colour."""
    folder = Path(tempfile.mkdtemp(prefix="aiusage-bench-"))
    try:
        env = {k: v for k, v in os.environ.items() if k not in PROVIDER_VARIABLES}
        (folder / "home").mkdir()
        (folder / "store").mkdir()
        env.update(
            HOME=str(folder / "home"),
            AIUSAGE_HOME=str(folder / "store"),
            NO_COLOR="1",
            TZ="UTC",
            COLUMNS="120",
        )
        env.update(extra)
        yield env
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def repeat(command: Sequence[str | Path], env: Mapping[str, str], times: int) -> list[Run]:
    runs = [run(command, env, memory=False) for _ in range(times)]
    failed = [r for r in runs if r.code != 0]
    if failed:
        raise SystemExit(
            f"{' '.join(map(str, command))} exited {failed[0].code}: "
            f"{failed[0].stderr.decode(errors='replace')[-2000:]}"
        )
    return runs


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, so that the output pastes straight into ``benchmarks/README.md``."""
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in cells
    ]
    lines.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(lines)


def machine() -> str:
    """One line naming the machine the figures came from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / (1 << 30):.0f} GiB RAM"
    except (ValueError, OSError):
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}){memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )
