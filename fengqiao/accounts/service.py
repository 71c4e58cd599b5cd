"""Login with argon2 passwords and lockout, session/bearer tokens, and channel API keys."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.accounts.models import ApiKey, AuthToken, LoginFailure
from fengqiao.audit import service as audit
from fengqiao.core.clock import to_local, utcnow
from fengqiao.core.errors import FengqiaoError, InvalidInput, Unauthorized
from fengqiao.duty.models import Staff

MAX_FAILED_LOGINS = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
TOKEN_TTL = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()


class AccountLocked(FengqiaoError):
    status_code = 423
    code = "account_locked"


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"密码至少{MIN_PASSWORD_LENGTH}位", code="weak_password")
    return _hasher.hash(password)


def set_password(*, session: Session, staff: Staff, password: str) -> None:
    staff.password_hash = hash_password(password)
    session.flush()


def _sha256(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def authenticate(*, session: Session, username: str, password: str, ip: str | None = None) -> Staff:
    """The staff member, or an error. Failures are counted per username (known or not) and lock it out."""
    now = utcnow()
    failure = session.get(LoginFailure, username)
    if failure and failure.locked_until and failure.locked_until > now:
        until = to_local(failure.locked_until).strftime("%H:%M")
        raise AccountLocked(f"登录失败次数过多，账号已锁定，请于{until}后再试")
    staff = session.scalars(select(Staff).where(Staff.username == username)).one_or_none()
    if staff is not None and staff.is_active and staff.password_hash and _verify(staff.password_hash, password):
        if failure is not None:
            session.delete(failure)
        audit.record(
            session=session,
            county_code=staff.county_code,
            actor_id=staff.id,
            action="login",
            entity_type="staff",
            entity_id=staff.id,
            ip=ip,
        )
        if _hasher.check_needs_rehash(staff.password_hash):
            staff.password_hash = _hasher.hash(password)
        session.flush()
        return staff
    _count_failure(session=session, username=username, failure=failure, now=now)
    if staff is not None:
        audit.record(
            session=session,
            county_code=staff.county_code,
            actor_id=None,
            action="login_failed",
            entity_type="staff",
            entity_id=staff.id,
            ip=ip,
        )
    session.flush()
    raise Unauthorized("用户名或密码错误", code="invalid_credentials")


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(*, session: Session, username: str, failure: LoginFailure | None, now: datetime) -> None:
    if failure is None or now - failure.first_failed_at > FAILURE_WINDOW:
        if failure is None:
            failure = LoginFailure(username=username, count=0, first_failed_at=now)
            session.add(failure)
        failure.count = 0
        failure.first_failed_at = now
        failure.locked_until = None
    failure.count += 1
    if failure.count >= MAX_FAILED_LOGINS:
        failure.locked_until = now + LOCKOUT


def issue_token(*, session: Session, staff: Staff, ttl: timedelta = TOKEN_TTL) -> str:
    raw = secrets.token_urlsafe(32)
    session.add(AuthToken(staff_id=staff.id, token_hash=_sha256(raw), expires_at=utcnow() + ttl))
    session.flush()
    return raw


def staff_for_token(*, session: Session, raw: str) -> Staff | None:
    token = session.scalars(select(AuthToken).where(AuthToken.token_hash == _sha256(raw))).one_or_none()
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
        return None
    staff = session.get(Staff, token.staff_id)
    return staff if staff is not None and staff.is_active else None


def revoke_token(*, session: Session, raw: str) -> None:
    token = session.scalars(select(AuthToken).where(AuthToken.token_hash == _sha256(raw))).one_or_none()
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()


def create_api_key(*, session: Session, county_code: str, channel: str, name: str, unit_id: int) -> tuple[ApiKey, str]:
    """A new key for a channel; the raw key is returned once and never stored."""
    raw = f"fq_{channel}_{secrets.token_urlsafe(24)}"
    key = ApiKey(
        county_code=county_code, channel=channel, name=name, prefix=raw[:12], key_hash=_sha256(raw), unit_id=unit_id
    )
    session.add(key)
    session.flush()
    return key, raw


def api_key_for(*, session: Session, raw: str) -> ApiKey | None:
    key = session.scalars(select(ApiKey).where(ApiKey.key_hash == _sha256(raw))).one_or_none()
    return key if key is not None and key.revoked_at is None else None
