"""Fetch a web page for ingestion without ever reaching internal services.

Each hop's host is resolved once; every resolved address is checked against the address policy,
and the connection goes to that checked address (the Host header and TLS SNI keep the original
name), so a DNS answer that changes between check and connect cannot redirect us. Redirects are
followed by hand and every hop is checked again. Time, size and redirect count are capped.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import httpx

from bot.models import FetchError, UnsafeURLError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (hop number, address) -> why the address is refused, or None to allow it; hop 0 is the URL given.
AddressPolicy = Callable[[int, IPAddress], str | None]

ALLOWED_SCHEMES = frozenset({"http", "https"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
TEXT_CONTENT_TYPES = frozenset(
    {"text/html", "application/xhtml+xml", "text/plain", "text/markdown", "text/x-markdown"}
)
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.170.2")
)
CGNAT_NETWORK = ipaddress.ip_network("100.64.0.0/10")
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
USER_AGENT = "quotebot/0.1 (+article ingestion)"


class _DeadlinePassed(Exception):
    """The whole fetch's time limit ran out between or inside httpx's own timeouts."""


@dataclass(frozen=True)
class FetchedPage:
    """A fetched document: the URL it finally came from, its content type and its text.

    `status` is 304 (and `text` empty) when a conditional request found nothing new; `etag`
    and `last_modified` are the validators to send next time.
    """

    url: str
    content_type: str
    text: str
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None


def refusal_reason(address: IPAddress) -> str | None:
    """Why the bot must not contact `address` (loopback, private, metadata ...), or None."""
    if isinstance(address, ipaddress.IPv6Address):
        # IPv4-mapped (::ffff:a.b.c.d) and 6to4 (2002:aabb:ccdd::) addresses carry an IPv4
        # address that a dual-stack host or a 6to4 relay may deliver to: judge that one too.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            reason = refusal_reason(embedded)
            return None if reason is None else f"{address} maps to {reason}"
    checks = (
        (address in METADATA_ADDRESSES, "a cloud metadata address"),
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address in CGNAT_NETWORK, "a shared (CGNAT) address"),
        (address.is_multicast, "a multicast address"),
        (address.is_private, "a private address"),
        (address.is_reserved, "a reserved address"),
        (not address.is_global, "not a public address"),
    )
    for refused, label in checks:
        if refused:
            return f"{address} is {label}"
    return None


def private_allowed(hop: int, address: IPAddress) -> str | None:
    """Policy for tests against local servers: loopback and private allowed, metadata never."""
    if address in METADATA_ADDRESSES or address.is_unspecified or address.is_multicast:
        return refusal_reason(address)
    return None


def public_only(hop: int, address: IPAddress) -> str | None:
    """The default policy: only public addresses, on every hop."""
    return refusal_reason(address)


def fetch_url(
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    max_redirects: int,
    allow_private: bool = False,
    policy: AddressPolicy | None = None,
    tls_context: ssl.SSLContext | None = None,
    headers: Mapping[str, str] | None = None,
    content_types: frozenset[str] = TEXT_CONTENT_TYPES,
) -> FetchedPage:
    """GET an http(s) URL safely; raises UnsafeURLError or FetchError with a message for users.

    `policy` overrides the address checks (tests let hop 0 be local); `tls_context` replaces
    the system trust store (tests trust their own certificate). The bot sets neither.
    `headers` adds request headers (a feed's Accept and its conditional-GET validators) and
    `content_types` lists the types accepted (an empty type is always accepted).
    """
    policy = policy or (private_allowed if allow_private else public_only)
    deadline = time.monotonic() + timeout
    current = _parse_url(url)
    verify = tls_context or system_tls_context()
    # No proxies from the environment: the connection must go to the address we checked.
    with httpx.Client(trust_env=False, follow_redirects=False, verify=verify) as client:
        for hop in range(max_redirects + 1):
            with _fetch_errors(current, timeout):
                response = _request(client, current, hop, policy, deadline, headers)
                try:
                    location = response.headers.get("location")
                    if response.status_code in REDIRECT_STATUSES and location:
                        current = _parse_url(str(current.join(location)))
                        continue
                    if response.status_code == 304:
                        return _not_modified(response, current)
                    return _read_page(response, current, deadline, max_bytes, content_types)
                finally:
                    response.close()
    raise FetchError(f"too many redirects (more than {max_redirects})")


@contextlib.contextmanager
def _fetch_errors(url: httpx.URL, timeout: float) -> Iterator[None]:
    """The one place where httpx's errors and the time limit become FetchErrors for users."""
    try:
        yield
    except (httpx.TimeoutException, _DeadlinePassed) as exc:
        raise FetchError(f"timed out after {timeout:g} s") from exc
    except httpx.ConnectError as exc:
        if _caused_by_tls(exc):
            raise FetchError(f"TLS error with {url.host}: {exc}") from exc
        raise FetchError(f"could not connect to {url.host}") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"could not fetch {url.host}: {exc}") from exc


@functools.cache
def system_tls_context() -> ssl.SSLContext:
    """The trust store httpx uses by default, built once: building it takes ~20 ms, which
    was most of the cost of fetching a page from a fast server (a feed poll fetches many)."""
    return httpx.create_ssl_context(trust_env=False)


def _parse_url(url: str) -> httpx.URL:
    """The URL as httpx reads it; UnsafeURLError for anything but plain http(s)."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise UnsafeURLError(f"refused: not a valid URL ({exc})") from exc
    if not parsed.scheme:
        raise UnsafeURLError("refused: not a web address (http or https URL expected)")
    if parsed.scheme not in ALLOWED_SCHEMES:
        raise UnsafeURLError(f"refused: only http and https URLs are fetched, not {parsed.scheme}")
    if not parsed.host:
        raise UnsafeURLError("refused: the URL has no host")
    # "https://trusted.example@evil.example/" is a phishing trick, and we never send credentials.
    if parsed.userinfo:
        raise UnsafeURLError("refused: URLs with a user name or password are not fetched")
    return parsed


def resolve_checked(url: httpx.URL, hop: int, policy: AddressPolicy) -> list[IPAddress]:
    """Resolve the URL's host once; UnsafeURLError if any address is refused by the policy."""
    host = url.raw_host.decode("ascii")
    try:
        port = url.port or (443 if url.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"could not resolve host {url.host}") from exc
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        reason = policy(hop, address)
        if reason is not None:
            raise UnsafeURLError(f"refused: {reason}")
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchError(f"could not resolve host {url.host}")
    return addresses


def _request(
    client: httpx.Client,
    url: httpx.URL,
    hop: int,
    policy: AddressPolicy,
    deadline: float,
    extra_headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """Send the GET to a checked address of the URL's host, trying each address in turn."""
    *others, last = resolve_checked(url, hop, policy)
    for address in others:
        try:
            return client.send(_get(client, url, address, deadline, extra_headers), stream=True)
        except httpx.ConnectError as exc:
            if _caused_by_tls(exc):  # the next address would present the same certificate
                raise
    return client.send(_get(client, url, last, deadline, extra_headers), stream=True)


def _get(
    client: httpx.Client,
    url: httpx.URL,
    address: IPAddress,
    deadline: float,
    extra_headers: Mapping[str, str] | None = None,
) -> httpx.Request:
    """A GET for the URL sent to `address`, with the URL's own host in Host and TLS SNI."""
    host_header = url.raw_host.decode("ascii") + (f":{url.port}" if url.port else "")
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html, */*", **(extra_headers or {})}
    headers["Host"] = host_header
    return client.build_request(
        "GET",
        url.copy_with(host=str(address)),
        headers=headers,
        extensions={"sni_hostname": url.raw_host.decode("ascii")},
        timeout=_remaining(deadline),
    )


def _caused_by_tls(exc: BaseException) -> bool:
    """True when an httpx error comes from a TLS failure (e.g. a certificate for another name)."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _not_modified(response: httpx.Response, url: httpx.URL) -> FetchedPage:
    """A 304 answer to a conditional GET: no body, the validators kept or renewed."""
    return FetchedPage(
        url=str(url),
        content_type="",
        text="",
        status=304,
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    )


def _read_page(
    response: httpx.Response,
    url: httpx.URL,
    deadline: float,
    max_bytes: int,
    content_types: frozenset[str] = TEXT_CONTENT_TYPES,
) -> FetchedPage:
    """Check status and content type, then read the body within the size and time limits."""
    if response.status_code >= 400:
        raise FetchError(f"HTTP {response.status_code}")
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and content_type not in content_types:
        raise FetchError(f"not an article page: content type {content_type}")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"too large: over {_human_size(max_bytes)}")
    body = bytearray()
    for chunk in response.iter_bytes():  # as received, so the deadline is checked often
        body.extend(chunk)
        if len(body) > max_bytes:
            raise FetchError(f"too large: over {_human_size(max_bytes)}")
        if time.monotonic() > deadline:
            raise _DeadlinePassed
    text = decode_body(bytes(body), response.charset_encoding)
    return FetchedPage(
        url=str(url),
        content_type=content_type,
        text=text,
        status=response.status_code,
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    )


def decode_body(body: bytes, declared: str | None) -> str:
    """Text of a body: declared charset, else a <meta charset>, else UTF-8, else cp1252."""
    candidates = [declared] if declared else []
    match = META_CHARSET.search(body[:4096])
    if match:
        candidates.append(match.group(1).decode("ascii", "ignore"))
    for encoding in [*candidates, "utf-8"]:
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("cp1252", errors="replace")


def _remaining(deadline: float) -> httpx.Timeout:
    """The time left before the deadline, as an httpx timeout; _DeadlinePassed when none is."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise _DeadlinePassed
    return httpx.Timeout(left)


def _human_size(size: int) -> str:
    """A byte count for people: 5_000_000 -> "5 MB", 2_000 -> "2 kB"."""
    for unit, scale in (("MB", 1_000_000), ("kB", 1_000)):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size} bytes"
