"""A TCP gate in front of a test server: it passes bytes through, refuses, or holds connections.

Refusing closes the gate's listening socket, so that a client gets a real
``ECONNREFUSED``; holding accepts connections and never answers, so that a
client times out.  Either cuts the connections already open (a broker's
long-lived one too), as a server that went down would.
"""

from __future__ import annotations

import contextlib
import enum
import selectors
import socket
import threading

__all__ = ["Gate", "GateMode"]


class GateMode(enum.Enum):
    """What the gate does with connections."""

    PASS = "pass"  # noqa: S105 - a mode, not a password
    REFUSE = "refuse"
    HOLD = "hold"


class Gate:
    """Listens on a free port of 127.0.0.1 and forwards to ``upstream``, unless told otherwise.

    Args:
        upstream: The server's host and port.
    """

    def __init__(self, upstream: tuple[str, int]) -> None:
        self._upstream = upstream
        self._lock = threading.Lock()
        self._mode = GateMode.PASS
        self._links: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._listener: socket.socket | None = None
        self._accepting: threading.Thread | None = None
        self.port = 0
        self._listen()

    @property
    def mode(self) -> GateMode:
        """What the gate does now."""
        return self._mode

    def set_mode(self, mode: GateMode) -> None:
        """Pass, refuse or hold from now on; a change cuts every open connection."""
        if mode is self._mode:
            return
        self._mode = mode
        self._cut()
        if mode is GateMode.REFUSE:
            self._stop_listening()
        elif self._listener is None:
            self._listen()

    def close(self) -> None:
        """Stop listening, cut every connection, and wait for the gate's threads."""
        self._stop_listening()
        self._cut()
        for thread in self._threads:
            thread.join(timeout=5)

    # --- listening -------------------------------------------------------------------

    def _listen(self) -> None:
        listener = socket.socket()
        # The same port again after a refusal, though old connections linger in TIME_WAIT.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._accepting = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._accepting.start()

    def _stop_listening(self) -> None:
        listener, self._listener = self._listener, None
        if listener is None:
            return
        # Wakes the accept() of the listening thread (EINVAL on Linux), which then ends.
        listener.shutdown(socket.SHUT_RDWR)
        if self._accepting is not None:
            self._accepting.join(timeout=5)
        listener.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            # Bytes go on at once: a proxy that waits for more (Nagle) meets the
            # peer's delayed ACK and costs every SMTP command 40 ms.
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._links.add(client)
                self._threads = [t for t in self._threads if t.is_alive()]
                thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
                self._threads.append(thread)
            thread.start()

    # --- connections -----------------------------------------------------------------

    def _cut(self) -> None:
        with self._lock:
            links = list(self._links)
        for link in links:
            with contextlib.suppress(OSError):  # already closed by its other end
                link.shutdown(socket.SHUT_RDWR)

    def _serve(self, client: socket.socket) -> None:
        upstream = None
        try:
            if self._mode is not GateMode.HOLD:
                upstream = socket.create_connection(self._upstream, timeout=5)
                upstream.settimeout(None)
                upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                with self._lock:
                    self._links.add(upstream)
            self._pump(client, upstream)
        except OSError:
            pass  # the server or the client went away: the connection ends
        finally:
            with self._lock:
                self._links.discard(client)
                if upstream is not None:
                    self._links.discard(upstream)
            client.close()
            if upstream is not None:
                upstream.close()

    @staticmethod
    def _pump(client: socket.socket, upstream: socket.socket | None) -> None:
        """Copy bytes both ways until one side closes; held (no upstream): read and drop them."""
        peer = {client: upstream}
        if upstream is not None:
            peer[upstream] = client
        with selectors.DefaultSelector() as selector:
            for sock in peer:
                selector.register(sock, selectors.EVENT_READ)
            while True:
                for key, _ in selector.select():
                    ready = key.fileobj
                    assert isinstance(ready, socket.socket)
                    chunk = ready.recv(65536)
                    if not chunk:
                        return
                    other = peer[ready]
                    if other is not None:
                        other.sendall(chunk)
