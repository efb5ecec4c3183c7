"""The gateway's command line run in child processes forked from a process without threads.

Forking the test process itself is cheap but unsafe: earlier tests leave threads running in it
(a gateway's SQLite checkpoint and read threads, connection pools), and a child forked while
one of them holds a lock (SQLite's, the allocator's, the logging module's) waits on that lock
forever. So the test process forks, once, when this module is imported (at collection, before
any test has started a thread), a small process that only forks: every command runs in a child
of that one, with the modules and the warm caches of the test process at collection, and
nothing else running in the process it is forked from.
"""

from __future__ import annotations

import os
import select
import signal
import struct
import sys
import threading
from collections.abc import Mapping, Sequence

import orjson

from gateway import cli
from gateway.commands import settlement as _imported_before_forking  # noqa: F401

STUCK_SECONDS = 120  # a command still running after this is killed, and its test fails
# What the forker answers: (STARTED, pid, 0) or (ENDED, pid, exit status: negative, the
# signal that killed it); a start's answer may come after earlier children's ends.
_ANSWER = struct.Struct("!Biq")
STARTED, ENDED = 0, 1


class CommandStuck(AssertionError):
    """A command ran past STUCK_SECONDS: killed, and its test failed."""


class _Forker:
    """The process that forks the commands, and the pipes to it."""

    def __init__(self) -> None:
        if threading.active_count() != 1:
            raise RuntimeError("tests.cli_children must be imported before any thread starts")
        requests_r, self._requests = os.pipe()
        self._answers, answers_w = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # the forker: never returns into pytest
            os.close(self._requests)
            os.close(self._answers)
            code = 0
            try:
                _serve(requests_r, answers_w)
            except BaseException:
                code = 70
            finally:
                os._exit(code)
        os.close(requests_r)
        os.close(answers_w)
        self._lock = threading.Lock()
        self._ended: dict[int, int] = {}  # statuses read before they were asked for

    def start(self, env: Mapping[str, str], args: Sequence[str]) -> int:
        """Start a command; its pid."""
        request = orjson.dumps({"env": dict(env), "args": list(args)})
        with self._lock:
            _write(self._requests, struct.pack("!I", len(request)) + request)
            while True:
                kind, pid, status = _ANSWER.unpack(_read(self._answers, _ANSWER.size))
                if kind == STARTED:
                    return pid
                self._ended[pid] = status

    def status(self, pid: int, timeout: float) -> int:
        """The exit status of a started command; CommandStuck after `timeout` seconds."""
        with self._lock:
            while pid not in self._ended:
                ready, _, _ = select.select([self._answers], [], [], timeout)
                if not ready:
                    os.kill(pid, signal.SIGKILL)
                    raise CommandStuck(f"still running after {timeout:.0f} s: killed")
                kind, ended, status = _ANSWER.unpack(_read(self._answers, _ANSWER.size))
                if kind == ENDED:
                    self._ended[ended] = status
            return self._ended.pop(pid)


def _serve(requests: int, answers: int) -> None:
    """In the forker: fork a child per request, answer its pid, then its status as it ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the test process's to handle
    running: set[int] = set()
    while True:
        ready, _, _ = select.select([requests], [], [], 0.002 if running else None)
        if ready:
            size = os.read(requests, 4)
            if not size:  # the test process ended
                return
            request = orjson.loads(_read(requests, struct.unpack("!I", size)[0]))
            pid = os.fork()
            if pid == 0:
                os.close(requests)
                os.close(answers)
                _run(request["env"], request["args"])
            running.add(pid)
            _write(answers, _ANSWER.pack(STARTED, pid, 0))
        for pid in list(running):
            ended, status = os.waitpid(pid, os.WNOHANG)
            if ended:
                running.discard(pid)
                _write(answers, _ANSWER.pack(ENDED, pid, os.waitstatus_to_exitcode(status)))


def _run(env: dict[str, str], args: list[str]) -> None:
    code = 70
    try:
        os.environ.update(env)
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115
        code = cli.main(args)
    except SystemExit as exit_:  # the parser's --help and refusals, as the real command's
        code = exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else 1
    finally:
        os._exit(code)


def _read(fd: int, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            raise EOFError("the forker process ended")
        data += chunk
    return data


def _write(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]


_forker = _Forker()


def start_cli(env: Mapping[str, str], args: Sequence[str]) -> int:
    """`amo-gateway ARGS` started in a forked child with these variables set: its pid."""
    return _forker.start(env, args)


def exit_status(pid: int) -> int:
    """A started command's exit status once it ended: negative, the signal that killed it."""
    return _forker.status(pid, STUCK_SECONDS)


def run_cli(env: Mapping[str, str], args: Sequence[str]) -> int:
    """`amo-gateway ARGS` in a forked child: its exit status, negative when killed."""
    return exit_status(start_cli(env, args))
