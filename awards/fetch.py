"""Fetching a document another host publishes (a did:web DID document, a status list, an Open Badges 2.0 assertion
or key) for the verifier, without letting a credential turn the server against its own network.

A credential chooses the URLs the verifier would fetch, so every fetch is held to these rules:

- only when settings.VERIFY_FETCH_REMOTE is on (off by default: the verifier then judges offline);
- https only, on the default port or one the URL names, and never a redirect (a 3xx is an answer, not a hop);
- the host name is resolved once, every address it resolves to must be public (not loopback, private, link-local,
  shared, multicast, reserved or unspecified, IPv4-mapped forms included), and the connection is made to that
  checked address, with the name used only for SNI and certificate checks: a second lookup that could answer
  differently (DNS rebinding) never happens;
- a time limit on the whole exchange, not only on each read, and a size limit on the body;
- successful answers are kept in Django's cache for settings.VERIFY_FETCH_CACHE_SECONDS.

settings.VERIFY_FETCH_ALLOW_NETWORKS lets the tests reach their own TLS servers on 127.0.0.1; it is never read
from the environment and is ignored in production, so a deployment cannot loosen the address rule by mistake.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(ValueError):
    """The document could not be fetched; `reason` says which rule stopped it, for the verifier's report."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


# The reasons, as the report's machine-readable field carries them.
DISABLED = "fetch_disabled"
REFUSED_URL = "refused_url"
REFUSED_ADDRESS = "refused_address"
FAILED = "fetch_failed"


@dataclass(frozen=True)
class Fetched:
    url: str
    body: bytes
    content_type: str
    status: int = 200


def _allowed_networks() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    if getattr(settings, "PRODUCTION", False):
        return ()
    return tuple(ipaddress.ip_network(net) for net in getattr(settings, "VERIFY_FETCH_ALLOW_NETWORKS", []))


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def address_is_public(address: Address) -> bool:
    """Whether an address is on the public internet: what ipaddress calls global, minus multicast and reserved.
    An IPv6 address that carries an IPv4 one (mapped, NAT64, 6to4) is judged by the IPv4 address it reaches."""
    if isinstance(address, ipaddress.IPv6Address):
        carried = address.ipv4_mapped or address.sixtofour
        if carried is None and address in _NAT64:
            carried = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if carried is not None and not address_is_public(carried):
            return False
    return address.is_global and not address.is_multicast and not address.is_reserved


def _address_allowed(address: Address) -> bool:
    return address_is_public(address) or any(address in net for net in _allowed_networks())


def check_url(url: str) -> tuple[str, int, str]:
    """(host, port, path with query) of a URL the verifier may fetch; FetchError(REFUSED_URL) otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError:
        raise FetchError(_("%(url)s is not a valid URL") % {"url": url}, reason=REFUSED_URL) from None
    if parts.scheme != "https":
        raise FetchError(
            _("%(url)s is refused: only https:// addresses are fetched") % {"url": url}, reason=REFUSED_URL
        )
    if not parts.hostname or parts.username or parts.password:
        raise FetchError(
            _("%(url)s is refused: it names no host, or carries a user name") % {"url": url}, reason=REFUSED_URL
        )
    return parts.hostname, port, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def resolve_checked(host: str, port: int) -> list[Address]:
    """Every address `host` resolves to, once; FetchError(REFUSED_ADDRESS) if any of them is not public."""
    try:
        literal: Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        found = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError) as error:
            raise FetchError(
                _("the host %(host)s cannot be resolved: %(error)s") % {"host": host, "error": error}, reason=FAILED
            ) from None
        found = []
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            if address not in found:
                found.append(address)
    # Every answer is judged, not just the first: a name that resolves to one public and one private address
    # could be connected to either.
    refused = [str(address) for address in found if not _address_allowed(address)]
    if refused or not found:
        raise FetchError(
            _("%(host)s is refused: it resolves to an address that is not public (%(addresses)s)")
            % {"host": host, "addresses": ", ".join(refused) or _("none")},
            reason=REFUSED_ADDRESS,
        )
    return found


@lru_cache(maxsize=4)
def _tls_context(ca_file: str) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=ca_file or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class _DeadlineReader(io.RawIOBase):
    """The response's bytes, each read given only what is left of the whole exchange's time: a host that sends a
    byte a second (headers included) is cut off at the deadline, not allowed a fresh timeout per read."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self._sock.settimeout(remaining)
        return self._sock.recv_into(buffer)


class _DeadlineSocket:
    """What http.client's response reads through (it only calls makefile and close)."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str, *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def close(self) -> None:
        pass  # http.client closes the connection once the response holds it; the socket is closed after reading


class _PinnedConnection(http.client.HTTPSConnection):
    """An HTTPS connection to an address already checked, naming the host only for SNI and the certificate."""

    def __init__(
        self, host: str, port: int, *, address: Address, context: ssl.SSLContext, timeout: float, deadline: float
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._tls = context
        self._deadline = deadline
        self._real: socket.socket | None = None

    def connect(self) -> None:
        raw = socket.create_connection((str(self._address), self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)

    def getresponse(self) -> http.client.HTTPResponse:
        self._real = self.sock
        self.sock = _DeadlineSocket(self._real, self._deadline)
        try:
            return super().getresponse()
        finally:
            if self.sock is not None:
                self.sock = self._real

    def release(self) -> None:
        """Close the connection and the socket the response was read from (http.client's own close, which it
        calls as soon as a response will close the connection, leaves that socket open for the reading)."""
        self.close()
        real, self._real = self._real, None
        if real is not None:
            real.close()


def _exchange(
    url: str, host: str, port: int, path: str, addresses: list[Address], accept: str, *, gone_ok: bool
) -> Fetched:
    limit = int(settings.VERIFY_FETCH_MAX_BYTES)
    timeout = float(settings.VERIFY_FETCH_TIMEOUT_SECONDS)
    deadline = time.monotonic() + timeout
    context = _tls_context(str(getattr(settings, "VERIFY_FETCH_CA_FILE", "") or ""))
    last_error: Exception | None = None
    for address in addresses:
        connection = _PinnedConnection(host, port, address=address, context=context, timeout=timeout, deadline=deadline)
        try:
            connection.request("GET", path, headers={"Accept": accept, "User-Agent": "microcred-verifier"})
            response = connection.getresponse()
            if 300 <= response.status < 400:
                raise FetchError(
                    _("%(url)s answered with a redirect, which is not followed") % {"url": url}, reason=FAILED
                )
            if response.status != 200 and not (gone_ok and response.status == 410):
                raise FetchError(
                    _("%(url)s answered HTTP %(status)s") % {"url": url, "status": response.status}, reason=FAILED
                )
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise _too_large(url, limit)
            body = bytearray()
            while len(body) <= limit:
                if time.monotonic() > deadline:
                    raise _too_slow(url, timeout)
                chunk = response.read1(16384)
                if not chunk:
                    break
                body += chunk
            if len(body) > limit:
                raise _too_large(url, limit)
            if time.monotonic() > deadline:
                raise _too_slow(url, timeout)
            content_type = response.getheader("Content-Type") or ""
            return Fetched(url=url, body=bytes(body), content_type=content_type, status=response.status)
        except TimeoutError:
            raise _too_slow(url, timeout) from None
        except ssl.SSLError as error:
            raise FetchError(
                _("%(url)s: the TLS connection failed: %(error)s") % {"url": url, "error": error.reason or error},
                reason=FAILED,
            ) from None
        except (OSError, http.client.HTTPException) as error:
            last_error = error  # this address did not answer: the next checked one may
        finally:
            connection.release()
    raise FetchError(_("%(url)s could not be fetched: %(error)s") % {"url": url, "error": last_error}, reason=FAILED)


def _too_large(url: str, limit: int) -> FetchError:
    return FetchError(
        _("%(url)s is refused: the answer is larger than %(limit)s bytes") % {"url": url, "limit": limit},
        reason=FAILED,
    )


def _too_slow(url: str, timeout: float) -> FetchError:
    return FetchError(
        _("%(url)s is refused: no complete answer within %(seconds)s seconds")
        % {"url": url, "seconds": f"{timeout:g}"},
        reason=FAILED,
    )


def fetch_document(*, url: str, accept: str = "application/json", gone_ok: bool = False) -> Fetched:
    """The body another host serves at `url`, under every rule above; FetchError (with its reason) otherwise.
    `gone_ok`: a 410 Gone is an answer too (an Open Badges 2.0 host says a revoked assertion is gone)."""
    if not settings.VERIFY_FETCH_REMOTE:
        raise FetchError(
            _("%(url)s is on another host, and fetching from other hosts is turned off on this server") % {"url": url},
            reason=DISABLED,
        )
    host, port, path = check_url(url)
    key = "awards.fetch:" + hashlib.sha256(f"{gone_ok}\n{url}".encode("utf-8", "surrogatepass")).hexdigest()
    hit = cache.get(key)
    if isinstance(hit, Fetched):
        return hit
    addresses = resolve_checked(host, port)
    fetched = _exchange(url, host, port, path, addresses, accept, gone_ok=gone_ok)
    cache.set(key, fetched, int(settings.VERIFY_FETCH_CACHE_SECONDS))
    return fetched
