"""The spam and scam score of a comment: a small linear model over word and character n-grams.

Trained offline by ``engagement.moderation.training.spam`` (see there for data and label mapping). The
artifact under ``weights/`` is plain arrays (``spam-model.npz``: terms, idf and coefficients; loaded with
``allow_pickle=False``) and a JSON card (threshold, validation figures, version). This module re-implements
scikit-learn's TfidfVectorizer (word 1-2 grams and ``char_wb`` n-grams, sublinear tf, l2 norm per block)
and LogisticRegression's decision so the runtime needs neither pickle nor a matching scikit-learn version;
a test holds it equal to scikit-learn's own pipeline.
"""

from __future__ import annotations

import json
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engagement.moderation.loading import file_sha256

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
ARTIFACT_NAME = "spam-model.npz"
CARD_NAME = "spam-model.json"

# scikit-learn's default token_pattern.
_WORD = re.compile(r"(?u)\b\w\w+\b")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")


def prepare_text(text: str) -> str:
    """What both training and scoring feed the vectorizers: NFKC (full-width letters), no invisibles, lower case.

    URLs, handles and numbers are kept: they are most of the signal.
    """
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).lower()


def word_ngrams(text: str, ngram_range: tuple[int, int]) -> list[str]:
    tokens = _WORD.findall(text)
    low, high = ngram_range
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high + 1, len(tokens) + 1)):
        grams += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return grams


def char_wb_ngrams(text: str, ngram_range: tuple[int, int]) -> list[str]:
    """scikit-learn's ``char_wb`` analyzer, step for step (a word shorter than n is counted once, padded)."""
    low, high = ngram_range
    grams: list[str] = []
    append = grams.append
    for word in text.split():
        padded = f" {word} "
        length = len(padded)
        for n in range(low, high + 1):
            offset = 0
            append(padded[:n])
            while offset + n < length:
                offset += 1
                append(padded[offset : offset + n])
            if offset == 0:
                break
    return grams


class TermIndex:
    """term -> column, answered as the vocabulary dict would be, in about a third of its memory.

    A dict of the 107,721 shipped terms held 13 MB of Python strings and ints in every web worker. Here the
    terms stay one string ("\n"-joined, as shipped) with their offsets, sorted by the terms' hash(); a lookup
    hashes the grams, binary-searches and compares the text, so it is exact. hash() is salted per process,
    so the order is built at load; two terms with one hash (never seen at 64 bits) fall back to the dict.
    """

    def __init__(self, joined: str):
        # One term at a time, never a list of them all: 107k small strings allocated at once would leave the
        # allocator's arenas fragmented, and the worker's RSS most of the dict's size, after they are freed.
        count = joined.count("\n") + 1
        starts = np.fromiter((start for start, _ in _spans(joined)), dtype=np.int64, count=count)
        ends = np.fromiter((end for _, end in _spans(joined)), dtype=np.int64, count=count)
        hashes = np.fromiter((hash(joined[start:end]) for start, end in _spans(joined)), dtype=np.int64, count=count)
        order = np.argsort(hashes, kind="stable")
        self._hashes = hashes[order]
        self._dict: dict[str, int] | None = None
        if np.any(self._hashes[1:] == self._hashes[:-1]):
            self._dict = {term: column for column, term in enumerate(joined.split("\n"))}
        self._joined = joined
        self._columns = order.astype(np.int32)
        self._starts = starts[order].astype(np.int32)
        self._ends = ends[order].astype(np.int32)

    def __len__(self) -> int:
        return len(self._hashes)

    def lookup(self, grams: Sequence[str]) -> list[int | None]:
        """The column of each gram, None for a gram not in the vocabulary."""
        if self._dict is not None:
            return [self._dict.get(gram) for gram in grams]
        if not grams:
            return []
        hashes = np.fromiter(map(hash, grams), dtype=np.int64, count=len(grams))
        where = np.minimum(np.searchsorted(self._hashes, hashes), len(self._hashes) - 1)
        found: list[int | None] = [None] * len(grams)
        hits = np.flatnonzero(self._hashes[where] == hashes)
        at = where[hits]
        joined = self._joined
        for i, start, end, column in zip(
            hits.tolist(), self._starts[at].tolist(), self._ends[at].tolist(), self._columns[at].tolist()
        ):
            if joined[start:end] == grams[i]:
                found[i] = column
        return found


def _spans(joined: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each "\n"-separated term."""
    start = 0
    while (end := joined.find("\n", start)) >= 0:
        yield start, end
        start = end + 1
    yield start, len(joined)


@dataclass(frozen=True)
class _Block:
    analyzer: str
    ngram_range: tuple[int, int]
    index: TermIndex
    idf: np.ndarray
    coef: np.ndarray

    def contribution(self, text: str) -> float:
        grams = word_ngrams(text, self.ngram_range) if self.analyzer == "word" else char_wb_ngrams(text, self.ngram_range)
        counts = Counter(grams)
        positions: list[int] = []
        weights: list[float] = []
        for position, count in zip(self.index.lookup(list(counts)), counts.values()):
            if position is not None:
                positions.append(position)
                weights.append(1.0 + math.log(count))
        if not positions:
            return 0.0
        where = np.fromiter(positions, dtype=np.int64, count=len(positions))
        values = np.fromiter(weights, dtype=np.float64, count=len(weights)) * self.idf[where]
        norm = math.sqrt(float(values @ values))
        return float(values @ self.coef[where]) / norm


class SpamModel:
    def __init__(self, blocks: Sequence[_Block], intercept: float, card: dict):
        self._blocks = tuple(blocks)
        self._intercept = intercept
        self.card = card
        self.threshold: float = float(card["threshold"])
        self.version: str = card["version"]

    @classmethod
    def load(cls, weights_dir: str | Path = WEIGHTS_DIR) -> SpamModel:
        weights_dir = Path(weights_dir)
        artifact = weights_dir / ARTIFACT_NAME
        card = json.loads((weights_dir / CARD_NAME).read_text(encoding="utf-8"))
        digest = file_version(artifact)
        if digest != card["version"]:
            raise ValueError(f"{artifact} has version {digest}, its card says {card['version']}")
        blocks = []
        with np.load(artifact, allow_pickle=False) as arrays:
            for number, spec in enumerate(card["vectorizers"]):
                blocks.append(
                    _Block(
                        analyzer=spec["analyzer"],
                        ngram_range=(int(spec["ngram_range"][0]), int(spec["ngram_range"][1])),
                        index=TermIndex(bytes(arrays[f"terms_{number}"]).decode("utf-8")),
                        idf=arrays[f"idf_{number}"].astype(np.float64),
                        coef=arrays[f"coef_{number}"].astype(np.float64),
                    )
                )
            intercept = float(arrays["intercept"][0])
        return cls(blocks, intercept, card)

    def decision(self, text: str) -> float:
        prepared = prepare_text(text)
        return self._intercept + sum(block.contribution(prepared) for block in self._blocks)

    def score(self, texts: Sequence[str]) -> list[float]:
        """Probability-like spam score in [0, 1] per text (the logistic of the linear decision)."""
        return [_sigmoid(self.decision(text)) for text in texts]


def _sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


def file_version(path: str | Path) -> str:
    return file_sha256(Path(path))[:16]


_loaded: SpamModel | None = None
_lock = threading.Lock()


def load_spam_model() -> SpamModel:
    """The shipped model, loaded once per process."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = SpamModel.load()
    return _loaded


def score(texts: Sequence[str]) -> list[float]:
    return load_spam_model().score(texts)
