"""The spam and scam model: the shipped artifact through its real loading path (the trainer's tests are in
tests/moderation/training/test_spam.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sklearn.metrics import roc_auc_score

from engagement.moderation import spam
from engagement.moderation.spam import SpamModel, char_wb_ngrams, load_spam_model, word_ngrams

CHECK_SET = Path(__file__).parent / "data" / "crypto_comments.jsonl"


def _check_set() -> list[dict]:
    return [json.loads(line) for line in CHECK_SET.read_text(encoding="utf-8").splitlines()]


def test_shipped_model_loads_and_reproduces_scikit_learns_recorded_scores():
    model = load_spam_model()
    assert model is load_spam_model()  # loaded once per process
    samples = model.card["samples"]
    assert len(samples) >= 5
    runtime = model.score([sample["text"] for sample in samples])
    assert runtime == pytest.approx([sample["sklearn_score"] for sample in samples], abs=1e-6)
    assert 0.0 < model.threshold < 1.0


def test_shipped_model_ranks_obvious_scams_above_crypto_talk():
    scams = [
        "DM me on Telegram @cryptoguru for guaranteed 10x returns",
        "Send 0.1 BTC and get 0.2 BTC back, official giveaway, limited time",
        "Recover your stolen crypto, contact our certified recovery expert on WhatsApp",
    ]
    clean = [
        "HODL and ignore the FUD, paper hands always sell the bottom",
        "Coinbase fees are a ripoff compared to other exchanges",
        "I think we retest 60k before any new high",
    ]
    scores = spam.score(scams + clean)
    assert min(scores[:3]) > max(scores[3:])
    assert all(score >= load_spam_model().threshold for score in scores[:3])
    assert all(score < load_spam_model().threshold for score in scores[3:])


def test_shipped_model_separates_the_crypto_check_set():
    rows = _check_set()
    assert sum(row["spam"] for row in rows) >= 30 and sum(1 - row["spam"] for row in rows) >= 30
    scores = spam.score([row["text"] for row in rows])
    assert roc_auc_score([row["spam"] for row in rows], scores) >= 0.9


def test_a_changed_artifact_is_refused(tmp_path):
    for name in (spam.ARTIFACT_NAME, spam.CARD_NAME):
        (tmp_path / name).write_bytes((spam.WEIGHTS_DIR / name).read_bytes())
    with (tmp_path / spam.ARTIFACT_NAME).open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ValueError, match="version"):
        SpamModel.load(tmp_path)


def test_ngram_analyzers_match_scikit_learn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    text = "gm fren, send 0.1 btc to t.me/x a ab abc   ünïcode 10x!!"
    for low, high in ((1, 2), (2, 5), (1, 4), (3, 3)):
        char = TfidfVectorizer(analyzer="char_wb", ngram_range=(low, high), lowercase=False).build_analyzer()
        assert char_wb_ngrams(text, (low, high)) == char(text)
        word = TfidfVectorizer(analyzer="word", ngram_range=(low, high), lowercase=False).build_analyzer()
        assert word_ngrams(text, (low, high)) == word(text)
