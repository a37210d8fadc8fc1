"""Webhook HTTP: the destination policy (no SSRF) and one signed ``POST`` with hard timeouts.

EPCIS 2.0 REST binding, subscriptions: the server notifies ``dest`` with an
``EPCISQueryDocument`` and signs it in ``GS1-Signature`` when the subscriber gave a
``signatureToken``. Here the signature is the lowercase hex HMAC-SHA256 of the exact body bytes,
keyed with the UTF-8 bytes of the token (``signature``).

Policy: only ``http://`` and ``https://`` URLs without credentials; every address the host
resolves to must be public (not private, loopback, link-local, multicast, reserved, unspecified
or shared) unless private destinations are allowed (``ONECODE_WEBHOOK_ALLOW_PRIVATE``). The
check runs at subscribe time and again before every delivery, and the connection goes to the
address that was checked (DNS cannot change between check and connect). Connect timeout 5 s,
whole exchange 10 s, redirects are never followed (a 3xx is a failed delivery).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

CONNECT_TIMEOUT = 5.0
TOTAL_TIMEOUT = 10.0
_MAX_READ = 64 * 1024

Resolver = Callable[[str, int], Iterable[str]]


class DestinationError(ValueError):
    """A webhook destination this server will not call; the message says why."""


@dataclass(frozen=True, slots=True)
class Target:
    """A checked destination: where to connect (``address``) and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


@dataclass(frozen=True, slots=True)
class WebhookResult:
    """What the receiver answered (``status``), or why there was no answer (``error``)."""

    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the receiver acknowledged the notification (any 2xx)."""
        return self.status is not None and 200 <= self.status < 300  # noqa: PLR2004  HTTP 2xx


def signature(body: bytes, token: str) -> str:
    """``GS1-Signature`` value: hex HMAC-SHA256 of ``body`` keyed with the token's UTF-8."""
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (A and AAAA)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DestinationError(f"{host}: does not resolve ({exc})") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_destination(url: str, *, allow_private: bool, resolver: Resolver = resolve) -> Target:
    """The checked target of ``url``.

    Raises:
        DestinationError: not http(s), no host, credentials in the URL, does not resolve, or
            resolves to a non-public address while those are not allowed.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise DestinationError(f"{url}: only http:// and https:// destinations are allowed")
    if not parts.hostname:
        raise DestinationError(f"{url}: no host")
    if parts.username is not None or parts.password is not None:
        raise DestinationError(f"{url}: credentials in the URL are not supported")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise DestinationError(f"{url}: bad port") from None
    addresses = list(resolver(parts.hostname, port))
    if not addresses:
        raise DestinationError(f"{parts.hostname}: does not resolve")
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise DestinationError(
                    f"{parts.hostname} resolves to {address}, which is not a public address"
                )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


def is_public(address: str) -> bool:
    """Whether an IP address is globally routable unicast (IPv4-mapped IPv6 judged as IPv4)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    blocked = (
        ip.is_private,
        ip.is_loopback,
        ip.is_link_local,
        ip.is_multicast,
        ip.is_reserved,
        ip.is_unspecified,
    )
    return ip.is_global and not any(blocked)


def post(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    allow_private: bool,
    resolver: Resolver = resolve,
) -> WebhookResult:
    """``POST`` ``body`` to ``url`` after checking the destination; never raises for I/O."""
    try:
        target = check_destination(url, allow_private=allow_private, resolver=resolver)
    except DestinationError as exc:
        return WebhookResult(None, f"destination refused: {exc}")
    deadline = time.monotonic() + TOTAL_TIMEOUT
    connection = _PinnedConnection(target)
    try:
        connection.connect()
        sock = connection.sock  # http.client drops its reference once the answer is complete
        sock.settimeout(_remaining(deadline))
        connection.request("POST", target.path, body=body, headers=dict(headers))
        response = connection.getresponse()
        read = 0
        while read < _MAX_READ:
            sock.settimeout(_remaining(deadline))
            chunk = response.read(min(8192, _MAX_READ - read))
            if not chunk:
                break
            read += len(chunk)
        return WebhookResult(response.status)
    except (OSError, http.client.HTTPException, TimeoutError) as exc:
        return WebhookResult(None, f"{type(exc).__name__}: {exc}"[:500])
    finally:
        connection.close()


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError(f"no complete answer within {TOTAL_TIMEOUT:g} s")
    return left


class _PinnedConnection(http.client.HTTPConnection):
    """HTTP(S) to the checked address; the Host header, SNI and certificate use the name."""

    def __init__(self, target: Target) -> None:
        super().__init__(target.host, target.port, timeout=CONNECT_TIMEOUT)
        self._target = target

    def connect(self) -> None:
        """Connect to the checked address (5 s), then wrap in TLS for https."""
        sock = socket.create_connection((self._target.address, self.port), CONNECT_TIMEOUT)
        if self._target.scheme == "https":
            context = ssl.create_default_context()
            sock = context.wrap_socket(sock, server_hostname=self._target.host)
        self.sock = sock
