"""Held-out evaluation: top-level accuracy, subcategory accuracy, high-risk recall, and a per-category table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fengqiao.triage.classify.corpus import Example
from fengqiao.triage.classify.result import Classification
from fengqiao.triage.taxonomy import TOP_CODES

Classifier = Callable[[Sequence[str]], list[Classification]]


def evaluate(classify_batch: Classifier, examples: Sequence[Example]) -> dict[str, Any]:
    results = classify_batch([example.text for example in examples])
    per_category: dict[str, dict[str, int]] = {code: {"total": 0, "correct": 0, "predicted": 0} for code in TOP_CODES}
    top_correct = sub_correct = high_total = high_found = low_total = false_high = 0
    misses: list[dict[str, str]] = []
    for example, result in zip(examples, results, strict=True):
        row = per_category[example.category]
        row["total"] += 1
        per_category[result.category]["predicted"] += 1
        if result.category == example.category:
            top_correct += 1
            row["correct"] += 1
        elif len(misses) < 50:
            misses.append({"text": example.text, "expected": example.subcategory, "predicted": result.subcategory})
        sub_correct += result.subcategory == example.subcategory
        if example.high_risk:
            high_total += 1
            high_found += result.risk == "high"
        else:
            low_total += 1
            false_high += result.risk == "high"
    total = len(examples)
    return {
        "examples": total,
        "top_accuracy": round(top_correct / total, 4) if total else 0.0,
        "sub_accuracy": round(sub_correct / total, 4) if total else 0.0,
        "high_risk_total": high_total,
        "high_risk_recall": round(high_found / high_total, 4) if high_total else 0.0,
        "false_high_rate": round(false_high / low_total, 4) if low_total else 0.0,
        "per_category": per_category,
        "misses": misses,
    }
