"""Multilingual toxicity: hashed character n-grams and a linear model, for text the English model cannot read.

The English MiniLM vocabulary has a few hundred CJK characters and a handful of Cyrillic letters, so Chinese,
Korean, Russian or Japanese comments reach it as [UNK] and score at chance. Character n-grams need no
vocabulary: they read any script. What ships (`weights/multilingual-toxicity.npz` + `.json`, see
docs/multilingual-moderation.md) is plain arrays, loaded with numpy without pickle:

- the feature map is sklearn's stateless ``HashingVectorizer`` with the parameters in the json (char_wb
  n-grams hashed with MurmurHash3 into a fixed number of columns), so nothing of it is stored. Serving
  re-implements it with numpy and mmh3 (hashed_counts): importing scikit-learn and SciPy cost a web worker
  about 80 MB; training and the tests use sklearn's own, and a test holds the two equal;
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
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import mmh3
import numpy as np

from engagement.moderation.loading import file_sha256
from engagement.moderation.spam import char_wb_ngrams

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
    """sklearn's feature map described by ``params`` (the json's ``vectorizer``), for training and tests."""
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


_WHITE_RUN = re.compile(r"\s\s+")
# The analyzers the runtime re-implements (sklearn's _char_wb_ngrams and _char_ngrams, step for step).
ANALYZERS = ("char_wb", "char")


def char_ngrams(text: str, analyzer: str, ngram_range: Sequence[int]) -> list[str]:
    """sklearn's ``char_wb`` (each word padded with one space each side; a word shorter than n counted once)
    or ``char`` analyzer, without its preprocessing (lowercase=False, no accent stripping: prepare_text does
    what is wanted). A run of whitespace counts as one space, as in sklearn."""
    low, high = int(ngram_range[0]), int(ngram_range[1])
    if analyzer == "char_wb":
        return char_wb_ngrams(text, (low, high))
    text = _WHITE_RUN.sub(" ", text)
    grams: list[str] = []
    for n in range(low, min(high + 1, len(text) + 1)):
        grams += [text[i : i + n] for i in range(len(text) - n + 1)]
    return grams


def hashed_counts(
    text: str, analyzer: str, ngram_range: Sequence[int], n_features: int, alternate_sign: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """One row of ``HashingVectorizer(analyzer, ngram_range, n_features, alternate_sign, norm=None,
    lowercase=False).transform([text])``: the sorted columns and their summed values.

    Each n-gram's UTF-8 bytes are hashed with MurmurHash3 (x86, 32 bits, signed, seed 0); the column is
    |hash| mod n_features (computed in 64 bits, which is what sklearn's special case for -2**31 amounts to),
    and with alternate_sign a negative hash counts -1. Encoding first matters beyond parity: mmh3 5.3 crashes
    the interpreter on a str holding a lone surrogate, where encode raises UnicodeEncodeError as sklearn does.
    """
    grams = char_ngrams(text, analyzer, ngram_range)
    if not grams:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    hashes = np.fromiter((mmh3.hash(gram.encode("utf-8")) for gram in grams), dtype=np.int64, count=len(grams))
    columns, inverse = np.unique(np.abs(hashes) % n_features, return_inverse=True)
    weights = np.where(hashes >= 0, 1.0, -1.0) if alternate_sign else None
    return columns, np.bincount(inverse, weights=weights, minlength=len(columns)).astype(np.float64)


@dataclass(frozen=True)
class _Head:
    coef: np.ndarray
    intercept: float


class MultilingualScorer:
    """Loaded once (see get_multilingual_scorer); thread-safe: scoring only reads arrays.

    Keeps ``df`` (uint32) and the coefficients (float32, as shipped) and computes idf and the float64 products
    for the few hundred columns a comment touches: the same figures as a dense float64 idf and coefficient
    row, at half their memory.
    """

    name = MULTILINGUAL_MODEL_NAME

    def __init__(self, meta: dict[str, Any], arrays: dict[str, np.ndarray], version: str):
        self.meta = meta
        self.version = version
        params = meta["vectorizer"]
        if params["analyzer"] not in ANALYZERS or params.get("alternate_sign", False):
            raise MultilingualModelMissing(f"no runtime for the feature map {params}; retrain with a char_wb one")
        self._analyzer = params["analyzer"]
        self._ngram_range = (int(params["ngram_range"][0]), int(params["ngram_range"][1]))
        self._n_features = int(params["n_features"])
        self._df = np.ascontiguousarray(arrays["df"])
        self._n_samples = int(arrays["n_samples"])
        self._heads = {
            head: _Head(np.ascontiguousarray(arrays["coef"][i]), float(arrays["intercept"][i]))
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

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The text's tf-idf row (columns, values): what tfidf_rows gives with sklearn's vectorizer."""
        columns, counts = hashed_counts(prepare_text(text), self._analyzer, self._ngram_range, self._n_features)
        values = (np.log(counts) + 1.0) * smoothed_idf(self._df[columns], self._n_samples)
        norm = float(np.sqrt(values @ values))
        # sklearn's normalize leaves an empty row (no n-grams) at zero.
        return columns, values / norm if norm else values

    def score(self, texts: Sequence[str], langs: Sequence[str | None]) -> list[float]:
        """Probability that each text is offensive, with the head of its language (or the joint one)."""
        if len(texts) != len(langs):
            raise ValueError("one language per text")
        scores = []
        for text, lang in zip(texts, langs):
            columns, values = self.features(text)
            head = self._heads[self.head_for(lang)]
            logit = float(values @ head.coef[columns].astype(np.float64)) + head.intercept
            scores.append(1.0 / (1.0 + math.exp(-logit)) if logit >= 0 else math.exp(logit) / (1.0 + math.exp(logit)))
        return scores


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
