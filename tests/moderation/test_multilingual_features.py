"""The multilingual scorer's own feature map (numpy and mmh3) against scikit-learn's, on real comments.

Serving re-implements HashingVectorizer so a web worker never imports scikit-learn or SciPy; these tests hold
the re-implementation to sklearn's figures: the hashed counts exactly, the shipped model's probabilities to
1e-9.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from engagement.moderation.multilingual import (
    COVERED_LANGUAGES,
    WEIGHTS_DIR,
    WEIGHTS_FILENAME,
    hashed_counts,
    load_multilingual_scorer,
    prepare_text,
    smoothed_idf,
)
from engagement.moderation.training import multilingual as multilingual_training

EDGE_CASES = [
    "",
    "   \t\n ",
    "a",
    "🚀🚀🚀🔥",
    "gm 🚀 wagmi 💎🙌",
    "Привет 你好 hello 안녕하세요 こんにちは مرحبا",
    "Ты полный идиот\t\tзаткнись\n\nурод",
    "e\u0301te\u0301 Mày là thằng ngu",  # combining marks
    "ｂａｋａ ＢＡＫＡ ①②③",  # full-width and circled forms (NFKC)
    "&lt;b&gt;bold&lt;/b&gt; @someone https://x.io/y [id1|Андрей]",
    "x" * 3,
    "\U0001f468\u200d\U0001f469\u200d\U0001f467 family",  # a ZWJ sequence
    ("Это очень длинный комментарий с повторами 这是一个很长的评论 " * 120).strip(),  # ~8,000 characters
    "a" * 5000,
]


def _real_comments() -> list[tuple[str, str]]:
    """(text, language) pairs: 60 per language the model covers, English included, from the labeled data."""
    data_dir = multilingual_training.default_data_dir()
    if not (data_dir / "multilingual").is_dir() or not (data_dir / "davidson").is_dir():
        pytest.skip(f"no labeled data at {data_dir}")
    rng = random.Random(14)
    rows = multilingual_training.read_multilingual(data_dir)
    picked = []
    for lang in COVERED_LANGUAGES:
        if lang == "en":
            texts = multilingual_training._raw_english(data_dir)
        else:
            texts = [row["text"] for row in rows if row["lang"] == lang]
        picked += [(text, lang) for text in rng.sample(texts, 60)]
    assert {lang for _, lang in picked} == set(COVERED_LANGUAGES)
    return picked


@pytest.fixture(scope="module")
def comments() -> list[tuple[str, str]]:
    return _real_comments() + [(text, "zh") for text in EDGE_CASES]


def _sklearn_counts(texts: list[str], **params) -> np.ndarray:
    hashing = HashingVectorizer(norm=None, lowercase=False, **params)
    return hashing.transform(texts).toarray()


@pytest.mark.parametrize(
    "params",
    [
        {"analyzer": "char_wb", "ngram_range": (1, 4), "n_features": 2**19, "alternate_sign": False},
        {"analyzer": "char_wb", "ngram_range": (2, 5), "n_features": 2**10, "alternate_sign": True},
        {"analyzer": "char", "ngram_range": (1, 3), "n_features": 2**12, "alternate_sign": False},
        {"analyzer": "char", "ngram_range": (3, 4), "n_features": 2**8, "alternate_sign": True},
    ],
)
def test_hashed_counts_equal_sklearn_hashing_vectorizer(comments, params) -> None:
    # Raw text too (not only prepare_text's output): tabs, line breaks and runs of spaces reach the analyzer.
    texts = [text for text, _ in comments] + [prepare_text(text) for text, _ in comments]
    expected = _sklearn_counts(texts, **params)
    ours = np.zeros_like(expected)
    for row, text in enumerate(texts):
        columns, values = hashed_counts(text, params["analyzer"], params["ngram_range"], params["n_features"], params["alternate_sign"])
        assert np.all(np.diff(columns) > 0)
        ours[row, columns] = values
    assert np.array_equal(ours, expected)
    assert (expected != 0).sum() > 20 * len(texts)  # real rows of n-grams, not a comparison of empty ones


def test_shipped_scores_equal_sklearn_pipeline(comments) -> None:
    scorer = load_multilingual_scorer()
    params = scorer.meta["vectorizer"]
    with np.load(WEIGHTS_DIR / WEIGHTS_FILENAME, allow_pickle=False) as archive:
        idf = smoothed_idf(archive["df"], int(archive["n_samples"]))
        coef, intercept = archive["coef"], archive["intercept"]
    texts = [text for text, _ in comments]
    counts = HashingVectorizer(
        analyzer=params["analyzer"],
        ngram_range=tuple(params["ngram_range"]),
        n_features=params["n_features"],
        alternate_sign=False,
        norm=None,
        lowercase=False,
    ).transform([prepare_text(text) for text in texts])
    counts.data = np.log(counts.data) + 1.0
    rows = normalize(counts.multiply(idf).tocsr(), norm="l2")
    model = LogisticRegression()
    model.classes_ = np.array([0, 1])
    model.coef_ = coef[:1].astype(np.float64)
    model.intercept_ = intercept[:1].astype(np.float64)
    expected = model.predict_proba(rows)[:, 1]

    ours = np.array(scorer.score(texts, [lang for _, lang in comments]))
    assert np.abs(ours - expected).max() < 1e-9
    # The scores spread (the comparison is not between constants): real insults and benign comments differ.
    assert expected.max() - expected.min() > 0.5
    for row, text in enumerate(texts):
        columns, values = scorer.features(text)
        assert np.allclose(values, rows[row].toarray()[0, columns], rtol=0, atol=1e-12)
        assert rows[row].nnz == len(columns)


def test_a_lone_surrogate_raises_as_sklearn_does_instead_of_crashing() -> None:
    # mmh3 5.3 hashing such a str itself ends the interpreter (SIGSEGV); the feature map encodes first.
    with pytest.raises(UnicodeEncodeError):
        _sklearn_counts(["ab\ud800cd"], analyzer="char_wb", ngram_range=(1, 4), n_features=2**10)
    with pytest.raises(UnicodeEncodeError):
        hashed_counts("ab\ud800cd", "char_wb", (1, 4), 2**10)
