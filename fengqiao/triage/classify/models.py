"""Table models of the classifier: stored model versions and the dispatchers' corrections they learn from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fengqiao.core.clock import utcnow
from fengqiao.db.base import Base
from fengqiao.db.types import UTCDateTime


class ClassifierModel(Base):
    """One trained version. The pickled model lives in the row itself (``model_bytes``) so every process on every
    machine — server, worker, commands — loads the same active version from the database alone."""

    __tablename__ = "classifier_models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # {"seed": 8208, "corrections": 3, "correction_weight": 10.0}
    trained_on: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Held-out figures at training time: top_accuracy, sub_accuracy, high_risk_recall, per_category …
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    model_format: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    model_bytes: Mapped[bytes] = mapped_column(LargeBinary)
    note: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_classifier_models_is_active", "is_active"),)


class ClassificationCorrection(Base):
    """A dispatcher's correction of a predicted category: the next training run learns from it (weighted up)."""

    __tablename__ = "classification_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    predicted_category: Mapped[str | None] = mapped_column(String(32))
    predicted_subcategory: Mapped[str | None] = mapped_column(String(48))
    corrected_category: Mapped[str] = mapped_column(String(32))
    corrected_subcategory: Mapped[str] = mapped_column(String(48))
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        Index("ix_classification_corrections_created_at", "created_at"),
        Index("ix_classification_corrections_event_id", "event_id"),
    )
