"""Model versions: train from the seed corpus plus the recorded corrections, store, activate, roll back, evaluate.

The held-out evaluation set is never trained on: a correction whose text is an evaluation text is left out.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from fengqiao.core.logging import get_logger
from fengqiao.triage.classify import corpus
from fengqiao.triage.classify.evaluation import evaluate
from fengqiao.triage.classify.model import MODEL_FORMAT, TwoLevelModel
from fengqiao.triage.classify.models import ClassificationCorrection, ClassifierModel
from fengqiao.triage.classify.service import classify_with
from fengqiao.triage.taxonomy import default_taxonomy

log = get_logger(__name__)

# One correction counts as this many seed examples: a dispatcher's decision on a real text outweighs templates.
CORRECTION_WEIGHT = 10.0


class VersionNotFound(LookupError):
    pass


@dataclass(frozen=True)
class TrainingSet:
    texts: list[str]
    labels: list[str]
    weights: list[float]
    seed_count: int
    correction_count: int
    excluded_count: int


def training_set(*, session: Session) -> TrainingSet:
    seed = corpus.seed_corpus()
    held_out = {example.text.strip() for example in corpus.load_eval_set()}
    known = default_taxonomy().subcategories
    texts = [e.text for e in seed]
    labels = [e.subcategory for e in seed]
    weights = [1.0] * len(seed)
    used = excluded = 0
    for correction in session.scalars(select(ClassificationCorrection).order_by(ClassificationCorrection.id)):
        if correction.text.strip() in held_out or correction.corrected_subcategory not in known:
            excluded += 1
            continue
        texts.append(correction.text)
        labels.append(correction.corrected_subcategory)
        weights.append(CORRECTION_WEIGHT)
        used += 1
    return TrainingSet(texts, labels, weights, len(seed), used, excluded)


def train_version(*, session: Session, note: str | None = None, activate: bool = True) -> ClassifierModel:
    """Train a new version from the seed corpus plus the corrections, evaluate it on the held-out set, store it and
    (by default) make it the active one."""
    data = training_set(session=session)
    started = time.perf_counter()
    model = TwoLevelModel.fit(data.texts, data.labels, data.weights)
    seconds = time.perf_counter() - started
    trained_on = {
        "seed": data.seed_count,
        "corrections": data.correction_count,
        "excluded_corrections": data.excluded_count,
        "correction_weight": CORRECTION_WEIGHT,
        "training_seconds": round(seconds, 2),
    }
    row = store_model(session=session, model=model, trained_on=trained_on, note=note, activate=activate)
    log.info("classifier.trained", version=row.version, seconds=round(seconds, 2), top=row.metrics["top_accuracy"])
    return row


def store_model(
    *, session: Session, model: TwoLevelModel, trained_on: dict[str, Any], note: str | None, activate: bool
) -> ClassifierModel:
    """Evaluate a fitted model on the held-out set and store it as the next version."""
    metrics = evaluate(lambda texts: classify_with(model, texts), corpus.load_eval_set())
    metrics.pop("misses", None)  # examples of errors are for the console, not for every stored row
    blob = model.to_bytes()
    version = (session.scalar(select(func.max(ClassifierModel.version))) or 0) + 1
    row = ClassifierModel(
        version=version,
        trained_on=trained_on,
        metrics=metrics,
        is_active=False,
        model_format=MODEL_FORMAT,
        sha256=hashlib.sha256(blob).hexdigest(),
        size=len(blob),
        model_bytes=blob,
        note=note,
    )
    session.add(row)
    session.flush()
    if activate:
        activate_version(session=session, version=version)
    return row


def activate_version(*, session: Session, version: int) -> ClassifierModel:
    row = session.scalar(select(ClassifierModel).where(ClassifierModel.version == version))
    if row is None:
        raise VersionNotFound(f"没有版本 no classifier version {version}")
    session.execute(update(ClassifierModel).where(ClassifierModel.id != row.id).values(is_active=False))
    row.is_active = True
    session.flush()
    return row


def active_version(*, session: Session) -> ClassifierModel | None:
    return session.scalar(
        select(ClassifierModel).where(ClassifierModel.is_active.is_(True)).order_by(ClassifierModel.version.desc())
    )


def rollback(*, session: Session, to: int | None = None) -> ClassifierModel:
    """Re-activate version ``to``, or the version before the active one."""
    if to is None:
        current = active_version(session=session)
        query = select(ClassifierModel.version).order_by(ClassifierModel.version.desc())
        if current is not None:
            query = query.where(ClassifierModel.version < current.version)
        to = session.scalar(query.limit(1))
        if to is None:
            raise VersionNotFound("没有可回退的更早版本 no earlier version to roll back to")
    return activate_version(session=session, version=to)


def list_versions(*, session: Session) -> list[dict[str, Any]]:
    rows = session.execute(
        select(
            ClassifierModel.version,
            ClassifierModel.created_at,
            ClassifierModel.is_active,
            ClassifierModel.trained_on,
            ClassifierModel.metrics,
            ClassifierModel.size,
            ClassifierModel.note,
        ).order_by(ClassifierModel.version)
    ).all()
    return [row._asdict() for row in rows]


def evaluate_active(*, session: Session) -> dict[str, Any]:
    """Evaluate the model that answers now (the active version, or the seed model) on the held-out set."""
    from fengqiao.triage.classify.service import active_model

    model, version = active_model(session=session)
    metrics = evaluate(lambda texts: classify_with(model, texts, version=version), corpus.load_eval_set())
    metrics["version"] = version
    return metrics
