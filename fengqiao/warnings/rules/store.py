"""The versions of a county's rule set: saved as new versions (never edited), one active at a time; the built-in
default file is version 1 when a county has none. The parsed active version is cached by row id and digest, as the
classifier caches its model, so evaluation reads one small row per batch."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fengqiao.core.clock import utcnow
from fengqiao.core.errors import NotFound
from fengqiao.warnings.models import RiskRuleSet
from fengqiao.warnings.rules.schema import RuleSetSpec, parse

DEFAULT_FILE = Path(__file__).with_name("default.yaml")
DEFAULT_NOTE = "内置默认规则集"

_lock = threading.Lock()
_parsed: dict[tuple[int, str], RuleSetSpec] = {}


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def default_text() -> str:
    return DEFAULT_FILE.read_text(encoding="utf-8")


@dataclass(frozen=True)
class ActiveRules:
    spec: RuleSetSpec
    rule_set_id: int | None  # None: the built-in default, not yet stored
    version: int
    sha256: str


def _cached(row_id: int, sha: str, text: str) -> RuleSetSpec:
    key = (row_id, sha)
    with _lock:
        spec = _parsed.get(key)
    if spec is None:
        spec = parse(text)
        with _lock:
            if len(_parsed) > 64:
                _parsed.clear()
            _parsed[key] = spec
    return spec


def ensure_default(*, session: Session, county_code: str) -> RiskRuleSet:
    """Store the built-in rule set as version 1, active, if the county has no version yet (race-safe)."""
    existing = session.scalars(
        select(RiskRuleSet).where(RiskRuleSet.county_code == county_code).order_by(RiskRuleSet.version).limit(1)
    ).first()
    if existing is not None:
        return existing
    text = default_text()
    row = RiskRuleSet(
        county_code=county_code,
        version=1,
        text=text,
        sha256=digest(text),
        note=DEFAULT_NOTE,
        is_active=True,
        activated_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return session.scalars(
            select(RiskRuleSet).where(RiskRuleSet.county_code == county_code, RiskRuleSet.version == 1)
        ).one()
    return row


def active(*, session: Session, county_code: str, create: bool = False) -> ActiveRules:
    """The rule set in force. Without a stored version: the built-in default (stored first when ``create``)."""
    row = session.execute(
        select(RiskRuleSet.id, RiskRuleSet.sha256, RiskRuleSet.version)
        .where(RiskRuleSet.county_code == county_code, RiskRuleSet.is_active.is_(True))
        .order_by(RiskRuleSet.version.desc())
        .limit(1)
    ).first()
    if row is None:
        has_any = session.scalar(select(func.count()).where(RiskRuleSet.county_code == county_code))
        if not has_any and create:
            stored = ensure_default(session=session, county_code=county_code)
            return ActiveRules(_cached(stored.id, stored.sha256, stored.text), stored.id, stored.version, stored.sha256)
        if not has_any:
            text = default_text()
            return ActiveRules(_cached(0, digest(text), text), None, 1, digest(text))
        # Every version deactivated: nothing is in force (an administrator switched the rules off).
        return ActiveRules(RuleSetSpec.model_construct(rules=[]), None, 0, "")
    with _lock:
        spec = _parsed.get((row.id, row.sha256))
    if spec is None:
        stored = session.scalar(select(RiskRuleSet.text).where(RiskRuleSet.id == row.id))
        assert stored is not None
        spec = _cached(row.id, row.sha256, stored)
    return ActiveRules(spec, row.id, row.version, row.sha256)


def list_versions(*, session: Session, county_code: str) -> list[RiskRuleSet]:
    return list(
        session.scalars(
            select(RiskRuleSet).where(RiskRuleSet.county_code == county_code).order_by(RiskRuleSet.version.desc())
        )
    )


def get_version(*, session: Session, county_code: str, rule_set_id: int) -> RiskRuleSet:
    row = session.get(RiskRuleSet, rule_set_id)
    if row is None or row.county_code != county_code:
        raise NotFound(f"未找到规则集版本{rule_set_id}", code="rule_set_not_found")
    return row


def save(
    *, session: Session, county_code: str, text: str, staff_id: int | None, note: str = "", activate: bool = False
) -> RiskRuleSet:
    """Check ``text`` and store it as the next version (optionally making it the active one)."""
    parse(text)  # raises RuleSetInvalid with every problem
    ensure_default(session=session, county_code=county_code)
    latest = session.scalar(select(func.max(RiskRuleSet.version)).where(RiskRuleSet.county_code == county_code)) or 0
    row = RiskRuleSet(
        county_code=county_code,
        version=latest + 1,
        text=text,
        sha256=digest(text),
        note=note.strip()[:200] or None,
        is_active=False,
        created_by_id=staff_id,
    )
    session.add(row)
    session.flush()
    if activate:
        make_active(session=session, county_code=county_code, rule_set_id=row.id, staff_id=staff_id)
    return row


def make_active(*, session: Session, county_code: str, rule_set_id: int, staff_id: int | None) -> RiskRuleSet:
    """Put a version in force (a rollback is activating an older one)."""
    row = get_version(session=session, county_code=county_code, rule_set_id=rule_set_id)
    parse(row.text)  # a stored version was valid when saved; the taxonomy may have changed since
    session.execute(
        update(RiskRuleSet)
        .where(RiskRuleSet.county_code == county_code, RiskRuleSet.id != row.id)
        .values(is_active=False)
        .execution_options(synchronize_session="fetch")
    )
    row.is_active = True
    row.activated_by_id = staff_id
    row.activated_at = utcnow()
    session.flush()
    return row
