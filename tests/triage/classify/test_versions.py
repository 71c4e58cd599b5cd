"""Learning from corrections: a dispatcher's corrections change the next training run, and rollback undoes it."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.triage.classify import service
from fengqiao.triage.classify.model import TwoLevelModel
from fengqiao.triage.classify.models import ClassificationCorrection
from fengqiao.triage.classify.service import classify, record_correction
from fengqiao.triage.classify.training import (
    VersionNotFound,
    active_version,
    list_versions,
    rollback,
    store_model,
    train_version,
    training_set,
)
from fengqiao.triage.taxonomy import TaxonomyError

# A kind of text the seed corpus knows nothing about; the county decides it belongs under 安全隐患/消防.
SKY_LANTERNS = (
    "村里有人晚上在晒谷场放孔明灯",
    "网格员发现有人在山边放孔明灯",
    "市民来电反映：小区广场上有人放孔明灯",
)


def test_a_correction_changes_the_next_training_run_and_rollback_restores_it(db: Session, model: TwoLevelModel) -> None:
    probe = "晚上有人在村口放孔明灯"
    before = store_model(session=db, model=model, trained_on={"seed": 1}, note="seed", activate=True)
    old = classify(probe, session=db)
    assert old.model_version == before.version
    assert old.subcategory != "safety_hazard.fire_hazard"

    for text in SKY_LANTERNS:
        predicted = classify(text, session=db)
        record_correction(
            session=db,
            text=text,
            predicted=predicted,
            corrected_category="safety_hazard",
            corrected_subcategory="fire_hazard",
        )
    assert training_set(session=db).correction_count == 3

    after = train_version(session=db, note="孔明灯")
    assert after.version == before.version + 1
    assert after.trained_on["corrections"] == 3
    assert after.metrics["top_accuracy"] >= 0.8
    new = classify(probe, session=db)
    assert new.model_version == after.version
    assert new.subcategory == "safety_hazard.fire_hazard"

    rollback(session=db)
    assert active_version(session=db).version == before.version  # type: ignore[union-attr]
    restored = classify(probe, session=db)
    assert (restored.model_version, restored.subcategory) == (before.version, old.subcategory)
    assert [row["is_active"] for row in list_versions(session=db)][-2:] == [True, False]

    rollback(session=db, to=after.version)
    assert classify(probe, session=db).subcategory == "safety_hazard.fire_hazard"


def test_corrections_are_validated_and_held_out_texts_never_train(db: Session) -> None:
    with pytest.raises(TaxonomyError):
        record_correction(
            session=db, text="x", predicted=None, corrected_category="labour", corrected_subcategory="fire_hazard"
        )
    from fengqiao.triage.classify.corpus import load_eval_set

    held_out = load_eval_set()[0]
    record_correction(
        session=db,
        text=held_out.text,
        predicted=None,
        corrected_category="other",
        corrected_subcategory="other.misc",
        staff_id=None,
    )
    stored = db.scalars(select(ClassificationCorrection)).all()
    assert stored[-1].corrected_subcategory == "other.misc"
    data = training_set(session=db)
    assert (data.correction_count, data.excluded_count) == (0, 1)


def test_rollback_without_an_earlier_version_is_refused(db: Session) -> None:
    with pytest.raises(VersionNotFound):
        rollback(session=db, to=999)


def test_without_any_version_the_seed_model_answers(db: Session) -> None:
    assert active_version(session=db) is None
    result = classify("楼上漏水把我家天花板泡坏了", session=db)
    assert result.model_version is None
    assert result.category == "neighbour"
    assert service.seed_model() is service.seed_model()
