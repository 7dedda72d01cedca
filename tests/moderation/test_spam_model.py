"""The spam and scam model: the shipped artifact through its real loading path, and the trainer on a tiny
data folder in the shared data's formats, whose artifact must score exactly what scikit-learn scores."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from engagement.moderation import spam, spam_training
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


def _tiny_data(folder: Path) -> Path:
    rows = _check_set()
    janitr = folder / "spam" / "janitr-crypto"
    janitr.mkdir(parents=True)
    for name, part in (("train.jsonl", rows[::2]), ("valid.jsonl", rows[1::2])):
        with (janitr / name).open("w", encoding="utf-8") as handle:
            for number, row in enumerate(part):
                labels = ["scam", "topic_crypto"] if row["spam"] else ["topic_crypto"]
                handle.write(json.dumps({"id": str(number), "text": row["text"], "labels": labels}) + "\n")
    youtube = folder / "spam" / "youtube-spam-collection"
    youtube.mkdir()
    with (youtube / "Youtube01-Test.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["COMMENT_ID", "AUTHOR", "DATE", "CONTENT", "CLASS"])
        for number in range(20):
            spammy = number % 2
            text = f"\ufeffcheck out my channel and subscribe {number}" if spammy else f"love this song {number}"
            writer.writerow([number, "a", "2015", text, spammy])
    sms = folder / "spam" / "sms-spam-collection"
    sms.mkdir()
    with (sms / "SMSSpamCollection.tsv").open("w", encoding="utf-8") as handle:
        handle.write("Label\tSMS\n")
        for number in range(20):
            handle.write(f"spam\tWINNER! claim your prize call 0900{number:04d}\n" if number % 2 else f"ham\tsee you at {number} ok\n")
    return folder


def test_trainer_writes_a_loadable_artifact_equal_to_scikit_learn(tmp_path):
    data = _tiny_data(tmp_path / "data")
    card = spam_training.train(data, tmp_path / "weights", variant=spam_training.Variant("tiny", min_df=1))
    model = SpamModel.load(tmp_path / "weights")
    assert model.version == card["version"] and model.threshold == card["threshold"]
    assert card["validation"]["per_source"]["janitr"]["rows"] == 32

    # The same fit again (deterministic) gives scikit-learn's own scores to compare with, on unseen texts too.
    splits = spam_training.load_splits(data)
    vectorizers, fitted = spam_training.fit(spam_training.Variant("tiny", min_df=1), splits.train)
    texts = [row.text for row in splits.valid] + ["", "   ", "ｆｕｌｌ ｗｉｄｔｈ t.me/abc", "zzzz qqqq"]
    expected = spam_training.sklearn_scores(vectorizers, fitted, texts)
    assert np.allclose(model.score(texts), expected, atol=1e-9, rtol=0)
    assert (tmp_path / "weights" / spam.ARTIFACT_NAME).stat().st_size < 200_000


def test_trainer_refuses_a_folder_without_the_spam_data(tmp_path):
    with pytest.raises(FileNotFoundError, match="spam"):
        spam_training.train(tmp_path, tmp_path / "weights")
