"""What classifying one text returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Classification:
    category: str  # top-level code, e.g. "labour"
    category_name: str
    subcategory: str  # dotted code, e.g. "labour.wage_arrears"
    subcategory_name: str
    confidence: float  # probability of the category (calibrated by the logistic regression)
    subcategory_confidence: float  # share of the subcategory among its siblings
    risk: str  # low / medium / high, after the cue rules
    base_risk: str  # the subcategory's base risk
    reasons: list[str] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)  # codes of the cue rules that matched
    tags: list[str] = field(default_factory=list)
    is_dispute: bool = False
    sensitive: bool = False
    department: str = ""
    department_code: str = ""
    handle_days: int = 0
    model_version: int | None = None  # None: the built-in seed model (no version trained yet)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
