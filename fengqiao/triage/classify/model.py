"""The statistical model: TF-IDF over jieba words and character n-grams feeding two levels of linear classifiers —
a logistic regression over the 16 categories (its probabilities are the confidence) and, inside each category, a
linear SVM over its subcategories.

Two levels instead of one flat classifier over ~230 subcategories: training is about ten times faster (seconds on
two cores), the category decision, which routes the event, gets a calibrated probability, and a subcategory model
only has to tell apart its siblings. Only scikit-learn, jieba and numpy, all local: nothing is downloaded. The fitted
model is pickled into bytes so the database holds it and every process loads the same active version.
"""

from __future__ import annotations

import logging
import pickle
import warnings
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jieba
import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

jieba.setLogLevel(logging.WARNING)

MODEL_FORMAT = 1
# Subcategory decision values are turned into a distribution with this sharpness (SVM margins are about ±1).
SUB_SHARPNESS = 3.0
TOP_ITERATIONS = 30
# Subcategory weights below this share of their class's largest weight are dropped before storing: the stored
# model shrinks about eight times and the held-out accuracy does not move.
PRUNE_RATIO = 0.05


def jieba_words(text: str) -> list[str]:
    """Module-level (not a lambda) so a pickled model can find it again."""
    return [word for word in jieba.lcut(text, HMM=False) if any(ch.isalnum() for ch in word)]


def build_features() -> FeatureUnion:
    return FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    tokenizer=jieba_words,
                    token_pattern=None,
                    lowercase=False,
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    min_df=2,
                ),
            ),
            ("chars", TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, min_df=2)),
        ]
    )


@dataclass(frozen=True)
class Scored:
    """The raw model output for one text."""

    category: str
    category_probability: float
    subcategory: str
    subcategory_probability: float
    terms: list[str]


class SubcategoryOnly:
    """Stands in for a subcategory model where a category has a single subcategory in the training data."""

    def __init__(self, label: str) -> None:
        self.classes_ = np.array([label])

    def decision_function(self, matrix: Any) -> np.ndarray[Any, np.dtype[np.float64]]:
        return np.zeros((matrix.shape[0], 1))


class TwoLevelModel:
    def __init__(self, *, features: FeatureUnion, top: LogisticRegression, subs: dict[str, Any]) -> None:
        self.features = features
        self.top = top
        self.subs = subs
        self.categories: list[str] = [str(c) for c in top.classes_]
        self._feature_names: np.ndarray[Any, Any] = features.get_feature_names_out()

    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[str], weights: Sequence[float]) -> TwoLevelModel:
        features = build_features()
        matrix = features.fit_transform(list(texts))
        for _, vectorizer in features.transformer_list:
            # The terms dropped by min_df: only kept for introspection, and most of the pickle's size.
            vectorizer.stop_words_ = None
        subcategories = np.asarray(labels)
        categories = np.asarray([label.split(".", 1)[0] for label in labels])
        sample_weight = np.asarray(weights, dtype=np.float64)
        with warnings.catch_warnings():
            # sag stopped after a few passes reaches the held-out accuracy of a full fit at a fraction of the time
            # (lbfgs: 3–5× slower on two cores); the unfinished convergence is expected, not a problem to report.
            warnings.simplefilter("ignore", ConvergenceWarning)
            top = LogisticRegression(C=10.0, solver="sag", max_iter=TOP_ITERATIONS, tol=1e-3, random_state=0).fit(
                matrix, categories, sample_weight=sample_weight
            )
        subs: dict[str, Any] = {}
        for category in np.unique(categories):
            rows = categories == category
            distinct = np.unique(subcategories[rows])
            if len(distinct) == 1:
                subs[str(category)] = SubcategoryOnly(str(distinct[0]))
                continue
            svm = LinearSVC(C=0.5).fit(matrix[rows], subcategories[rows], sample_weight=sample_weight[rows])
            _prune(svm)
            subs[str(category)] = svm
        return cls(features=features, top=top, subs=subs)

    def _transform(self, texts: list[str]) -> Any:
        """FeatureUnion.transform, without its joblib dispatch: for the one-text calls of single intake that
        overhead cost more than the vectorisers themselves."""
        weights = self.features.transformer_weights or {}
        blocks = []
        for name, transformer in self.features.transformer_list:
            block = transformer.transform(texts)
            blocks.append(block * weights[name] if name in weights else block)
        return sparse.hstack(blocks, format="csr")

    def score(self, texts: Sequence[str], *, explain: bool = True) -> list[Scored]:
        matrix = self._transform(list(texts))
        top_probabilities = self.top.predict_proba(matrix)
        best = np.argmax(top_probabilities, axis=1)
        picked: list[tuple[str, float]] = [("", 0.0)] * matrix.shape[0]
        # One decision_function call per predicted category rather than per text: sklearn's per-call overhead
        # dominated batch scoring.
        for class_index in np.unique(best):
            rows = np.flatnonzero(best == class_index)
            sub_model = self.subs[self.categories[int(class_index)]]
            decisions = np.asarray(sub_model.decision_function(matrix[rows]))
            if decisions.ndim == 1:  # two classes: one margin per row
                decisions = (
                    np.column_stack([-decisions, decisions]) if len(sub_model.classes_) == 2 else (decisions[:, None])
                )
            for row, decision in zip(rows, decisions, strict=True):
                shares = np.exp(SUB_SHARPNESS * (decision - decision.max()))
                shares /= shares.sum()
                pick = int(np.argmax(shares))
                picked[int(row)] = (str(sub_model.classes_[pick]), float(shares[pick]))
        return [
            Scored(
                category=self.categories[int(best[row])],
                category_probability=float(top_probabilities[row][best[row]]),
                subcategory=picked[row][0],
                subcategory_probability=picked[row][1],
                terms=self._terms(matrix[row], int(best[row])) if explain else [],
            )
            for row in range(matrix.shape[0])
        ]

    def _terms(self, vector: Any, class_index: int, limit: int = 4) -> list[str]:
        """The words that pushed hardest toward the chosen category: the "why" shown to a dispatcher."""
        indices = vector.indices
        if len(indices) == 0:
            return []
        weights = np.asarray(vector.data) * self.top.coef_[class_index][indices]
        terms: list[str] = []
        for i in np.argsort(-weights):
            if weights[i] <= 0 or len(terms) >= limit:
                break
            kind, _, term = str(self._feature_names[indices[i]]).partition("__")
            term = term.replace(" ", "")  # a word bigram reads as the phrase it came from
            if kind == "words" and term not in terms:
                terms.append(term)
        return terms

    def to_bytes(self) -> bytes:
        payload = {"format": MODEL_FORMAT, "features": self.features, "top": self.top, "subs": self.subs}
        return zlib.compress(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL), level=6)

    @classmethod
    def from_bytes(cls, data: bytes) -> TwoLevelModel:
        # The bytes come from our own classifier_models table, written by `fengqiao model train`; never load a model
        # from an untrusted source (unpickling runs code).
        payload = pickle.loads(zlib.decompress(data))
        if payload.get("format") != MODEL_FORMAT:
            raise ValueError(f"unsupported model format {payload.get('format')!r}")
        return cls(features=payload["features"], top=payload["top"], subs=payload["subs"])


def _prune(svm: LinearSVC) -> None:
    coef = svm.coef_
    coef[np.abs(coef) < np.abs(coef).max(axis=1, keepdims=True) * PRUNE_RATIO] = 0.0
    svm.sparsify()
