"""The spam model's compact vocabulary (TermIndex) answers exactly as a dict of its terms would."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import numpy as np

from engagement.moderation.spam import (
    ARTIFACT_NAME,
    WEIGHTS_DIR,
    TermIndex,
    char_wb_ngrams,
    load_spam_model,
    prepare_text,
    word_ngrams,
)

CHECK_SET = Path(__file__).parent / "data" / "crypto_comments.jsonl"
EDGE_CASES = ["", "🚀🚀🚀 gm", "Привет 你好 안녕 مرحبا", "ab\ud800cd free btc", "x" * 3000, "t.me/pump " * 200]


def _texts() -> list[str]:
    return [json.loads(line)["text"] for line in CHECK_SET.read_text(encoding="utf-8").splitlines()] + EDGE_CASES


def _shipped_terms() -> list[list[str]]:
    model = load_spam_model()
    with np.load(WEIGHTS_DIR / ARTIFACT_NAME, allow_pickle=False) as arrays:
        return [bytes(arrays[f"terms_{n}"]).decode("utf-8").split("\n") for n in range(len(model.card["vectorizers"]))]


def test_every_term_and_every_gram_of_real_comments_finds_the_dicts_column() -> None:
    for number, terms in enumerate(_shipped_terms()):
        vocabulary = {term: position for position, term in enumerate(terms)}
        index = TermIndex("\n".join(terms))
        assert len(index) == len(terms) > 20_000
        assert index.lookup(terms) == list(range(len(terms)))
        spec = load_spam_model().card["vectorizers"][number]
        grams = []
        for text in _texts():
            prepared = prepare_text(text)
            grams += word_ngrams(prepared, spec["ngram_range"]) if spec["analyzer"] == "word" else char_wb_ngrams(prepared, spec["ngram_range"])
        expected = [vocabulary.get(gram) for gram in grams]
        assert index.lookup(grams) == expected
        assert sum(found is None for found in expected) > 100 and sum(found is not None for found in expected) > 1000


def test_scores_equal_a_dict_vocabulary_exactly() -> None:
    model = load_spam_model()
    with np.load(WEIGHTS_DIR / ARTIFACT_NAME, allow_pickle=False) as arrays:
        blocks = [
            (spec, dict(map(reversed, enumerate(terms))), arrays[f"idf_{n}"], arrays[f"coef_{n}"])
            for n, (spec, terms) in enumerate(zip(model.card["vectorizers"], _shipped_terms()))
        ]
        intercept = float(arrays["intercept"][0])
    for text in _texts():
        prepared = prepare_text(text)
        contributions = []
        for spec, vocabulary, idf, coef in blocks:
            analyze = word_ngrams if spec["analyzer"] == "word" else char_wb_ngrams
            counts = Counter(analyze(prepared, tuple(spec["ngram_range"])))
            hits = [(vocabulary[gram], 1.0 + math.log(count)) for gram, count in counts.items() if gram in vocabulary]
            if hits:
                where = np.array([position for position, _ in hits])
                values = np.array([weight for _, weight in hits]) * idf[where]
                contributions.append(float(values @ coef[where]) / math.sqrt(float(values @ values)))
        assert model.decision(text) == intercept + sum(contributions)  # bit for bit, as SpamModel adds them
