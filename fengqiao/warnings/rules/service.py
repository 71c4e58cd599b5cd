"""Applying the active rule set to new events (from the analysis job) and trying a candidate on past events (the dry
run: "this rule would have fired 37 times last month") without writing anything."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.accounts.masking import SENSITIVE_PLACEHOLDER
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import InvalidInput
from fengqiao.events.models import Event
from fengqiao.warnings import issued
from fengqiao.warnings.models import RiskWarning
from fengqiao.warnings.rules import store
from fengqiao.warnings.rules.evaluate import (
    EventRow,
    Hit,
    KeyLookup,
    RegisteredKeys,
    evaluate,
    load_facts,
    load_rows,
    raised,
)
from fengqiao.warnings.rules.schema import RuleSetSpec, parse

DRY_RUN_BATCH = 2000
MAX_DRY_RUN_DAYS = 366


@dataclass
class Applied:
    hits: list[Hit] = field(default_factory=list)
    raised_event_ids: list[int] = field(default_factory=list)
    warnings: list[RiskWarning] = field(default_factory=list)


def apply_rules(*, session: Session, event_ids: Sequence[int], keys: KeyLookup | None = None) -> Applied:
    """Evaluate the active rule set of each event's county: raise risk (never lower it), record the rules that hit
    and their tags on the event's triage, and issue the warnings the rules ask for."""
    keys = keys or RegisteredKeys()
    result = Applied()
    rows = load_rows(session=session, where=[Event.id.in_(list(event_ids))]) if event_ids else []
    by_county: dict[str, list[EventRow]] = {}
    for row in rows:
        by_county.setdefault(row.county_code, []).append(row)
    for county_code, county_rows in by_county.items():
        rules = store.active(session=session, county_code=county_code, create=True)
        if not rules.spec.rules:
            continue
        facts = load_facts(session=session, rows=county_rows, spec=rules.spec, keys=keys)
        hits = evaluate(spec=rules.spec, rows=county_rows, facts=facts)
        result.hits.extend(hits)
        by_event: dict[int, list[Hit]] = {}
        for hit in hits:
            by_event.setdefault(hit.event.id, []).append(hit)
        if by_event:
            events = {e.id: e for e in session.scalars(select(Event).where(Event.id.in_(list(by_event))))}
            for event_id, event_hits in by_event.items():
                event = events[event_id]
                risk = raised(event.risk_level or "low", event_hits)
                if risk != event.risk_level:
                    event.risk_level = risk
                    result.raised_event_ids.append(event_id)
                tags = sorted({t for h in event_hits for t in h.rule.then.tags})
                event.triage = {
                    **(event.triage or {}),
                    "risk_rules": {
                        "version": rules.version,
                        "rules": [h.rule.code for h in event_hits],
                        "reasons": [h.reason() for h in event_hits],
                        "tags": tags,
                    },
                }
            session.flush()
        result.warnings.extend(issued.issue_for_hits(session=session, hits=hits, rule_set_id=rules.rule_set_id))
    return result


@dataclass(frozen=True)
class Example:
    event_id: int
    dispute_code: str
    title: str
    registered_at: datetime
    reason: str


@dataclass
class RuleCount:
    code: str
    name: str
    enabled: bool
    count: int = 0
    examples: list[Example] = field(default_factory=list)


@dataclass
class DryRun:
    since: datetime
    until: datetime
    events: int
    rules: list[RuleCount]
    warnings: int = 0  # hits whose rule would issue a warning
    raised: dict[str, int] = field(default_factory=dict)  # events whose risk would rise, by new level

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "until": self.until,
            "events": self.events,
            "warnings": self.warnings,
            "raised": self.raised,
            "rules": [
                {
                    "code": r.code,
                    "name": r.name,
                    "enabled": r.enabled,
                    "count": r.count,
                    "examples": [e.__dict__ for e in r.examples],
                }
                for r in self.rules
            ],
        }


def dry_run(
    *,
    session: Session,
    county_code: str,
    text: str | None = None,
    spec: RuleSetSpec | None = None,
    days: int = 30,
    until: datetime | None = None,
    keys: KeyLookup | None = None,
    examples: int = 5,
) -> DryRun:
    """How often each rule of a candidate rule set would have fired on the county's events of the last ``days``.
    Reads only; the events are evaluated in batches (a few queries per batch, never one per event)."""
    if spec is None:
        spec = parse(text or "")
    if not 1 <= days <= MAX_DRY_RUN_DAYS:
        raise InvalidInput(f"试运行天数应在1到{MAX_DRY_RUN_DAYS}之间", code="invalid_dry_run_days")
    keys = keys or RegisteredKeys()
    until = until or utcnow()
    since = until - timedelta(days=days)
    counts = {r.code: RuleCount(r.code, r.name, r.enabled) for r in spec.rules}
    report = DryRun(since=since, until=until, events=0, rules=list(counts.values()))
    last_id = 0
    while True:
        rows = load_rows(
            session=session,
            where=[
                Event.county_code == county_code,
                Event.registered_at >= since,
                Event.registered_at <= until,
                Event.id > last_id,
            ],
            limit=DRY_RUN_BATCH,
        )
        if not rows:
            break
        last_id = rows[-1].id
        report.events += len(rows)
        facts = load_facts(session=session, rows=rows, spec=spec, keys=keys)
        hits = evaluate(spec=spec, rows=rows, facts=facts)
        by_event: dict[int, list[Hit]] = {}
        for hit in hits:
            count = counts[hit.rule.code]
            count.count += 1
            if len(count.examples) < examples:
                row = hit.event
                title = SENSITIVE_PLACEHOLDER if row.is_sensitive else row.title
                count.examples.append(Example(row.id, row.dispute_code, title, row.registered_at, hit.reason()))
            if hit.rule.then.warning is not None:
                report.warnings += 1
            by_event.setdefault(hit.event.id, []).append(hit)
        for event_hits in by_event.values():
            before = event_hits[0].event.risk
            after = raised(before, event_hits)
            if after != before:
                report.raised[after] = report.raised.get(after, 0) + 1
    return report
