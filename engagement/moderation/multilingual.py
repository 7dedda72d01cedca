"""Multilingual toxicity: hashed character n-grams and a linear model, for text the English model cannot read.

The English MiniLM vocabulary has a few hundred CJK characters and a handful of Cyrillic letters, so Chinese,
Korean, Russian or Japanese comments reach it as [UNK] and score at chance. Character n-grams need no
vocabulary: they read any script. What ships (`weights/multilingual-toxicity.npz` + `.json`, see
docs/multilingual-moderation.md) is plain arrays, loaded with numpy without pickle:

- the feature map is sklearn's stateless ``HashingVectorizer`` rebuilt from the parameters in the json
  (char_wb n-grams hashed with MurmurHash3 into a fixed number of columns), so nothing of it is stored;
- ``df`` (document frequency per column) and ``n_samples``, from which the smoothed idf is recomputed exactly
  as ``TfidfTransformer(smooth_idf=True, sublinear_tf=True)`` does;
- one row of logistic-regression coefficients per head (``heads`` in the json: "all" for the joint model,
  and per-language heads if training chose them), plus intercepts.

Usage (the pipeline's language phase gives the language, see engagement.moderation.language)::

    scorer = get_multilingual_scorer()
    scores = scorer.score(texts, langs)         # probabilities of "offensive", one per text
    hold = scores[0] >= scorer.hold_threshold(langs[0])
"""

from __future__ import annotations

import html
import json
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from engagement.moderation.loading import file_sha256

logger = logging.getLogger(__name__)

MULTILINGUAL_MODEL_NAME = "multilingual-chargram"
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
WEIGHTS_FILENAME = "multilingual-toxicity.npz"
META_FILENAME = "multilingual-toxicity.json"
JOINT_HEAD = "all"

# Languages with labeled data in ../shared/data (English through the English sources).
COVERED_LANGUAGES = ("en", "zh", "de", "ko", "ru", "ja")
# Languages this model scores in the pipeline: validated on enough held-out rows (ROC-AUC 0.80-0.95). Japanese
# has 47 validation rows and scores at chance (0.57), so it is treated as a language without data.
SCORED_LANGUAGES = ("zh", "de", "ko", "ru")
# Languages the site offers that have no labeled data here: ENGAGEMENT_UNCOVERED_LANGUAGE decides.
UNCOVERED_LANGUAGES = ("vi", "es", "ar", "pt", "id", "fr", "uk", "tr")
ENGLISH, MULTILINGUAL, UNCOVERED = "english", "multilingual", "uncovered"
# The key of this model's score beside the English model's labels: `toxicity` stays the MiniLM score.
MULTILINGUAL_SCORE = "toxicity_multilingual"

# Bumped whenever prepare_text changes: the shipped weights were trained on text prepared one way.
PREPARE_VERSION = 1
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# @handles, and VK's "[id123|Name]" reply markup (the Russian source is full of it: a source marker, no signal).
_HANDLE = re.compile(r"(?<![\w@])@\w{1,30}:?|\[id\d+\|[^\]]{0,60}\]")
_REPEATS = re.compile(r"(.)\1{3,}")


def prepare_text(text: str) -> str:
    """The form the n-grams are taken from, in training and in serving alike.

    Deliberately smaller than normalize_for_scoring: that one folds Cyrillic look-alikes and strips combining
    marks (Vietnamese tones, Japanese dakuten), which is right for an English model and wrong here. It is also
    fixed (PREPARE_VERSION), so changes to the English normalization never shift these features.
    """
    text = unicodedata.normalize("NFKC", html.unescape(text))
    text = _INVISIBLE.sub("", text)
    text = _URL.sub(" ", text)
    text = _HANDLE.sub(" ", text)
    text = text.casefold()
    text = _REPEATS.sub(r"\1\1\1", text)
    return " ".join(text.split())


def route_language(lang: str | None) -> str:
    """Which scorer decides a comment in `lang` (detect_language's answer).

    ENGLISH: the embedded MiniLM model, as today (also for None: emoji, links and handles only, which that
    model reads through emoji names and the links phase judges). MULTILINGUAL: this model at the language's
    threshold. UNCOVERED: any other language; ENGAGEMENT_UNCOVERED_LANGUAGE (hold|score) decides, see
    docs/multilingual-moderation.md for the measured default.
    """
    if lang is None or lang == "en":
        return ENGLISH
    if lang in SCORED_LANGUAGES:
        return MULTILINGUAL
    return UNCOVERED


class MultilingualModelMissing(RuntimeError):
    """The shipped arrays or their description are absent or do not match."""


def build_vectorizer(params: dict[str, Any]):
    """The stateless feature map described by ``params`` (the json's ``vectorizer``)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer=params["analyzer"],
        ngram_range=tuple(params["ngram_range"]),
        n_features=int(params["n_features"]),
        alternate_sign=False,
        norm=None,
        lowercase=False,
        dtype=np.float64,
    )


def smoothed_idf(df: np.ndarray, n_samples: int) -> np.ndarray:
    """TfidfTransformer's idf with smooth_idf=True: ln((1 + n) / (1 + df)) + 1."""
    return np.log((1.0 + n_samples) / (1.0 + df.astype(np.float64))) + 1.0


def tfidf_rows(vectorizer, idf: np.ndarray, prepared: Sequence[str]):
    """Sublinear tf (1 + ln tf) times idf, each row scaled to unit length: TfidfTransformer's transform."""
    from sklearn.preprocessing import normalize

    counts = vectorizer.transform(prepared).tocsr()
    counts.data = np.log(counts.data) + 1.0
    weighted = counts.multiply(idf).tocsr()
    return normalize(weighted, norm="l2", copy=False)


@dataclass(frozen=True)
class _Head:
    coef: np.ndarray
    intercept: float


class MultilingualScorer:
    """Loaded once (see get_multilingual_scorer); thread-safe: scoring only reads arrays."""

    name = MULTILINGUAL_MODEL_NAME

    def __init__(self, meta: dict[str, Any], arrays: dict[str, np.ndarray], version: str):
        self.meta = meta
        self.version = version
        self._vectorizer = build_vectorizer(meta["vectorizer"])
        self._idf = smoothed_idf(arrays["df"], int(arrays["n_samples"]))
        self._heads = {
            head: _Head(np.ascontiguousarray(arrays["coef"][i], dtype=np.float64), float(arrays["intercept"][i]))
            for i, head in enumerate(meta["heads"])
        }
        self.thresholds: dict[str, float] = dict(meta["thresholds"])

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages with a validated threshold (trained on labeled data of that language)."""
        return tuple(lang for lang in self.thresholds if lang != "*")

    def head_for(self, lang: str | None) -> str:
        return lang if lang in self._heads else JOINT_HEAD

    def hold_threshold(self, lang: str | None) -> float:
        """The validated per-language threshold; languages without data get the pooled one ("*")."""
        return self.thresholds.get(lang or "", self.thresholds["*"])

    def score(self, texts: Sequence[str], langs: Sequence[str | None]) -> list[float]:
        """Probability that each text is offensive, with the head of its language (or the joint one)."""
        if len(texts) != len(langs):
            raise ValueError("one language per text")
        if not texts:
            return []
        rows = tfidf_rows(self._vectorizer, self._idf, [prepare_text(text) for text in texts])
        scores = np.empty(len(texts))
        heads = [self.head_for(lang) for lang in langs]
        for head_name in set(heads):
            head = self._heads[head_name]
            picked = [i for i, name in enumerate(heads) if name == head_name]
            logits = rows[picked] @ head.coef + head.intercept
            scores[picked] = 1.0 / (1.0 + np.exp(-logits))
        return [float(value) for value in scores]


def load_multilingual_scorer(weights_dir: str | Path = WEIGHTS_DIR) -> MultilingualScorer:
    """Read the shipped arrays (no pickle) after checking them against the sha256 in the json."""
    weights_dir = Path(weights_dir)
    meta_path, weights_path = weights_dir / META_FILENAME, weights_dir / WEIGHTS_FILENAME
    if not meta_path.is_file() or not weights_path.is_file():
        raise MultilingualModelMissing(
            f"{weights_path} or {meta_path} is missing; train with"
            " `python -m engagement.moderation.training.multilingual`"
        )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    digest = file_sha256(weights_path)
    if digest != meta["sha256"]:
        raise MultilingualModelMissing(f"{weights_path} does not match the sha256 in {meta_path}")
    if meta.get("prepare_version") != PREPARE_VERSION:
        raise MultilingualModelMissing(
            f"{weights_path} was trained with prepare_text v{meta.get('prepare_version')}, this code is"
            f" v{PREPARE_VERSION}; retrain"
        )
    with np.load(weights_path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    return MultilingualScorer(meta, arrays, digest[:12])


@lru_cache(maxsize=1)
def get_multilingual_scorer() -> MultilingualScorer:
    """The shipped model, loaded on first use and kept for the life of the process."""
    return load_multilingual_scorer()
