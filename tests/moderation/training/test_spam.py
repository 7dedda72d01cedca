"""The spam trainer on a tiny data folder in the shared data's formats (texts from the crypto check set): it
writes an artifact that loads through the runtime path and scores exactly what scikit-learn scores."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from engagement.moderation import spam
from engagement.moderation.spam import SpamModel
from engagement.moderation.training import spam as spam_training

CHECK_SET = Path(__file__).resolve().parent.parent / "data" / "crypto_comments.jsonl"


def _check_set() -> list[dict]:
    return [json.loads(line) for line in CHECK_SET.read_text(encoding="utf-8").splitlines()]


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
