"""URL fetching refuses every internal address, scheme and trick, directly and through /add URL.

Complements tests/test_fetch.py: encoded and embedded addresses, redirects to each refused kind,
DNS answers that mix or change addresses, content types, and the admin's `/add URL` path, where
a refusal must be a clear reply and the local server must never see a request.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bot.ingest.fetch import FetchedPage, IPAddress, fetch_url, refusal_reason
from bot.library import Library
from bot.models import FetchError, UnsafeURLError
from bot.settings import Settings
from tests.hardening.strict_html import parse_telegram_html
from tests.telegram.app_runner import running
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.fake_updates import ADMIN_ID, feed, message_update

ARTICLE = (
    b"<html><head><title>Ferry timetable changes</title></head><body><article>"
    b"<h1>Ferry timetable changes</h1><p>The first ferry will leave at six, the operator said."
    b"</p><p>Commuters welcomed the change, according to the passengers' association.</p>"
    b"</article></body></html>"
)


class Site(BaseHTTPRequestHandler):
    """Article, redirects (`/to?TARGET`) and odd content types; counts every request."""

    protocol_version = "HTTP/1.0"
    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        path, _, query = self.path.partition("?")
        if path == "/to":
            self.send_response(302)
            self.send_header("Location", query)
            self.end_headers()
            return
        content_type, body = {
            "/article": ("text/html; charset=utf-8", ARTICLE),
            "/json": ("application/json", b'{"title": "x"}'),
            "/binary": ("application/octet-stream", b"\x00\x01\x02" * 100),
            "/svg": ("image/svg+xml", b"<svg></svg>"),
            "/untyped-binary": ("", b"\x00\x01\x02\x03" * 100),
        }.get(path, ("text/html", b"<p>not here</p>"))
        self.send_response(200)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def site() -> Iterator[tuple[str, list[str]]]:
    """(base URL, list of request paths) of a site on 127.0.0.1."""
    hits: list[str] = []
    handler = type("CountingSite", (Site,), {"hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def fetch(url: str, **options: Any) -> FetchedPage:
    limits = {"timeout": 3.0, "max_bytes": 100_000, "max_redirects": 3}
    return fetch_url(url, **(limits | options))


def first_hop_local(hop: int, address: IPAddress) -> str | None:
    """The test site may be hop 0; every redirect target gets the real checks."""
    return None if hop == 0 else refusal_reason(address)


def fake_dns(monkeypatch: pytest.MonkeyPatch, answers: Callable[[str, int], list[str] | None]):
    """Make getaddrinfo answer `answers(host, lookup_number)` for the hosts it knows."""
    real = socket.getaddrinfo
    lookups: dict[str, int] = {}

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        lookups[host] = lookups.get(host, 0) + 1
        found = answers(host, lookups[host])
        if found is None:
            return real(host, port, *args, **kwargs)
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [(family[6 if ":" in a else 4], socket.SOCK_STREAM, 6, "", (a, port)) for a in found]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.1/", "127.0.0.1 is a loopback address"),
        ("http://0x7f000001/", "127.0.0.1 is a loopback address"),
        ("http://0177.0.0.1/", "refused: (not a valid URL|.*loopback)"),
        ("HTTP://127.0.0.1/", "loopback"),
        ("http://[::ffff:169.254.169.254]/", "maps to 169.254.169.254 is a cloud metadata"),
        ("http://[::ffff:10.0.0.1]/", "maps to 10.0.0.1 is a private address"),
        ("http://[2002:7f00:1::]/", "maps to 127.0.0.1 is a loopback address"),
        ("http://[2002:a9fe:a9fe::]/", "maps to 169.254.169.254 is a cloud metadata"),
        ("http://[64:ff9b::a9fe:a9fe]/", "is a reserved address"),
        ("http://[fc00::1]/", "is a private address"),
        ("http://[ff02::1]/", "is a multicast address"),
        ("http://239.255.255.250/", "is a multicast address"),
        ("http://100.127.255.254/", "shared \\(CGNAT\\)"),
        ("http://169.254.170.2/", "cloud metadata"),
        ("http://169.254.1.1/", "link-local"),
        ("gopher://example.com/", "not gopher"),
        ("data:text/html,<p>x</p>", "not data"),
        ("//127.0.0.1/", "not a web address"),
    ],
    ids=[
        "short-ipv4",
        "hex-ipv4",
        "octal-ipv4",
        "upper-case-scheme",
        "mapped-metadata",
        "mapped-private",
        "6to4-loopback",
        "6to4-metadata",
        "nat64-metadata",
        "ipv6-unique-local",
        "ipv6-multicast",
        "ssdp-multicast",
        "cgnat-top",
        "ecs-metadata",
        "link-local",
        "gopher",
        "data",
        "scheme-relative",
    ],
)
def test_encoded_and_embedded_internal_addresses_are_refused(url: str, reason: str) -> None:
    with pytest.raises(UnsafeURLError, match=reason):
        fetch(url)


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://[::ffff:127.0.0.1]:9/", "maps to 127.0.0.1"),
        ("http://100.64.0.1/", "CGNAT"),
        ("http://169.254.1.1/", "link-local"),
        ("http://224.0.0.1/", "multicast"),
        ("http://[2002:7f00:1::]/", "maps to 127.0.0.1"),
        ("http://[fd00:ec2::254]/", "cloud metadata"),
        ("gopher://127.0.0.1:70/", "not gopher"),
        ("//127.0.0.1:9/", "127.0.0.1 is a loopback address"),
    ],
    ids=[
        "mapped-loopback",
        "cgnat",
        "link-local",
        "multicast",
        "6to4",
        "ipv6-metadata",
        "gopher",
        "scheme-relative-loopback",
    ],
)
def test_redirects_to_refused_addresses_are_refused(
    site: tuple[str, list[str]], target: str, reason: str
) -> None:
    base, hits = site
    with pytest.raises(UnsafeURLError, match=reason):
        fetch(f"{base}/to?{target}", policy=first_hop_local)
    assert hits == [f"/to?{target}"]  # the redirect was read, its target never contacted


def test_a_name_with_one_private_address_among_public_ones_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_dns(
        monkeypatch, lambda host, n: ["93.184.216.34", "10.0.0.7"] if host == "mixed.test" else None
    )
    with pytest.raises(UnsafeURLError, match=r"10\.0\.0\.7 is a private address"):
        fetch("http://mixed.test/")


def test_a_redirect_to_a_name_that_rebinds_is_checked_on_its_own_answer(
    site: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """rebind.test answered 127.0.0.1 before; at the redirect it answers the metadata address."""
    base, hits = site
    port = base.rsplit(":", 1)[1]
    answers = {1: ["127.0.0.1"], 2: ["169.254.169.254"]}
    lookups = fake_dns(monkeypatch, lambda host, n: answers[n] if host == "rebind.test" else None)

    with pytest.raises(UnsafeURLError, match="cloud metadata"):
        fetch(f"http://rebind.test:{port}/to?/article", policy=first_hop_local)

    assert lookups["rebind.test"] == 2 and hits == ["/to?/article"]


def test_redirects_count_against_the_limit_even_when_it_is_zero(
    site: tuple[str, list[str]],
) -> None:
    base, _ = site
    with pytest.raises(FetchError, match="too many redirects \\(more than 0\\)"):
        fetch(f"{base}/to?/article", allow_private=True, max_redirects=0)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/json", "content type application/json"),
        ("/binary", "content type application/octet-stream"),
        ("/svg", "content type image/svg\\+xml"),
    ],
    ids=["json", "octet-stream", "svg"],
)
def test_non_text_content_types_are_refused(
    site: tuple[str, list[str]], path: str, message: str
) -> None:
    base, _ = site
    with pytest.raises(FetchError, match=message):
        fetch(f"{base}{path}", allow_private=True)


# -- through the admin's /add URL --------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("{base}/article", "127.0.0.1 is a loopback address"),
        ("http://localhost:{port}/article", "is a loopback address"),
        ("http://[::ffff:127.0.0.1]:{port}/article", "maps to 127.0.0.1"),
        ("http://[::1]:{port}/article", "::1 is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("http://10.1.2.3/", "10.1.2.3 is a private address"),
        ("file:///etc/passwd", "only http and https URLs are fetched, not file"),
        ("ftp://127.0.0.1/x", "only http and https URLs are fetched, not ftp"),
    ],
    ids=["loopback", "localhost", "mapped", "ipv6-loopback", "metadata", "private", "file", "ftp"],
)
async def test_add_url_refuses_internal_targets_with_a_clear_reply(
    make_settings: Callable[..., Settings],
    library: Library,
    fake_api: FakeBotApi,
    site: tuple[str, list[str]],
    url: str,
    reason: str,
) -> None:
    base, hits = site
    before = {a.id for a in library.articles()}
    target = url.format(base=base, port=base.rsplit(":", 1)[1])
    async with running(make_settings(fetch_allow_private=False), library) as app:
        await feed(app, message_update(f"/add {target}", user_id=ADMIN_ID))
    reply = parse_telegram_html(fake_api.sent_texts()[-1]).text
    assert reply.startswith("Could not add the article: refused:") and reason in reply
    assert hits == []  # nothing reached the local server
    assert {a.id for a in library.articles()} == before


async def test_add_url_refuses_a_redirect_to_metadata_even_when_private_is_allowed(
    make_settings: Callable[..., Settings],
    library: Library,
    fake_api: FakeBotApi,
    site: tuple[str, list[str]],
) -> None:
    base, hits = site
    async with running(make_settings(fetch_allow_private=True), library) as app:
        await feed(app, message_update(f"/add {base}/to?http://169.254.169.254/", user_id=ADMIN_ID))
    reply = fake_api.sent_texts()[-1]
    assert "refused: 169.254.169.254 is a cloud metadata address" in reply
    assert hits == ["/to?http://169.254.169.254/"]
