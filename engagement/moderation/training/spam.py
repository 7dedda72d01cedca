"""Offline trainer of the spam and scam model shipped as ``weights/spam-model.npz`` + ``spam-model.json``.

    python -m engagement.moderation.training.spam [--data-dir DIR] [--out DIR] [--compare]

Data (``$ENGAGEMENT_DATA_DIR`` or ``../shared/data``, folder ``spam/``; see its README for licences):
- janitr-crypto ``train.jsonl`` / ``valid.jsonl``: crypto social media posts. Label mapping: positive
  ("spam") when ``labels`` holds ``scam`` -- in this copy that label already gathers the raw labels scam,
  phishing, recovery_scam, spam, promo, affiliate, lead_gen, giveaway, engagement_bait, bot and the like
  (``raw_labels`` keeps them). ``clean`` and ``topic_crypto`` alone are negatives: crypto talk is not spam.
  Its own valid file is the held-out split that matters most.
- youtube-spam-collection (``CLASS`` 1/0) and sms-spam-collection (spam/ham): generic comment and message
  spam, split here 85/15, stratified and seeded.

Model: scikit-learn TfidfVectorizer(word 1-2 grams) + TfidfVectorizer(char_wb n-grams), sublinear tf,
LogisticRegression with balanced class weights. ``--compare`` measures a few variants first. The threshold
is chosen on janitr valid: the highest threshold that keeps >= 90% of scam rows from publication, provided
that >= 95% of clean crypto-talk rows (``topic_crypto`` without ``scam``) stay published.
Deterministic: fixed seeds and solver, single thread.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from engagement.moderation.spam import ARTIFACT_NAME, CARD_NAME, WEIGHTS_DIR, SpamModel, file_version, prepare_text

logger = logging.getLogger(__name__)

SPLIT_SEED = 20261129
VALIDATION_FRACTION = 0.15
CATCH_TARGET = 0.90
KEEP_TARGET = 0.95
LABEL_MAPPING = (
    "janitr-crypto: positive when labels hold 'scam' (raw labels scam, phishing, recovery_scam, spam, promo, "
    "affiliate, lead_gen, giveaway, engagement_bait, bot, ...); 'clean' and 'topic_crypto' alone are negative. "
    "youtube-spam-collection: CLASS 1 positive. sms-spam-collection: 'spam' positive."
)


@dataclass
class Row:
    text: str
    label: int
    source: str
    crypto: bool = False


@dataclass(frozen=True)
class Variant:
    name: str
    word: tuple[int, int] | None = (1, 2)
    char: tuple[int, int] | None = (2, 5)
    sources: tuple[str, ...] = ("janitr", "youtube", "sms")
    min_df: int = 2
    max_features: int = 100000
    c: float = 4.0


VARIANTS = (
    Variant("word1-2+char2-5, all sources"),
    Variant("word1-2+char2-5, all sources, 40k char features", max_features=40000),
    Variant("word1-2+char2-5, janitr only", sources=("janitr",)),
    Variant("char_wb 1-4 only, all sources", word=None, char=(1, 4)),
    Variant("word1-2 only, all sources", char=None),
)
CHOSEN = VARIANTS[0]


@dataclass
class Splits:
    train: list[Row] = field(default_factory=list)
    valid: list[Row] = field(default_factory=list)


def default_data_dir() -> Path:
    override = os.environ.get("ENGAGEMENT_DATA_DIR")
    if override:
        return Path(override)
    # The repository root is the folder with pyproject.toml, wherever this module sits in the package.
    root = next(folder for folder in Path(__file__).resolve().parents if (folder / "pyproject.toml").is_file())
    return root.parent / "shared" / "data"


def load_splits(data_dir: str | Path) -> Splits:
    """Train and validation rows of every source."""
    spam_dir = Path(data_dir) / "spam"
    if not spam_dir.is_dir():
        raise FileNotFoundError(f"{spam_dir} is missing (see shared/data/README.md)")
    splits = Splits(
        train=_read_janitr(spam_dir / "janitr-crypto" / "train.jsonl"),
        valid=_read_janitr(spam_dir / "janitr-crypto" / "valid.jsonl"),
    )
    for rows in (_read_youtube(spam_dir / "youtube-spam-collection"), _read_sms(spam_dir / "sms-spam-collection")):
        train, valid = train_test_split(
            rows, test_size=VALIDATION_FRACTION, random_state=SPLIT_SEED, stratify=[row.label for row in rows]
        )
        splits.train += train
        splits.valid += valid
    return splits


def _read_janitr(path: Path) -> list[Row]:
    rows = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            labels = set(record["labels"])
            rows.append(Row(record["text"], int("scam" in labels), "janitr", "topic_crypto" in labels))
    return rows


def _read_youtube(folder: Path) -> list[Row]:
    rows = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for record in csv.DictReader(handle):
                rows.append(Row(record["CONTENT"].replace("\ufeff", ""), int(record["CLASS"]), "youtube"))
    return rows


def _read_sms(folder: Path) -> list[Row]:
    rows = []
    with (folder / "SMSSpamCollection.tsv").open(encoding="utf-8") as handle:
        next(handle)  # header line
        for line in handle:
            label, _, text = line.rstrip("\n").partition("\t")
            rows.append(Row(text, int(label == "spam"), "sms"))
    return rows


def fit(variant: Variant, rows: Sequence[Row]) -> tuple[list[TfidfVectorizer], LogisticRegression]:
    rows = [row for row in rows if row.source in variant.sources]
    texts = [prepare_text(row.text) for row in rows]
    vectorizers = []
    common = {"lowercase": False, "sublinear_tf": True, "min_df": variant.min_df, "max_features": variant.max_features, "dtype": np.float64}
    if variant.word:
        vectorizers.append(TfidfVectorizer(analyzer="word", ngram_range=variant.word, **common))
    if variant.char:
        vectorizers.append(TfidfVectorizer(analyzer="char_wb", ngram_range=variant.char, **common))
    matrix = sparse.hstack([vectorizer.fit_transform(texts) for vectorizer in vectorizers]).tocsr()
    model = LogisticRegression(C=variant.c, class_weight="balanced", solver="liblinear", random_state=SPLIT_SEED, max_iter=1000)
    model.fit(matrix, [row.label for row in rows])
    return vectorizers, model


def sklearn_scores(vectorizers: Sequence[TfidfVectorizer], model: LogisticRegression, texts: Sequence[str]) -> np.ndarray:
    prepared = [prepare_text(text) for text in texts]
    matrix = sparse.hstack([vectorizer.transform(prepared) for vectorizer in vectorizers]).tocsr()
    return model.predict_proba(matrix)[:, 1]


def evaluate(scores: np.ndarray, rows: Sequence[Row]) -> dict[str, Any]:
    labels = np.array([row.label for row in rows])
    report: dict[str, Any] = {}
    for source in sorted({row.source for row in rows}):
        mask = np.array([row.source == source for row in rows])
        both = 0 < labels[mask].sum() < mask.sum()
        auc = round(float(roc_auc_score(labels[mask], scores[mask])), 4) if both else None
        report[source] = {"rows": int(mask.sum()), "positives": int(labels[mask].sum()), "roc_auc": auc}
    return report


def crypto_curve(scores: np.ndarray, rows: Sequence[Row]) -> tuple[np.ndarray, np.ndarray]:
    """janitr valid: scores of scam rows and of clean crypto-talk rows (topic_crypto without scam)."""
    scam = np.array([s for s, r in zip(scores, rows) if r.source == "janitr" and r.label == 1])
    crypto_clean = np.array([s for s, r in zip(scores, rows) if r.source == "janitr" and r.label == 0 and r.crypto])
    return scam, crypto_clean


def choose_threshold(scam: np.ndarray, clean: np.ndarray) -> tuple[float, list[dict[str, float]]]:
    """Highest threshold catching >= 90% of scam if it keeps >= 95% of clean crypto talk; else the one keeping
    95% (clean crypto talk published matters more: the signals phase catches many scams the model misses)."""
    curve = []
    for threshold in np.round(np.arange(0.05, 0.96, 0.025), 3):
        curve.append({"threshold": float(threshold), "caught": round(float((scam >= threshold).mean()), 4), "kept": round(float((clean < threshold).mean()), 4)})
    meeting = [point for point in curve if point["caught"] >= CATCH_TARGET and point["kept"] >= KEEP_TARGET]
    if meeting:
        return max(point["threshold"] for point in meeting), curve
    keeping = [point for point in curve if point["kept"] >= KEEP_TARGET]
    return (min(point["threshold"] for point in keeping) if keeping else 0.5), curve


def export(vectorizers: Sequence[TfidfVectorizer], model: LogisticRegression, out_dir: Path, card: dict[str, Any], sample_texts: Sequence[str]) -> Path:
    """Write the no-pickle artifact and its card; the card records scikit-learn's scores of sample texts."""
    out_dir.mkdir(parents=True, exist_ok=True)
    coef = model.coef_[0].astype(np.float64)
    arrays: dict[str, np.ndarray] = {"intercept": np.array([model.intercept_[0]], dtype=np.float64)}
    specs = []
    offset = 0
    for number, vectorizer in enumerate(vectorizers):
        terms = vectorizer.get_feature_names_out()
        block = coef[offset : offset + len(terms)]
        offset += len(terms)
        arrays[f"terms_{number}"] = np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8)
        arrays[f"idf_{number}"] = vectorizer.idf_.astype(np.float64)
        arrays[f"coef_{number}"] = block
        specs.append({"analyzer": vectorizer.analyzer, "ngram_range": list(vectorizer.ngram_range), "terms": len(terms)})
    artifact = out_dir / ARTIFACT_NAME
    np.savez_compressed(artifact, **arrays)
    scores = sklearn_scores(vectorizers, model, sample_texts)
    card = {
        "version": file_version(artifact),
        **card,
        "vectorizers": specs,
        "samples": [{"text": text, "sklearn_score": float(score)} for text, score in zip(sample_texts, scores)],
    }
    (out_dir / CARD_NAME).write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return artifact


SAMPLE_TEXTS = (
    "DM me on Telegram @cryptoguru for guaranteed 10x returns",
    "Send 0.1 BTC to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq and get 0.2 back instantly",
    "Lost funds to a scam? Our recovery experts get your crypto back, write to recovery.desk@gmail.com",
    "HODL and ignore the FUD, paper hands always sell the bottom",
    "The ETF inflows look strong but I still think we retest 60k before the halving",
    "Binance support is useless, took three days to answer my ticket",
    "",
    "ｃｌａｉｍ ｙｏｕｒ ａｉｒｄｒｏｐ ａｔ ｃｌａｉｍ-ａｉｒｄｒｏｐ.ｘｙｚ",
)


def train(data_dir: Path, out_dir: Path, *, compare: bool = False, variant: Variant = CHOSEN) -> dict[str, Any]:
    splits = load_splits(data_dir)
    comparison = []
    if compare:
        for candidate in VARIANTS:
            started = time.perf_counter()
            vectorizers, model = fit(candidate, splits.train)
            scores = sklearn_scores(vectorizers, model, [row.text for row in splits.valid])
            scam, clean = crypto_curve(scores, splits.valid)
            threshold, _ = choose_threshold(scam, clean)
            entry = {
                "variant": candidate.name,
                "features": int(model.coef_.shape[1]),
                "seconds": round(time.perf_counter() - started, 1),
                "valid": evaluate(scores, splits.valid),
                "threshold": threshold,
                "caught": round(float((scam >= threshold).mean()), 4),
                "kept_crypto": round(float((clean < threshold).mean()), 4),
            }
            comparison.append(entry)
            logger.info("%s", json.dumps(entry))
    started = time.perf_counter()
    vectorizers, model = fit(variant, splits.train)
    seconds = time.perf_counter() - started
    scores = sklearn_scores(vectorizers, model, [row.text for row in splits.valid])
    scam, clean = crypto_curve(scores, splits.valid)
    threshold, curve = choose_threshold(scam, clean) if len(scam) and len(clean) else (0.5, [])
    janitr_clean = np.array([s for s, r in zip(scores, splits.valid) if r.source == "janitr" and r.label == 0])
    card = {
        "model": "tfidf-logistic",
        "variant": variant.name,
        "threshold": threshold,
        "label_mapping": LABEL_MAPPING,
        "train_rows": {source: sum(r.source == source for r in splits.train) for source in variant.sources},
        "train_seconds": round(seconds, 1),
        "validation": {
            "per_source": evaluate(scores, splits.valid),
            "janitr_scam_caught": round(float((scam >= threshold).mean()), 4) if len(scam) else None,
            "janitr_crypto_talk_kept": round(float((clean < threshold).mean()), 4) if len(clean) else None,
            "janitr_all_clean_kept": round(float((janitr_clean < threshold).mean()), 4) if len(janitr_clean) else None,
            "curve": curve,
            "threshold_note": "chosen on janitr valid (the split also reported): an optimistic estimate",
        },
        "comparison": comparison,
    }
    export(vectorizers, model, out_dir, card, SAMPLE_TEXTS)
    return json.loads((out_dir / CARD_NAME).read_text(encoding="utf-8"))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=WEIGHTS_DIR)
    parser.add_argument("--compare", action="store_true", help="measure the variants before training the chosen one")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    card = train(args.data_dir or default_data_dir(), args.out, compare=args.compare)
    SpamModel.load(args.out)  # the written artifact must load through the runtime path
    summary = {key: card[key] for key in ("version", "threshold", "train_seconds")} | {"validation": {k: v for k, v in card["validation"].items() if k != "curve"}}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
