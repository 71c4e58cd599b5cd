"""The outgoing webhook of warnings (e.g. a government messaging app), as an outbox of jobs: queued in the same
transaction as the warning, delivered by the worker, retried with backoff when the receiver fails.

Configured by ``FENGQIAO_WARNING_WEBHOOK_URL`` (nothing is queued without it) and ``FENGQIAO_WARNING_WEBHOOK_SECRET``.
Each request carries ``X-Fengqiao-Timestamp`` and ``X-Fengqiao-Signature: sha256=<hex>``, the HMAC-SHA256 of
``"<timestamp>.<body>"`` under the secret, so the receiver can check origin and freshness. The body names the
warning, its level, reason, unit and deadline — no personal data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC
from typing import TYPE_CHECKING, Any

import httpx
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.orm import Session

from fengqiao.core.clock import utcnow
from fengqiao.jobs import service as jobs

if TYPE_CHECKING:
    from fengqiao.jurisdiction.models import Unit
    from fengqiao.warnings.models import RiskWarning

WEBHOOK = "warnings.webhook"
SIGNATURE_HEADER = "X-Fengqiao-Signature"
TIMESTAMP_HEADER = "X-Fengqiao-Timestamp"


class WebhookSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FENGQIAO_WARNING_WEBHOOK_", env_file=".env", extra="ignore")

    url: str | None = None
    secret: str = ""
    timeout: float = 10.0


def settings() -> WebhookSettings:
    return WebhookSettings()


def message(*, warning: RiskWarning, unit: Unit, change: str) -> dict[str, Any]:
    return {
        "type": f"warning.{change}",
        "warning": {
            "id": warning.id,
            "level": warning.level,
            "title": warning.title,
            "reason": warning.reason,
            "source": warning.source,
            "kind": warning.kind,
            "status": warning.status,
            "escalations": warning.escalations,
            "unit_code": unit.code,
            "unit_name": unit.name,
            "ack_deadline": warning.ack_deadline.astimezone(UTC).isoformat(),
            "event_ids": list(warning.evidence.get("event_ids", [])),
        },
    }


def queue(*, session: Session, warning: RiskWarning, unit: Unit, change: str) -> None:
    """Queue a delivery (a job) when a webhook is configured."""
    if not settings().url:
        return
    jobs.schedule(
        session=session,
        kind=WEBHOOK,
        run_at=utcnow(),
        payload={"message": message(warning=warning, unit=unit, change=change)},
        dedupe_key=f"warning:{warning.id}:webhook:{change}:{warning.escalations}",
        county_code=warning.county_code,
        max_attempts=8,
    )


def sign(*, secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def deliver(
    payload: dict[str, Any], *, config: WebhookSettings | None = None, transport: httpx.BaseTransport | None = None
) -> int:
    """POST one message; raise on anything but a 2xx so the worker retries. Returns the status code."""
    config = config or settings()
    if not config.url:
        return 0  # switched off since the message was queued
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    timestamp = str(int(utcnow().timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret=config.secret, timestamp=timestamp, body=body),
    }
    with httpx.Client(timeout=config.timeout, transport=transport) as client:
        response = client.post(config.url, content=body, headers=headers)
    response.raise_for_status()
    return response.status_code
