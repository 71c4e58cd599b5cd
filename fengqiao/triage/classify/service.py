"""Classify event text: the public API (``classify``, ``classify_batch``, ``record_correction``).

Which model answers: the active version in ``classifier_models`` (loaded once per process and cached until another
version becomes active). When no version has been trained yet, the built-in seed model answers: it is trained from
the seed corpus on first use in the process (about ten seconds on two cores) and cached under
``<data_dir>/classifier/`` so the next process loads it in a fraction of a second. The seed corpus is generated
deterministically, so every process gets the same seed model.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import sklearn
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from fengqiao.config import get_settings
from fengqiao.core.logging import get_logger
from fengqiao.triage.classify import corpus
from fengqiao.triage.classify.model import MODEL_FORMAT, Scored, TwoLevelModel
from fengqiao.triage.classify.models import ClassificationCorrection, ClassifierModel
from fengqiao.triage.classify.result import Classification
from fengqiao.triage.classify.rules import CueRules, default_rules
from fengqiao.triage.taxonomy import Taxonomy, TaxonomyError, default_taxonomy

log = get_logger(__name__)

_lock = threading.Lock()
# (row id, sha256, version, model): the digest too, so two databases in one process never share a cached model.
_active: tuple[int, str, int, TwoLevelModel] | None = None
_seed: TwoLevelModel | None = None
_default_engine: Engine | None = None


# --- models ---------------------------------------------------------------------------------------------------


def _seed_cache_path() -> Path:
    digest = hashlib.sha256()
    for path in (corpus.SEED_PHRASES_FILE, Path(corpus.__file__), Path(__file__).with_name("model.py")):
        digest.update(path.read_bytes())
    digest.update(f"{MODEL_FORMAT}:{sklearn.__version__}".encode())
    return get_settings().data_dir / "classifier" / f"seed-{digest.hexdigest()[:16]}.bin"


def train_seed_model() -> TwoLevelModel:
    examples = corpus.seed_corpus()
    return TwoLevelModel.fit([e.text for e in examples], [e.subcategory for e in examples], [1.0] * len(examples))


def seed_model() -> TwoLevelModel:
    """The model trained on the seed corpus alone, cached in the process and on disk."""
    global _seed
    with _lock:
        if _seed is not None:
            return _seed
        path = _seed_cache_path()
        if path.exists():
            try:
                _seed = TwoLevelModel.from_bytes(path.read_bytes())
                return _seed
            except (OSError, ValueError, EOFError) as exc:
                log.warning("classifier.seed_cache_unreadable", path=str(path), error=str(exc))
        log.info("classifier.training_seed_model")
        _seed = train_seed_model()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_bytes(_seed.to_bytes())
            os.replace(temporary, path)
            for stale in path.parent.glob("seed-*.bin"):  # models of earlier phrase files or library versions
                if stale != path:
                    stale.unlink(missing_ok=True)
        except OSError as exc:  # a read-only data dir only costs the next process a retraining
            log.warning("classifier.seed_cache_not_written", path=str(path), error=str(exc))
        return _seed


def active_model(*, session: Session) -> tuple[TwoLevelModel, int | None]:
    """The active stored version (cached by row id and digest), or the seed model when none is active."""
    global _active
    row = session.execute(
        select(ClassifierModel.id, ClassifierModel.sha256, ClassifierModel.version)
        .where(ClassifierModel.is_active.is_(True))
        .order_by(ClassifierModel.version.desc())
        .limit(1)
    ).first()
    if row is None:
        return seed_model(), None
    cached = _active
    if cached is not None and cached[:2] == (row.id, row.sha256):
        return cached[3], row.version
    data = session.scalar(select(ClassifierModel.model_bytes).where(ClassifierModel.id == row.id))
    assert data is not None
    model = TwoLevelModel.from_bytes(data)
    _active = (row.id, row.sha256, row.version, model)
    return model, row.version


def forget_cached_models() -> None:
    """Drop the in-process caches (tests; after a rollback in a long-lived process the version check suffices)."""
    global _active, _seed
    with _lock:
        _active = None
        _seed = None


def _model_for(session: Session | None) -> tuple[TwoLevelModel, int | None]:
    if session is not None:
        return active_model(session=session)
    global _default_engine
    try:
        if _default_engine is None:
            from fengqiao.db.engine import make_engine

            _default_engine = make_engine()
        with Session(_default_engine) as own:
            return active_model(session=own)
    except SQLAlchemyError as exc:  # no database or not migrated yet: the seed model still answers
        log.warning("classifier.no_database", error=str(exc).splitlines()[0])
        return seed_model(), None


# --- classification ---------------------------------------------------------------------------------------------


def build_classification(
    *, text: str, scored: Scored, taxonomy: Taxonomy, rules: CueRules, version: int | None
) -> Classification:
    sub = taxonomy.subcategory(scored.subcategory)
    matches = rules.match(text)
    risk = rules.raised_risk(sub.risk, matches)
    reasons: list[str] = []
    if scored.terms:
        reasons.append(f"关键词：{'、'.join(scored.terms)}")
    reasons.append(f"子类基础风险：{sub.name}（{_RISK_LABELS[sub.risk]}）")
    reasons.extend(match.reason() for match in matches)
    tags = list(sub.tags)
    for match in matches:
        tag = {"civil_to_criminal": "civil_to_criminal", "collective": "collective"}.get(match.group)
        if tag and tag not in tags:
            tags.append(tag)
    return Classification(
        category=sub.category,
        category_name=sub.category_name,
        subcategory=sub.code,
        subcategory_name=sub.name,
        confidence=round(scored.category_probability, 4),
        subcategory_confidence=round(scored.subcategory_probability, 4),
        risk=risk,
        base_risk=sub.risk,
        reasons=reasons,
        cues=[match.rule for match in matches],
        tags=tags,
        is_dispute=sub.is_dispute,
        sensitive=sub.sensitive,
        department=sub.department,
        department_code=sub.department_code,
        handle_days=sub.handle_days,
        model_version=version,
    )


_RISK_LABELS = {"low": "低", "medium": "中", "high": "高"}


def classify_with(model: TwoLevelModel, texts: Sequence[str], *, version: int | None = None) -> list[Classification]:
    taxonomy, rules = default_taxonomy(), default_rules()
    return [
        build_classification(text=text, scored=scored, taxonomy=taxonomy, rules=rules, version=version)
        for text, scored in zip(texts, model.score(texts), strict=True)
    ]


def classify_batch(texts: Sequence[str], *, session: Session | None = None) -> list[Classification]:
    """Classify many texts with one model load. ``session`` picks the database whose active version answers; without
    it the configured database is used."""
    if not texts:
        return []
    model, version = _model_for(session)
    return classify_with(model, texts, version=version)


def classify(text: str, *, session: Session | None = None) -> Classification:
    return classify_batch([text], session=session)[0]


# --- corrections -------------------------------------------------------------------------------------------------


def record_correction(
    *,
    session: Session,
    text: str,
    predicted: Classification | Mapping[str, Any] | None,
    corrected_category: str,
    corrected_subcategory: str,
    event_id: int | None = None,
    staff_id: int | None = None,
    county_code: str | None = None,
) -> ClassificationCorrection:
    """Store a dispatcher's correction; the next ``fengqiao model train`` learns from it (weighted up).

    ``predicted`` is what the classifier said (a ``Classification`` or its ``to_dict()``), or None.
    ``corrected_subcategory`` may be the dotted code (``labour.wage_arrears``) or the part after the dot."""
    taxonomy = default_taxonomy()
    code = corrected_subcategory if "." in corrected_subcategory else f"{corrected_category}.{corrected_subcategory}"
    if code not in taxonomy.subcategories or taxonomy.subcategory(code).category != corrected_category:
        raise TaxonomyError(f"未知的分类 unknown category/subcategory {corrected_category}/{corrected_subcategory}")
    if not text.strip():
        raise ValueError("纠正的文本不能为空 the corrected text is empty")
    predicted_category: str | None
    predicted_subcategory: str | None
    if isinstance(predicted, Classification):
        predicted_category, predicted_subcategory = predicted.category, predicted.subcategory
    elif predicted is not None:
        predicted_category, predicted_subcategory = predicted.get("category"), predicted.get("subcategory")
    else:
        predicted_category = predicted_subcategory = None
    correction = ClassificationCorrection(
        county_code=county_code or get_settings().county_code,
        event_id=event_id,
        text=text,
        predicted_category=predicted_category,
        predicted_subcategory=predicted_subcategory,
        corrected_category=corrected_category,
        corrected_subcategory=code,
        corrected_by_id=staff_id,
    )
    session.add(correction)
    session.flush()
    return correction
