"""Throttles on the ways into an account: signing in, signing up and asking for a password reset.

django-axes pauses one account on one network after a few wrong passwords. It cannot see one network
trying a password or two on each of many accounts (password spraying), and it does not limit the email
that sign-up and reset send. These counters do: per network for each way in, per address for the email.

Each rule (settings.ACCOUNT_THROTTLES) allows `limit` hits in a fixed window of `window` seconds. The
counts live in the database (accounts.Throttle) and move by conditional UPDATEs, so they stay exact
across worker processes and servers without a shared cache, and a test's rows roll back with it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import timedelta

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

from accounts.models import Throttle
from core.errors import TooSoon

_SALT = "accounts.throttle"


@dataclass(frozen=True)
class Rule:
    name: str
    limit: int
    window: timedelta


def throttle_rule(name: str) -> Rule:
    conf = settings.ACCOUNT_THROTTLES[name]
    return Rule(name=name, limit=int(conf["limit"]), window=timedelta(seconds=int(conf["window"])))


def client_ip(request: HttpRequest) -> str:
    """The address a request came from (django-axes asks this too: AXES_CLIENT_IP_CALLABLE).

    REMOTE_ADDR, unless settings.TRUSTED_PROXY_COUNT proxies stand in front of the app, each appending the
    address it was reached from to X-Forwarded-For: then the entry the outermost one wrote. Entries before
    it came from the client, who can write anything there, so they are never read.
    """
    remote = str(request.META.get("REMOTE_ADDR") or "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if hop.strip()]
    return hops[-count] if len(hops) >= count else remote


def client_network(request: HttpRequest) -> str:
    """What requests are counted by: the client's IP address as django-axes resolves it (so the two agree),
    an IPv6 address by its /64, since one subscriber is handed a whole /64."""
    raw = get_client_ip_address(request) or ""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _digest(rule: str, key: str) -> str:
    return salted_hmac(_SALT, f"{rule}\x00{key}").hexdigest()


def _longest_window() -> timedelta:
    return max(throttle_rule(name).window for name in settings.ACCOUNT_THROTTLES)


def throttle_take(*, rule: str, key: str) -> bool:
    """Count one hit of `rule` for `key`; False, counting nothing, when this window's allowance is spent."""
    return _take(throttle_rule(rule), key)


def throttle_take_distinct(*, rule: str, key: str, member: str) -> bool:
    """Count `member` once per window against `key` (how many different accounts one network tried);
    False when a member not yet counted would pass the limit."""
    spec = throttle_rule(rule)
    # A mark per member that allows one hit a window: taking it succeeds only the first time.
    seen = Rule(name=f"{rule}:seen", limit=1, window=spec.window)
    if not _take(seen, f"{key}\x00{member}"):
        return True
    return _take(spec, key)


def _take(spec: Rule, key: str) -> bool:
    rows = Throttle.objects.filter(scope=spec.name, key=_digest(spec.name, key))
    for _ in range(3):
        now = timezone.now()
        fresh = now - spec.window
        # Each step is one statement that re-checks its condition under the row lock, so two requests
        # racing on the last hit of a window cannot both get it.
        if rows.filter(window_start__gt=fresh, hits__lt=spec.limit).update(hits=F("hits") + 1):
            return True
        if rows.filter(window_start__lte=fresh).update(window_start=now, hits=1):
            return True
        current = rows.values_list("window_start", "hits").first()
        if current is None:
            try:
                with transaction.atomic():
                    Throttle.objects.create(scope=spec.name, key=_digest(spec.name, key), window_start=now, hits=1)
            except IntegrityError:
                continue  # another request made the row first: count against it
            # Rows are made once per key and window, so this is where rows of long-gone windows are swept.
            Throttle.objects.filter(window_start__lt=now - _longest_window()).delete()
            return True
        window_start, hits = current
        if window_start > fresh and hits >= spec.limit:
            return False
        # The row changed between the statements (another request opened a new window): try again.
    return False


def throttle_retry_after(*, rule: str, key: str) -> timedelta | None:
    """How long until `rule` allows `key` again; None when it allows it now."""
    spec = throttle_rule(rule)
    current = Throttle.objects.filter(scope=rule, key=_digest(rule, key)).values_list("window_start", "hits").first()
    if current is None:
        return None
    window_start, hits = current
    wait = window_start + spec.window - timezone.now()
    return wait if hits >= spec.limit and wait > timedelta(0) else None


def throttle_reached(*, rule: str, key: str) -> bool:
    """Whether `rule` refuses `key` now, counting nothing."""
    return throttle_retry_after(rule=rule, key=key) is not None


def throttle_guard(*, rule: str, key: str, message: str) -> None:
    """Take one hit of `rule` for `key`, or refuse with TooSoon: `message` followed by when to try again."""
    if throttle_take(rule=rule, key=key):
        return
    raise TooSoon(f"{message} {try_again_in(throttle_retry_after(rule=rule, key=key))}")


def try_again_in(wait: timedelta | None) -> str:
    minutes = max(1, -(-int((wait or timedelta(0)).total_seconds()) // 60))
    return ngettext("Try again in %(minutes)d minute.", "Try again in %(minutes)d minutes.", minutes) % {
        "minutes": minutes
    }
