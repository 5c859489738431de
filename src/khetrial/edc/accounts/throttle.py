"""Login throttling per (user name, address), counted with atomic ``F()`` updates.

Why not django-axes: the rule is a few lines over one table, it must write our own audit trail,
and it must never touch the account itself (axes' default locks by user name or address; its
combination mode works too, but adds a dependency and its own tables and admin for what two
``UPDATE`` statements do). Each failure is one ``UPDATE ... SET failures = failures + 1``, so
concurrent failures are all counted; the lock is set by a second conditional ``UPDATE``, only when
no lock holds, so attempts during a lock never renew it. Sessions are not touched: a lock only
refuses new password logins from that address.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from khetrial.edc.accounts.models import LoginThrottle
from khetrial.edc.accounts.roles import LOCKOUT_MINUTES, MAX_FAILED_LOGINS

MAX_ADDRESS_LENGTH = 64


def is_throttled(username: str, address: str, now=None) -> bool:
    """Whether logins as ``username`` from ``address`` are refused right now."""
    return LoginThrottle.objects.filter(username=username, address=address[:MAX_ADDRESS_LENGTH],
                                        locked_until__gt=now or timezone.now()).exists()


def locked_usernames(now=None) -> set[str]:
    """User names locked from at least one address right now."""
    rows = LoginThrottle.objects.filter(locked_until__gt=now or timezone.now())
    return set(rows.values_list("username", flat=True))


def register_failure(username: str, address: str, now=None) -> bool:
    """Count one failed login; returns True when this failure starts a lock."""
    now = now or timezone.now()
    address = address[:MAX_ADDRESS_LENGTH]
    _ensure_row(username, address)
    rows = LoginThrottle.objects.filter(username=username, address=address)
    unlocked = Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    rows.filter(unlocked).update(failures=F("failures") + 1)
    started = rows.filter(unlocked, failures__gte=MAX_FAILED_LOGINS).update(
        failures=0, locked_until=now + timedelta(minutes=LOCKOUT_MINUTES))
    return started > 0


def clear(username: str, address: str) -> None:
    """A successful login from ``address`` forgets that address's failures."""
    LoginThrottle.objects.filter(username=username, address=address[:MAX_ADDRESS_LENGTH]).delete()


def unlock(username: str, now=None) -> int:
    """Forget every failure and lock of ``username`` (an administrator's unlock); returns how
    many addresses were locked out right now."""
    rows = LoginThrottle.objects.filter(username=username)
    locked = rows.filter(locked_until__gt=now or timezone.now()).count()
    rows.delete()
    return locked


def _ensure_row(username: str, address: str) -> None:
    if LoginThrottle.objects.filter(username=username, address=address).exists():
        return
    try:
        with transaction.atomic():
            LoginThrottle.objects.create(username=username, address=address)
    except IntegrityError:
        pass  # created meanwhile by a concurrent failure
