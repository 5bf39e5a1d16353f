"""Failed logins and what they close: the throttle by address and the lock by name.

The rule (docs/deployment.md, "Login throttling"):

- **By address.**  LOGIN_ADDRESS_ATTEMPTS failed logins from one address, whatever the
  user names, within LOGIN_ADDRESS_MINUTES close that address to every login until the
  oldest of them is that old: someone trying names or passwords from one place gets that
  many tries per window, and no more.
- **By name, at an address.**  LOGIN_LOCKOUT_ATTEMPTS failures for one user name from one
  address within LOGIN_LOCKOUT_MINUTES close that name *at that address* the same way.
  The name is never closed everywhere: the officer, from an address that has not failed
  for it, logs in with the right password, so failing on purpose with an officer's name
  locks out no one but the one failing.
- An attempt refused by either is not counted as one more failure: the lock ends when
  the window says, however long the attempts go on, and the table holds at most so many
  rows per address and window.
- A login clears the failures of that name at that address (only there: the officer
  logging in does not reopen an attacker's address); the administrator's "Unlock now"
  clears the name's failures everywhere.

The same rule applies wherever a password is tried (the login page, the API token
endpoint, Django admin's login, which is the login page) through
``danso.accounts.backends.LockoutModelBackend``; an API token (danso.accounts.
authentication) is refused while its user's name is closed at the caller's address.

The client's address is REMOTE_ADDR, or, when the request came from a proxy named in
TRUSTED_PROXIES, the last address of ``X-Forwarded-For`` that is not such a proxy.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from danso.accounts.models import LoginFailure

#: Failures are kept this long for the administrator to see, then pruned.
KEPT = timedelta(days=7)
#: The attribute of a request whose login the backend refused (read by the signal that
#: records failures, and by the login form for its message).
REFUSED = "danso_login_refused"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Refusal:
    """Why a login is refused, and until when."""

    kind: Literal["address", "name"]
    until: datetime


@dataclass(frozen=True)
class NameLock:
    """A user name closed at an address (for the administrator's page)."""

    ip: str | None
    failures: int
    until: datetime


# The client's address


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(value: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_address(request: Any) -> str | None:
    """The address a request came from (``request``: Django's or DRF's; None: none).

    REMOTE_ADDR, unless it is a proxy of TRUSTED_PROXIES: then ``X-Forwarded-For`` is read
    from its end (the proxy appends the address it saw) and the first address that is not
    a trusted proxy is the client's.  A header that holds no address is ignored."""
    if request is None:
        return None
    remote = _address(str(request.META.get("REMOTE_ADDR", "")))
    if remote is None:
        return None
    proxies = _networks(tuple(settings.TRUSTED_PROXIES))

    def trusted(address: IPAddress) -> bool:
        return any(address in network for network in proxies)

    if not trusted(remote):
        return str(remote)
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    for part in reversed(forwarded.split(",")):
        address = _address(part)
        if address is None:
            break
        if not trusted(address):
            return str(address)
    return str(remote)


# Reads


def _closed_until(failures: Any, attempts: int, minutes: int, now: datetime) -> datetime | None:
    """When the oldest of the last ``attempts`` failures of ``failures`` leaves the window
    of ``minutes``, or None when fewer than ``attempts`` are in the window."""
    window = timedelta(minutes=minutes)
    recent = list(
        failures.filter(at__gt=now - window).order_by("-at").values_list("at", flat=True)[:attempts]
    )
    if len(recent) < attempts:
        return None
    until: datetime = recent[-1] + window
    return until


def login_locked_until(
    *, username: str, ip: str | None, now: datetime | None = None
) -> datetime | None:
    """When ``username`` opens again at ``ip``, or None if it is not closed there."""
    return _closed_until(
        LoginFailure.objects.filter(username=username.lower(), ip=ip),
        settings.LOGIN_LOCKOUT_ATTEMPTS,
        settings.LOGIN_LOCKOUT_MINUTES,
        now or timezone.now(),
    )


def address_locked_until(*, ip: str | None, now: datetime | None = None) -> datetime | None:
    """When ``ip`` opens again to logins, or None if it is open (an unknown address is
    never closed as an address: it is no one's in particular)."""
    if ip is None:
        return None
    return _closed_until(
        LoginFailure.objects.filter(ip=ip),
        settings.LOGIN_ADDRESS_ATTEMPTS,
        settings.LOGIN_ADDRESS_MINUTES,
        now or timezone.now(),
    )


def login_refusal(*, username: str, ip: str | None, now: datetime | None = None) -> Refusal | None:
    """Why a login as ``username`` from ``ip`` is refused now, or None."""
    now = now or timezone.now()
    until = address_locked_until(ip=ip, now=now)
    if until is not None:
        return Refusal("address", until)
    until = login_locked_until(username=username, ip=ip, now=now)
    if until is not None:
        return Refusal("name", until)
    return None


def login_locks(*, username: str, now: datetime | None = None) -> list[NameLock]:
    """The addresses at which ``username`` is closed now, the longest lock first."""
    now = now or timezone.now()
    window = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    suspects = (
        LoginFailure.objects.filter(username=username.lower(), at__gt=now - window)
        .values("ip")
        .annotate(failures=Count("id"))
        .filter(failures__gte=settings.LOGIN_LOCKOUT_ATTEMPTS)
    )
    locks = []
    for row in suspects:
        until = login_locked_until(username=username, ip=row["ip"], now=now)
        if until is not None:
            locks.append(NameLock(row["ip"], row["failures"], until))
    return sorted(locks, key=lambda lock: lock.until, reverse=True)


# Writes


def login_failure_record(*, username: str, ip: str | None) -> None:
    """Count a failed login as ``username`` from ``ip``; forget failures older than KEPT."""
    LoginFailure.objects.create(username=username.lower()[:150], ip=ip)
    LoginFailure.objects.filter(at__lt=timezone.now() - KEPT).delete()


def login_failures_clear(*, username: str, ip: str | Literal["everywhere"] | None) -> None:
    """Forget the failures of ``username`` at ``ip`` (a login from there), or at every
    address (``"everywhere"``: the administrator unlocks the name)."""
    failures = LoginFailure.objects.filter(username=username.lower())
    if ip != "everywhere":
        failures = failures.filter(ip=ip)
    failures.delete()
