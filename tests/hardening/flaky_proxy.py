"""A TCP proxy on 127.0.0.1 in front of the fake Bot API that can drop connections on demand."""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading


class FlakyProxy:
    """Forwards bytes to `upstream`; `fail_next(n)` or `down` make requests die with a reset."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.down = False
        self.resets = 0
        self._fail_budget = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/bot"

    def fail_next(self, requests: int = 1) -> None:
        """Reset the connection of the next `requests` requests, whatever their method."""
        with self._lock:
            self._fail_budget += requests

    def __enter__(self) -> FlakyProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def _should_fail(self) -> bool:
        with self._lock:
            if self.down:
                self.resets += 1
                return True
            if self._fail_budget > 0:
                self._fail_budget -= 1
                self.resets += 1
                return True
            return False

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._pipe, args=(client,), daemon=True).start()

    def _pipe(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        except OSError:
            _reset(client)
            return
        with contextlib.ExitStack() as stack:
            stack.callback(upstream.close)
            stack.callback(client.close)
            for sock in (client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            while not self._stopping.is_set():
                ready, _, _ = select.select([client, upstream], [], [], 0.1)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    # A request starts with its method line: decide its fate there.
                    if sock is client and data[:5] in (b"POST ", b"GET /") and self._should_fail():
                        _reset(client)
                        return
                    (upstream if sock is client else client).sendall(data)


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset, as a crashed server or a dropped link looks to the client."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
