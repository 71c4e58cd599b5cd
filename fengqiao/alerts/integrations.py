"""Integrations: the vendor platforms allowed to post alerts for a county, each with its own bearer token."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.alerts.models import AlertIntegration
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import Conflict, InvalidInput, NotFound

TOKEN_PREFIX = "fqa_"


def token_hash(raw: str) -> str:
    """What is stored of a bearer token (the token itself never is)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def create_integration(
    *, session: Session, county_code: str, name: str, created_by_id: int | None = None
) -> tuple[AlertIntegration, str]:
    """A new integration and its bearer token; the raw token is returned once and never stored."""
    name = name.strip()
    if not name or len(name) > 64:
        raise InvalidInput("接入方名称不能为空且不超过64个字符", code="invalid_integration_name")
    taken = session.scalar(
        select(AlertIntegration.id).where(AlertIntegration.county_code == county_code, AlertIntegration.name == name)
    )
    if taken is not None:
        raise Conflict(f"接入方“{name}”已存在", code="integration_exists")
    raw = f"{TOKEN_PREFIX}{secrets.token_urlsafe(32)}"
    integration = AlertIntegration(
        county_code=county_code,
        name=name,
        prefix=raw[:12],
        token_hash=token_hash(raw),
        created_by_id=created_by_id,
        created_at=utcnow(),
    )
    session.add(integration)
    session.flush()
    return integration, raw


def integration_for(*, session: Session, raw: str) -> AlertIntegration | None:
    """The active integration holding this token, or None."""
    found = session.scalars(
        select(AlertIntegration).where(AlertIntegration.token_hash == token_hash(raw))
    ).one_or_none()
    return found if found is not None and found.revoked_at is None else None


def revoke(*, session: Session, county_code: str, integration_id: int) -> AlertIntegration:
    integration = session.get(AlertIntegration, integration_id)
    if integration is None or integration.county_code != county_code:
        raise NotFound(f"未找到接入方{integration_id}", code="integration_not_found")
    if integration.revoked_at is None:
        integration.revoked_at = utcnow()
        session.flush()
    return integration
