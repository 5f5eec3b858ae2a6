"""Ask ``codex app-server`` for ``account/rateLimits/read`` over its JSON-RPC stdio protocol.

Codex owns the ChatGPT token and refreshes it as the first-party client; aiusage only talks to
the local process (``live-limits.md`` §2.2): newline-delimited JSON-RPC without the ``jsonrpc``
member, one ``initialize`` request, an ``initialized`` notification, then the read. The whole
conversation is bounded by one deadline, and the child (with anything it started, as a process
group) is always reaped, whether it answered, hung, exited at once or wrote garbage.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import signal
import subprocess
import threading
import time
from typing import IO, Any

from aiusage import __version__

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 8.0  # seconds for the whole conversation; a healthy app-server takes < 1 s
MAX_LINE = 4 << 20  # one answer is a few kB
REAP_GRACE = 0.5
OVERLOADED = -32001


class AppServerError(Exception):
    """The app-server did not give an answer we can use; the message says how, in our words."""


class _Conversation:
    """Requests written to the child's stdin; its stdout lines read by a thread into a queue,
    so that every wait is bounded by the deadline on every platform (pipes cannot be selected
    on Windows)."""

    def __init__(self, child: subprocess.Popen[bytes], deadline: float) -> None:
        assert child.stdin is not None and child.stdout is not None
        self.stdin: IO[bytes] = child.stdin
        self.deadline = deadline
        self.lines: queue.Queue[bytes | None] = queue.Queue()
        self.reader = threading.Thread(target=self._read, args=(child.stdout,), daemon=True)
        self.reader.start()

    def _read(self, stdout: IO[bytes]) -> None:
        try:
            while line := stdout.readline(MAX_LINE):
                self.lines.put(line)
                if not line.endswith(b"\n"):
                    break  # a line longer than any answer: stop reading
        except (OSError, ValueError):
            pass
        finally:
            stdout.close()
        self.lines.put(None)

    def send(self, message: dict[str, Any]) -> None:
        try:
            self.stdin.write(json.dumps(message).encode() + b"\n")
            self.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise AppServerError("it closed its input") from None

    def _line(self) -> bytes:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise AppServerError("it did not answer in time")
        try:
            line = self.lines.get(timeout=left)
        except queue.Empty:
            raise AppServerError("it did not answer in time") from None
        if line is None:
            raise AppServerError("it ended before answering")
        if not line.endswith(b"\n"):
            raise AppServerError("it wrote a line too long to be an answer")
        return line

    def answer(self, request_id: int) -> Any:
        """The ``result`` of the response to ``request_id``; notifications are skipped."""
        while True:
            line = self._line().strip()
            if not line:
                continue
            try:
                message = json.loads(line)
            except ValueError:
                raise AppServerError("it wrote something that is not JSON-RPC") from None
            if not isinstance(message, dict):
                raise AppServerError("it wrote something that is not JSON-RPC")
            if message.get("id") != request_id or "method" in message:
                continue  # a notification, or a request from the server we do not serve
            error = message.get("error")
            if isinstance(error, dict):
                if error.get("code") == OVERLOADED:
                    raise AppServerError("it is overloaded; try again later")
                raise AppServerError(f"it answered with error {error.get('code')}")
            if "result" not in message:
                raise AppServerError("its answer has no result")
            return message["result"]

    def close(self) -> None:
        self.reader.join(timeout=REAP_GRACE)


def _reap(child: subprocess.Popen[bytes]) -> None:
    """End the child and everything it started; wait for it so that no zombie is left."""
    # Only stdin is closed here: the reader thread owns stdout (closing a stream another
    # thread is reading from waits for that read to end).
    try:
        if child.stdin is not None:
            child.stdin.close()
    except OSError:
        pass
    try:
        child.wait(timeout=REAP_GRACE)  # closing stdin asks a JSON-RPC server to leave
        return
    except subprocess.TimeoutExpired:
        pass
    for sig in (signal.SIGTERM, signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM):
        try:
            if hasattr(os, "killpg"):
                os.killpg(child.pid, sig)
            else:
                child.kill()
        except (ProcessLookupError, PermissionError, OSError):
            pass
        try:
            child.wait(timeout=REAP_GRACE)
            return
        except subprocess.TimeoutExpired:
            continue
    child.wait()


def read_rate_limits(executable: str, timeout: float = DEFAULT_TIMEOUT) -> Any:
    """Run ``<executable> app-server`` and return the ``account/rateLimits/read`` result.

    Raises:
        AppServerError: it could not be started, hung, ended, or answered with something else.
    """
    try:
        child = subprocess.Popen(
            [executable, "app-server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so that _reap ends all of it
        )
    except OSError as exc:
        raise AppServerError(f"it could not be started ({exc.strerror or exc})") from None
    talk = _Conversation(child, time.monotonic() + timeout)
    try:
        talk.send(
            {
                "method": "initialize",
                "id": 0,
                "params": {
                    "clientInfo": {"name": "aiusage", "title": "aiusage", "version": __version__}
                },
            }
        )
        talk.answer(0)
        talk.send({"method": "initialized"})
        talk.send(
            {
                "method": "account/rateLimits/read",
                "id": 1,
                "params": {"excludeResetCreditDetails": True},
            }
        )
        return talk.answer(1)
    finally:
        _reap(child)
        talk.close()
        log.debug("codex app-server exited with %s", child.returncode)
