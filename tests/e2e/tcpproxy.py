"""A TCP relay the tests can cut, silence and restore, to make a real server unreachable or
hung (connections accepted, bytes swallowed, nothing answered)."""

from __future__ import annotations

import contextlib
import socket
import threading


class TcpProxy:
    """Relays 127.0.0.1:port to a target; `cut()` drops every connection and stops listening."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self.silent = False  # swallow every byte: a server that accepts and never answers

    def start(self) -> None:
        """Listen (again on the same port after a cut)."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Stop listening and close every relayed connection."""
        if self._listener is not None:
            _close(self._listener)  # shutdown first: a blocked accept() would keep accepting
            self._listener = None
        with self._lock:
            for sock in self._open:
                _close(sock)
            self._open.clear()

    def hang(self) -> None:
        """Keep every connection open and accept new ones, but relay nothing."""
        self.silent = True

    def restore(self) -> None:
        """Relay again; the connections opened while silent are closed (their state is lost)."""
        self.silent = False
        with self._lock:
            for sock in self._open:
                _close(sock)
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if self.silent:  # accepted, then never answered
                with self._lock:
                    self._open.append(client)
                threading.Thread(target=_pump, args=(client, None, self), daemon=True).start()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=3)
            except OSError:
                _close(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(a, b, self), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket | None, proxy: TcpProxy) -> None:
    try:
        while data := source.recv(65536):
            if sink is not None and not proxy.silent:
                sink.sendall(data)
    except OSError:
        pass
    finally:
        if sink is not None:
            _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
