from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from fengqiao.core.clock import utcnow
from fengqiao.jobs import leases

TTL = timedelta(minutes=2)


def test_a_lease_is_exclusive_until_it_expires(sessions: sessionmaker[Session]) -> None:
    now = utcnow()
    assert leases.acquire(sessions, name="w", holder="a", ttl=TTL, now=now) is None
    assert leases.acquire(sessions, name="w", holder="a", ttl=TTL, now=now) is None  # renewing is acquiring again

    refused = leases.acquire(sessions, name="w", holder="b", ttl=TTL, now=now + timedelta(minutes=1))
    assert refused is not None
    assert (refused.holder, refused.expires_at) == ("a", now + TTL)

    after_expiry = now + TTL + timedelta(seconds=1)
    assert leases.acquire(sessions, name="w", holder="b", ttl=TTL, now=after_expiry) is None
    assert not leases.renew(sessions, name="w", holder="a", ttl=TTL, now=after_expiry)
    assert leases.renew(sessions, name="w", holder="b", ttl=TTL, now=after_expiry)


def test_only_the_holder_releases_a_lease(sessions: sessionmaker[Session]) -> None:
    now = utcnow()
    leases.acquire(sessions, name="w", holder="a", ttl=TTL, now=now)
    leases.release(sessions, name="w", holder="b")
    assert leases.acquire(sessions, name="w", holder="b", ttl=TTL, now=now) is not None
    leases.release(sessions, name="w", holder="a")
    assert leases.acquire(sessions, name="w", holder="b", ttl=TTL, now=now) is None
