"""Real Prometheus, Pushgateway and ``aiusage serve`` processes on 127.0.0.1 for the tests.

Every process gets a free port and a log file, every wait has a deadline, and every process is
stopped (SIGTERM, then SIGKILL) when its context ends, whatever happened. A missing binary fails
the test with the command that installs it: these tests never skip.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

INSTALL = "apt-get install -y prometheus prometheus-pushgateway (.ci/run does this)"
START_TIMEOUT = 30.0  # seconds for a daemon to answer
STOP_TIMEOUT = 5.0
T = TypeVar("T")


def binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/bin:/usr/sbin")
    if found is None:
        pytest.fail(f"{name} is not installed; install it with: {INSTALL}")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Daemon:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT)
        return self.process.returncode


@contextmanager
def daemon(
    name: str,
    args: Sequence[str],
    folder: Path,
    port: int,
    env: Mapping[str, str] | None = None,
) -> Iterator[Daemon]:
    log = folder / f"{name}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            list(args),
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
            cwd=folder,
        )
    running = Daemon(name, process, log, port)
    try:
        yield running
    finally:
        running.stop()
        if running.alive():  # pragma: no cover - stop() kills; this is the last resort
            process.kill()


def wait_for(
    what: str,
    probe: Callable[[], T | None],
    daemons: Sequence[Daemon] = (),
    timeout: float = START_TIMEOUT,
) -> T:
    """Call ``probe`` until it returns a value; fail with the daemons' logs at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        for running in daemons:
            if not running.alive():
                pytest.fail(f"{running.name} exited while waiting for {what}:\n{running.output()}")
        try:
            found = probe()
        except httpx.TransportError:
            found = None
        if found is not None:
            return found
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {d.name}\n{d.output()}" for d in daemons)
            pytest.fail(f"no {what} after {timeout:g} s\n{logs}")
        time.sleep(0.25)


def answers(url: str) -> Callable[[], bool | None]:
    def probe() -> bool | None:
        return True if httpx.get(url, timeout=2).status_code == 200 else None

    return probe


@contextmanager
def pushgateway(folder: Path) -> Iterator[Daemon]:
    port = free_port()
    # Debian's build persists to /var/lib/prometheus by default: keep each test's state apart.
    args = [
        binary("prometheus-pushgateway"),
        f"--web.listen-address=127.0.0.1:{port}",
        f"--persistence.file={folder / 'pushgateway.data'}",
    ]
    with daemon("pushgateway", args, folder, port) as running:
        wait_for("Pushgateway", answers(f"{running.url}/-/ready"), [running])
        yield running


def prometheus_config(serve_port: int | None, pushgateway_port: int | None) -> str:
    jobs = []
    if serve_port is not None:
        jobs.append(
            "  - job_name: aiusage\n"
            f"    static_configs: [{{targets: ['127.0.0.1:{serve_port}']}}]\n"
        )
    if pushgateway_port is not None:
        jobs.append(
            "  - job_name: pushgateway\n"
            "    honor_labels: true\n"
            f"    static_configs: [{{targets: ['127.0.0.1:{pushgateway_port}']}}]\n"
        )
    return (
        "global:\n  scrape_interval: 2s\n  scrape_timeout: 2s\n  evaluation_interval: 2s\n"
        "scrape_configs:\n" + "".join(jobs)
    )


@contextmanager
def prometheus(
    folder: Path, *, serve_port: int | None = None, pushgateway_port: int | None = None
) -> Iterator[Daemon]:
    port = free_port()
    data = folder / "prometheus-data"
    data.mkdir()
    config = folder / "prometheus.yml"
    config.write_text(prometheus_config(serve_port, pushgateway_port))
    check = subprocess.run(
        [binary("promtool"), "check", "config", str(config)],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    args = [
        binary("prometheus"),
        f"--config.file={config}",
        f"--storage.tsdb.path={data}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--log.level=warn",
    ]
    with daemon("prometheus", args, folder, port) as running:
        wait_for("Prometheus", answers(f"{running.url}/-/ready"), [running])
        yield running


def query(server: Daemon, promql: str) -> list[dict[str, Any]]:
    """The instant vector (or scalar as one series) of ``promql``; fails on a query error."""
    answer = httpx.get(f"{server.url}/api/v1/query", params={"query": promql}, timeout=10)
    body = answer.json()
    assert body.get("status") == "success", f"{promql}: {body}"
    data = body["data"]
    if data["resultType"] in ("scalar", "string"):
        return [{"metric": {}, "value": data["result"]}]
    result: list[dict[str, Any]] = data["result"]
    return result


def label_values(server: Daemon, label: str, match: str) -> list[str]:
    answer = httpx.get(
        f"{server.url}/api/v1/label/{label}/values", params={"match[]": match}, timeout=10
    )
    values: list[str] = answer.json()["data"]
    return values
