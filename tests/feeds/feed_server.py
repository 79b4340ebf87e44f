"""A small web server on 127.0.0.1 for feed tests: feeds, article pages and bad answers.

Each path is a `Route`; the server answers conditional GETs when a route has an ETag or a
Last-Modified date, counts requests, and records how many were in flight at once.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "application/rss+xml"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    location: str | None = None
    delay: float = 0.0  # seconds before answering: a slow server


@dataclass
class FeedServer:
    routes: dict[str, Route] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    answered_304: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    port: int = 0
    host: str = "127.0.0.1"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def set(self, path: str, body: str | bytes = b"", **options: object) -> str:
        """Serve `body` at `path`; returns the full URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(data, **options)  # type: ignore[arg-type]
        return self.url(path)


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            with server.lock:
                server.hits[path] += 1
                server.in_flight += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight)
            self._counted = True
            try:
                self._answer(server.routes.get(path))
            finally:
                self._finished()

        def _finished(self) -> None:
            # Called before the answer is written: a client that has read it may send its
            # next request before this thread returns, which is not two requests at once.
            if self._counted:
                self._counted = False
                with server.lock:
                    server.in_flight -= 1

        def _answer(self, route: Route | None) -> None:
            if route is None:
                self._send(404, b"not found", "text/plain")
                return
            if route.delay:
                time.sleep(route.delay)
            validators = {}
            if route.etag:
                validators["ETag"] = route.etag
            if route.last_modified:
                validators["Last-Modified"] = route.last_modified
            unchanged = (route.etag and self.headers.get("If-None-Match") == route.etag) or (
                route.last_modified
                and not route.etag
                and self.headers.get("If-Modified-Since") == route.last_modified
            )
            if unchanged:
                with server.lock:
                    server.answered_304 += 1
                self._send(304, b"", None, validators)
                return
            headers = dict(validators)
            if route.location:
                headers["Location"] = route.location
            self._send(route.status, route.body, route.content_type, headers)

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str | None,
            headers: dict[str, str] | None = None,
        ) -> None:
            self._finished()
            try:
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up: a timeout test

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def handle_error(self, request: object, client_address: object) -> None:
        """A client killed mid-request (the kill -9 tests) is expected: no traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def serving(host: str = "127.0.0.1") -> Iterator[FeedServer]:
    """A running server on `host` (any 127.x.y.z address is loopback on Linux)."""
    state = FeedServer(host=host)
    httpd = _Server((host, 0), _handler(state))
    state.port = int(httpd.server_address[1])
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def http_date(seconds: float) -> str:
    return formatdate(seconds, usegmt=True)


def article_page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body><article>"
        f"<h1>{title}</h1>{body}</article></body></html>"
    )


def rss(title: str, items: list[dict[str, str]]) -> str:
    """An RSS 2.0 document; each item may have title, link, guid, description, content."""
    parts = []
    for item in items:
        fields = "".join(
            f"<{tag}>{item[key]}</{tag}>"
            for key, tag in (("title", "title"), ("link", "link"), ("guid", "guid"))
            if key in item
        )
        if "description" in item:
            fields += f"<description><![CDATA[{item['description']}]]></description>"
        if "content" in item:
            fields += f"<content:encoded><![CDATA[{item['content']}]]></content:encoded>"
        parts.append(f"<item>{fields}</item>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{title}</title><link>http://example.org/</link>"
        f"{''.join(parts)}</channel></rss>"
    )
