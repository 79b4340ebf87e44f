"""Safe URL fetching against real HTTP servers on 127.0.0.1; nothing else is ever contacted."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bot.ingest import read_url
from bot.ingest.fetch import FetchedPage, IPAddress, fetch_url, refusal_reason
from bot.models import FetchError, UnsafeURLError
from bot.settings import Settings

DATA_DIR = Path(__file__).resolve().parent / "data" / "ingest"
ARTICLE_HTML = (DATA_DIR / "harbour.html").read_bytes()


class ArticleSiteHandler(BaseHTTPRequestHandler):
    """A tiny news site: an article, redirects, slow, huge and broken pages."""

    protocol_version = "HTTP/1.0"  # no keep-alive: each request ends with the connection

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        route = {
            "/article": lambda: self._send(200, "text/html; charset=utf-8", ARTICLE_HTML),
            "/text": lambda: self._send(200, "text/plain", b"Title\n\nA plain body sentence."),
            "/echo-host": lambda: self._send(200, "text/plain", self.headers["Host"].encode()),
            "/redirect": lambda: self._redirect(query),
            "/loop": lambda: self._redirect("/loop"),
            "/huge": lambda: self._send(200, "text/html", b"<p>" + b"x" * 200_000, length=False),
            "/huge-declared": lambda: self._send(200, "text/html", b"x" * 200_000),
            "/slow": self._slow,
            "/trickle": self._trickle,
            "/image": lambda: self._send(200, "image/png", b"\x89PNG\r\n\x1a\n"),
            "/error": lambda: self._send(500, "text/html", b"<p>boom</p>"),
            "/cut-short": self._cut_short,
        }.get(path, lambda: self._send(404, "text/html", b"<p>not here</p>"))
        route()

    def _send(self, status: int, content_type: str, body: bytes, *, length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.end_headers()

    def _slow(self) -> None:
        time.sleep(2)
        self._send(200, "text/html", ARTICLE_HTML)

    def _cut_short(self) -> None:
        """Promise 1000 bytes, send 10 and hang up."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b"<p>half a ")

    def _trickle(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        for _ in range(40):
            self.wfile.write(b"<p>drip</p>")
            self.wfile.flush()
            time.sleep(0.05)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """Base URL of a news site served on 127.0.0.1 from a background thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), ArticleSiteHandler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def fetch(
    url: str,
    *,
    timeout: float = 5.0,
    max_bytes: int = 100_000,
    max_redirects: int = 3,
    **options: Any,
) -> FetchedPage:
    """fetch_url with small test limits."""
    return fetch_url(
        url, timeout=timeout, max_bytes=max_bytes, max_redirects=max_redirects, **options
    )


def first_hop_local(hop: int, address: IPAddress) -> str | None:
    """Let the test server be the first hop; every redirect target gets the real checks."""
    return None if hop == 0 else refusal_reason(address)


def test_fetches_an_article_page_from_an_allowed_server(site: str) -> None:
    page = fetch(f"{site}/article", allow_private=True)

    assert page.url == f"{site}/article"
    assert page.content_type == "text/html"
    assert "Harbour council approves new ferry route" in page.text


def test_read_url_parses_the_fetched_page_and_keeps_its_url(site: str) -> None:
    settings = Settings(_env_file=None, fetch_timeout_seconds=5)

    article = read_url(f"{site}/article", settings, allow_private=True)

    assert article.title == "Harbour council approves new ferry route"
    assert article.url == f"{site}/article"
    assert len(article.paragraphs) == 6


def test_read_url_refuses_the_local_server_by_default(site: str) -> None:
    with pytest.raises(UnsafeURLError, match=r"127\.0\.0\.1 is a loopback address"):
        read_url(f"{site}/article", Settings(_env_file=None))


def test_plain_text_pages_are_accepted(site: str) -> None:
    page = fetch(f"{site}/text", allow_private=True)

    assert (page.content_type, page.text) == ("text/plain", "Title\n\nA plain body sentence.")


def test_redirects_within_the_limit_are_followed(site: str) -> None:
    page = fetch(f"{site}/redirect?/redirect?/article", allow_private=True)

    assert page.url == f"{site}/article"


def test_host_header_keeps_the_name_while_connecting_to_the_checked_address(site: str) -> None:
    port = site.rsplit(":", 1)[1]

    page = fetch(f"http://localhost:{port}/echo-host", allow_private=True)

    assert page.text == f"localhost:{port}"


def test_host_is_resolved_once_so_a_changed_dns_answer_is_never_used(
    site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A resolver that answers 127.0.0.1 first and 10.0.0.1 afterwards (DNS rebinding)."""
    real_getaddrinfo = socket.getaddrinfo
    lookups: list[str] = []

    def rebinding_getaddrinfo(host: str, *args: Any, **kwargs: Any) -> Any:
        if host != "rebind.test":
            return real_getaddrinfo(host, *args, **kwargs)
        lookups.append(host)
        address = "127.0.0.1" if len(lookups) == 1 else "10.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
    port = site.rsplit(":", 1)[1]

    page = fetch(f"http://rebind.test:{port}/echo-host", allow_private=True)

    assert page.text == f"rebind.test:{port}"
    assert lookups == ["rebind.test"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "127.0.0.1 is a loopback address"),
        ("http://localhost/", "is a loopback address"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://10.0.0.1/", "10.0.0.1 is a private address"),
        ("http://192.168.1.1/", "192.168.1.1 is a private address"),
        ("http://172.16.0.1/", "172.16.0.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata"),
        ("http://[fd00:ec2::254]/", "is a cloud metadata address"),
        ("http://100.100.100.200/", "is a cloud metadata address"),
        ("http://100.64.0.1/", "100.64.0.1 is a shared \\(CGNAT\\) address"),
        ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
        ("http://[::ffff:127.0.0.1]/", "maps to 127.0.0.1 is a loopback address"),
        ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
        ("http://2130706433/", "127.0.0.1 is a loopback address"),
        ("http://[fe80::1]/", "is a link-local address"),
        ("file:///etc/passwd", "only http and https URLs are fetched, not file"),
        ("ftp://example.com/file", "only http and https URLs are fetched, not ftp"),
        ("javascript:alert(1)", "only http and https URLs are fetched, not javascript"),
        ("http://user:secret@example.com/", "user name or password"),
        ("not a url", "not a web address"),
    ],
    ids=[
        "loopback",
        "localhost",
        "ipv6-loopback",
        "10/8",
        "192.168/16",
        "172.16/12",
        "aws-metadata",
        "aws-metadata-ipv6",
        "alibaba-metadata",
        "cgnat",
        "multicast",
        "ipv4-mapped",
        "unspecified",
        "decimal-ip",
        "ipv6-link-local",
        "file",
        "ftp",
        "javascript",
        "userinfo",
        "garbage",
    ],
)
def test_unsafe_urls_are_refused_before_connecting(url: str, reason: str) -> None:
    with pytest.raises(UnsafeURLError, match=f"refused: .*{reason}"):
        fetch(url)


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://127.0.0.1:9/article", "127.0.0.1 is a loopback address"),
        ("http://localhost:9/", "is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata"),
        ("http://10.0.0.1/admin", "10.0.0.1 is a private address"),
        ("file:///etc/passwd", "not file"),
    ],
    ids=["loopback", "localhost", "metadata", "private", "file"],
)
def test_every_redirect_target_is_checked_again(site: str, target: str, reason: str) -> None:
    with pytest.raises(UnsafeURLError, match=reason):
        fetch(f"{site}/redirect?{target}", policy=first_hop_local)


def test_metadata_address_is_refused_even_when_private_addresses_are_allowed(site: str) -> None:
    with pytest.raises(UnsafeURLError, match="cloud metadata"):
        fetch(f"{site}/redirect?http://169.254.169.254/", allow_private=True)


@pytest.mark.parametrize(
    ("path", "limits", "message"),
    [
        ("/loop", {}, "too many redirects \\(more than 3\\)"),
        ("/huge", {}, "too large: over 100 kB"),
        ("/huge-declared", {}, "too large: over 100 kB"),
        ("/slow", {"timeout": 0.5}, "timed out after 0.5 s"),
        ("/trickle", {"timeout": 0.5}, "timed out after 0.5 s"),
        ("/image", {}, "content type image/png"),
        ("/missing", {}, "HTTP 404"),
        ("/error", {}, "HTTP 500"),
        ("/cut-short", {}, "could not fetch 127.0.0.1: "),
    ],
    ids=[
        "redirect-loop",
        "too-large-streamed",
        "too-large-declared",
        "slow",
        "trickle",
        "image",
        "not-found",
        "server-error",
        "cut-short",
    ],
)
def test_bad_pages_raise_fetch_error_with_a_message_for_users(
    site: str, path: str, limits: dict[str, Any], message: str
) -> None:
    started = time.monotonic()

    with pytest.raises(FetchError, match=message) as caught:
        fetch(f"{site}{path}", allow_private=True, **limits)

    assert not isinstance(caught.value, UnsafeURLError)
    assert time.monotonic() - started < 1.5  # the time cap holds, whatever the server does


def test_unreachable_local_port_is_a_fetch_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(FetchError, match="could not connect"):
        fetch(f"http://127.0.0.1:{port}/", allow_private=True)


@pytest.fixture(scope="module")
def tls_site() -> Iterator[int]:
    """Port of an HTTPS server on 127.0.0.1 whose certificate is for news.test only."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), ArticleSiteHandler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(DATA_DIR / "news-test-cert.pem", DATA_DIR / "news-test-key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def news_test_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolve news.test and other.test to 127.0.0.1, as a DNS server would."""
    real_getaddrinfo = socket.getaddrinfo

    def fake_getaddrinfo(host: str, *args: Any, **kwargs: Any) -> Any:
        if host in {"news.test", "other.test"}:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 0))]
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)


def test_https_to_the_checked_address_verifies_the_certificate_for_the_host_name(
    tls_site: int, news_test_dns: None
) -> None:
    trust = ssl.create_default_context(cafile=DATA_DIR / "news-test-cert.pem")

    page = fetch(f"https://news.test:{tls_site}/echo-host", allow_private=True, tls_context=trust)

    assert page.text == f"news.test:{tls_site}"


def test_https_certificate_for_another_name_is_a_tls_error(
    tls_site: int, news_test_dns: None
) -> None:
    trust = ssl.create_default_context(cafile=DATA_DIR / "news-test-cert.pem")

    with pytest.raises(FetchError, match=r"TLS error with other\.test"):
        fetch(f"https://other.test:{tls_site}/", allow_private=True, tls_context=trust)
