"""Offline trainer of the multilingual toxicity model (engagement.moderation.multilingual).

    python -m engagement.moderation.training.multilingual [--data-dir DIR] [--weights-dir DIR] [--seed 13]

Data: `../shared/data/multilingual/` (COLD zh, GermEval 2018 de, Korean HateSpeech ko, Russian distorted ru,
Japanese toxic ja; see its README) and the English sources of engagement.moderation.datasets. Each language is
split 85/15, stratified by label, with the English split the embedded model uses (datasets.split_rows), so no
English validation row of either model was trained on by the other.

Model: sklearn HashingVectorizer (char_wb n-grams) -> sublinear tf-idf -> logistic regression, trained jointly
on every language with each language's rows weighted to an equal share (capped for tiny sources). Per-language
thresholds are chosen on the validation split so that KEEP_TARGET of its benign comments stay published. The
arrays go to `weights/multilingual-toxicity.npz` (numpy, no pickle) with a json that records the parameters,
sha256, thresholds and validation figures. Deterministic: no randomness besides the seeded split, and lbfgs.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import platform
import re
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from engagement.moderation.loading import file_sha256
from engagement.moderation.multilingual import (
    JOINT_HEAD,
    META_FILENAME,
    PREPARE_VERSION,
    UNCOVERED_LANGUAGES,
    WEIGHTS_DIR,
    WEIGHTS_FILENAME,
    build_vectorizer,
    prepare_text,
    smoothed_idf,
    tfidf_rows,
)
from engagement.moderation.training.multilingual_samples import HANDWRITTEN

from engagement.moderation.training import datasets as _datasets

logger = logging.getLogger(__name__)

SPLIT_SEED = _datasets.SPLIT_SEED
VALIDATION_FRACTION = _datasets.VALIDATION_FRACTION
KEEP_TARGET = 0.92  # benign share published on validation; 2 points above the 90% target for unseen rows
DEFAULT_VECTORIZER: dict[str, Any] = {"analyzer": "char_wb", "ngram_range": [1, 4], "n_features": 2**19}
DEFAULT_C = 4.0
MAX_LANGUAGE_WEIGHT = 4.0  # a row of a small source counts at most this many times a row of the largest share
Row = dict[str, Any]


def default_data_dir() -> Path:
    return _datasets.default_data_dir()


# ---------------------------------------------------------------- data


def read_multilingual(data_dir: str | Path) -> list[Row]:
    """Rows {text, lang, label, source} of the five non-English sources (text as written, label 0/1)."""
    base = Path(data_dir) / "multilingual"
    rows: list[Row] = []
    for name in ("train.csv", "dev.csv"):
        with (base / "cold" / name).open(encoding="utf-8") as handle:
            rows += [_raw(r["TEXT"], "zh", int(r["label"]), "cold") for r in csv.DictReader(handle)]
    with (base / "germeval2018" / "germeval2018.training.txt").open(encoding="utf-8") as handle:
        for record in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            # GermEval marks line breaks in tweets with "|LBR|".
            rows.append(_raw(record[0].replace("|LBR|", " "), "de", int(record[1] == "OFFENSE"), "germeval"))
    with (base / "korean-hate-speech" / "train.tsv").open(encoding="utf-8") as handle:
        for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            rows.append(_raw(r["comments"], "ko", int(r["hate"] != "none"), "korean-hate-speech"))
    with (base / "russian-distorted" / "russian_distorted_toxicity.tsv").open(encoding="utf-8") as handle:
        for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            rows.append(_raw(r["comments"].replace('\\"', '"'), "ru", int(r["toxicity"]), "russian-distorted"))
    with (base / "japanese-toxic" / "subset.csv").open(encoding="utf-8") as handle:
        for r in csv.DictReader(handle):
            toxic = int(r["Toxic"]) + int(r["Very Toxic"])
            benign, votes = int(r["Not Toxic"]), int(r["annotation_num"])
            # Majority of the votes; ties and "hard to say" majorities are left out rather than guessed.
            if 2 * toxic >= votes and toxic > benign:
                rows.append(_raw(r["text"], "ja", 1, "japanese-toxic"))
            elif 2 * benign >= votes and benign > toxic:
                rows.append(_raw(r["text"], "ja", 0, "japanese-toxic"))
    return _dedupe(rows)


def _raw(text: str, lang: str, label: int, source: str) -> Row:
    return {"text": text, "lang": lang, "label": label, "source": source}


def _dedupe(rows: Sequence[Row]) -> list[Row]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for row in rows:
        key = (row["lang"], prepare_text(row["text"]))
        if not key[1] or key in seen:
            continue
        seen.add(key)
        kept.append(row)
    return kept


def split_multilingual(rows: Sequence[Row], seed: int = SPLIT_SEED) -> tuple[list[Row], list[Row]]:
    """Seeded 85/15 split stratified by language and label."""
    strata = [f"{row['lang']}/{row['label']}" for row in rows]
    train_idx, val_idx = train_test_split(
        list(range(len(rows))), test_size=VALIDATION_FRACTION, random_state=seed, stratify=strata
    )
    return [rows[i] for i in sorted(train_idx)], [rows[i] for i in sorted(val_idx)]


def english_split(data_dir: str | Path) -> tuple[list[Row], list[Row]]:
    """The embedded model's English split, with each row's text as written (not as the English model sees it).

    datasets.load_rows keeps only the English-normalized text, so the sources are read again in the same order
    and zipped with its rows: the same de-duplication and split_rows then give the very same split.
    """
    data_dir = Path(data_dir)
    raw = [*_raw_english(data_dir)]
    mapped = [*_datasets._read_davidson(data_dir), *_datasets._read_olid(data_dir), *_datasets._read_toxigen(data_dir)]
    if len(raw) != len(mapped):
        raise RuntimeError("English sources changed under the reader; cannot align the split")
    seen: set[str] = set()
    rows: list[Row] = []
    for text, row in zip(raw, mapped):
        key = row.pop("dedupe_key")
        if not row["text"] or key in seen:
            continue
        seen.add(key)
        row["raw"] = text
        rows.append(row)
    train, val = _datasets.split_rows(rows)
    return [_english(row) for row in train], [_english(row) for row in val]


_RETWEET = re.compile(r"(?:^|\s)(?:rt|RT)(?=\s|:)")


def _raw_english(data_dir: Path) -> list[str]:
    texts = []
    with (data_dir / "davidson" / "labeled_data.csv").open(encoding="utf-8") as handle:
        texts += [_RETWEET.sub(" ", r["tweet"]) for r in csv.DictReader(handle)]
    with (data_dir / "olid" / "olid-training-v1.0.tsv").open(encoding="utf-8") as handle:
        texts += [r["tweet"] for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]
    with (data_dir / "toxigen" / "statements.csv").open(encoding="utf-8") as handle:
        texts += [r["text"] for r in csv.DictReader(handle)]
    return texts


def _english(row: Row) -> Row:
    return _raw(row["raw"], "en", int(row["toxicity"]), row["source"])


def load_splits(data_dir: str | Path, seed: int = SPLIT_SEED, english: bool = True) -> tuple[list[Row], list[Row]]:
    train, val = split_multilingual(read_multilingual(data_dir), seed)
    if english:
        en_train, en_val = english_split(data_dir)
        train, val = train + en_train, val + en_val
    return train, val


# ---------------------------------------------------------------- model


def language_weights(rows: Sequence[Row], cap: float = MAX_LANGUAGE_WEIGHT) -> dict[str, float]:
    """Per-row weight per language so each language weighs about the same, no row more than `cap` times another."""
    counts = Counter(row["lang"] for row in rows)
    largest = max(counts.values())
    raw = {lang: min(cap, largest / n) for lang, n in counts.items()}
    scale = len(rows) / sum(raw[lang] * n for lang, n in counts.items())
    return {lang: weight * scale for lang, weight in raw.items()}


def fit(
    rows: Sequence[Row],
    vectorizer_params: dict[str, Any] | None = None,
    c: float = DEFAULT_C,
    per_language: Sequence[str] = (),
) -> dict[str, Any]:
    """Fit the joint head (and a head per language in `per_language`); return the arrays to ship."""
    params = dict(vectorizer_params or DEFAULT_VECTORIZER)
    vectorizer = build_vectorizer(params)
    prepared = [prepare_text(row["text"]) for row in rows]
    counts = vectorizer.transform(prepared).tocsr()
    df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.uint32)
    idf = smoothed_idf(df, len(rows))
    features = tfidf_rows(vectorizer, idf, prepared)
    labels = np.array([row["label"] for row in rows])
    weights = language_weights(rows)
    sample_weight = np.array([weights[row["lang"]] for row in rows])
    heads, coefs, intercepts = [JOINT_HEAD], [], []
    coef, intercept = _logistic(features, labels, sample_weight, c)
    coefs.append(coef)
    intercepts.append(intercept)
    for lang in per_language:
        picked = np.array([i for i, row in enumerate(rows) if row["lang"] == lang])
        coef, intercept = _logistic(features[picked], labels[picked], None, c)
        heads.append(lang)
        coefs.append(coef)
        intercepts.append(intercept)
    return {
        "vectorizer": params,
        "c": c,
        "heads": heads,
        "language_weights": {lang: round(w, 4) for lang, w in sorted(weights.items())},
        "arrays": {
            "df": df,
            "n_samples": np.array(len(rows), dtype=np.int64),
            "coef": np.vstack(coefs).astype(np.float32),
            "intercept": np.array(intercepts, dtype=np.float32),
        },
    }


def _logistic(features, labels, sample_weight, c: float) -> tuple[np.ndarray, float]:
    model = LogisticRegression(C=c, solver="lbfgs", max_iter=2000, tol=1e-5)
    model.fit(features, labels, sample_weight=sample_weight)
    return model.coef_[0], float(model.intercept_[0])


def keep_threshold(labels: Sequence[int], scores: Sequence[float], keep: float = KEEP_TARGET) -> float:
    """Lowest hold threshold (hold when score >= it) that still publishes `keep` of the benign texts."""
    benign = np.sort(np.asarray([s for s, y in zip(scores, labels) if y == 0]))
    if not len(benign):
        return 1.0
    index = min(len(benign) - 1, int(np.ceil(keep * len(benign))) - 1)
    # Just above the keep-th benign score; nextafter keeps ties of that score published.
    return float(np.nextafter(benign[index], np.inf))


def rates(labels: Sequence[int], scores: Sequence[float], threshold: float) -> dict[str, float | None]:
    """Share of offensive held or rejected (caught) and of benign published (kept) at `threshold`."""
    labels_a, scores_a = np.asarray(labels), np.asarray(scores)
    offensive, benign = scores_a[labels_a == 1], scores_a[labels_a == 0]
    return {
        "caught": float(np.mean(offensive >= threshold)) if len(offensive) else None,
        "kept": float(np.mean(benign < threshold)) if len(benign) else None,
    }


def auc(labels: Sequence[int], scores: Sequence[float]) -> float | None:
    return float(roc_auc_score(labels, scores)) if len(set(labels)) == 2 else None


def ldnoobw_terms(data_dir: str | Path, lang: str) -> list[str]:
    path = Path(data_dir) / "wordlists" / "ldnoobw" / lang
    if not path.is_file():
        return []
    return [line.strip().casefold() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def wordlist_match(text: str, terms: Sequence[str]) -> bool:
    """Word-bounded (substring for CJK) match of any term on the prepared text."""
    prepared = prepare_text(text)
    for term in terms:
        if re.search(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", term):
            if term in prepared:
                return True
        elif re.search(rf"(?<!\w){re.escape(term)}(?!\w)", prepared):
            return True
    return False


# ---------------------------------------------------------------- train + write


def train_multilingual_model(
    data_dir: str | Path | None = None,
    weights_dir: str | Path = WEIGHTS_DIR,
    seed: int = SPLIT_SEED,
    vectorizer_params: dict[str, Any] | None = None,
    c: float = DEFAULT_C,
    per_language: Sequence[str] = (),
    rows: tuple[list[Row], list[Row]] | None = None,
) -> dict[str, Any]:
    """Train, choose per-language thresholds on validation, write the npz + json; return the json."""
    started = time.perf_counter()
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    train, val = rows if rows is not None else load_splits(data_dir, seed)
    loaded = time.perf_counter()
    fitted = fit(train, vectorizer_params, c, per_language)
    trained = time.perf_counter()

    from engagement.moderation.multilingual import MultilingualScorer

    # Everything below is measured through the runtime scorer reading the very arrays that ship.
    meta: dict[str, Any] = {
        "name": "multilingual-chargram",
        "prepare_version": PREPARE_VERSION,
        "vectorizer": fitted["vectorizer"],
        "heads": fitted["heads"],
        "thresholds": {"*": 0.5},
    }
    scorer = MultilingualScorer(meta, fitted["arrays"], "training")
    val_scores = scorer.score([row["text"] for row in val], [row["lang"] for row in val])
    by_lang: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(val):
        by_lang[row["lang"]].append(i)
    thresholds: dict[str, float] = {}
    validation: dict[str, Any] = {}
    for lang in sorted(by_lang):
        labels = [val[i]["label"] for i in by_lang[lang]]
        scores = [val_scores[i] for i in by_lang[lang]]
        thresholds[lang] = keep_threshold(labels, scores)
        validation[lang] = {
            "rows": len(labels),
            "offensive": int(sum(labels)),
            "roc_auc": _round(auc(labels, scores)),
            **{k: _round(v) for k, v in rates(labels, scores, thresholds[lang]).items()},
        }
    # Languages without data: the threshold that keeps KEEP_TARGET of the benign rows of every language pooled
    # (each language weighted equally would be the same up to a point; pooled is simpler to explain).
    thresholds["*"] = keep_threshold([row["label"] for row in val], val_scores)
    transfer = evaluate_transfer(scorer, thresholds, data_dir)

    weights_dir = Path(weights_dir)
    weights_dir.mkdir(parents=True, exist_ok=True)
    weights_path = weights_dir / WEIGHTS_FILENAME
    np.savez_compressed(weights_path, **fitted["arrays"])
    digest = file_sha256(weights_path)
    meta.update(
        {
            "version": digest[:12],
            "sha256": digest,
            "thresholds": {lang: round(value, 6) for lang, value in thresholds.items()},
            "threshold_rule": f"hold when score >= threshold; the lowest threshold that publishes {KEEP_TARGET:.0%}"
            " of the language's benign validation comments ('*': all languages pooled)",
            "validation": validation,
            "transfer_handwritten": transfer,
            "training": {
                "seed": seed,
                "c": c,
                "language_weights": fitted["language_weights"],
                "train_rows": dict(sorted(Counter(row["lang"] for row in train).items())),
                "validation_rows": dict(sorted(Counter(row["lang"] for row in val).items())),
                "split": f"{VALIDATION_FRACTION:.0%} per language, stratified by label, random_state {seed};"
                " English: datasets.split_rows (the embedded model's split)",
                "load_seconds": round(loaded - started, 1),
                "fit_seconds": round(trained - loaded, 1),
                "python": platform.python_version(),
            },
            "sources": "COLD (Apache-2.0), GermEval 2018 (CC BY 4.0), Korean HateSpeech (CC BY-SA 4.0), Russian"
            " distorted toxicity (MIT), Japanese toxic dataset subset (Apache-2.0), Davidson (MIT), OLID, ToxiGen"
            " (MIT); see shared/data/README.md",
            "artifact_bytes": weights_path.stat().st_size,
        }
    )
    (weights_dir / META_FILENAME).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    logger.info("multilingual model %s written in %.0fs", meta["version"], time.perf_counter() - started)
    return meta


def evaluate_transfer(scorer, thresholds: dict[str, float], data_dir: Path) -> dict[str, Any]:
    """What the model and the LDNOOBW lists do on the hand-written comments of languages without data."""
    report: dict[str, Any] = {}
    for lang in UNCOVERED_LANGUAGES:
        texts = [text for text, _ in HANDWRITTEN[lang]]
        labels = [label for _, label in HANDWRITTEN[lang]]
        scores = scorer.score(texts, [lang] * len(texts))
        terms = ldnoobw_terms(data_dir, lang)
        listed = [1.0 if wordlist_match(text, terms) else 0.0 for text in texts]
        either = [max(s, 1.0) if hit else s for s, hit in zip(scores, listed)]
        report[lang] = {
            "comments": len(texts),
            "roc_auc": _round(auc(labels, scores)),
            "model": {k: _round(v) for k, v in rates(labels, scores, thresholds["*"]).items()},
            "ldnoobw_terms": len(terms),
            "ldnoobw": {k: _round(v) for k, v in rates(labels, listed, 0.5).items()},
            "model_or_ldnoobw": {k: _round(v) for k, v in rates(labels, either, thresholds["*"]).items()},
        }
    return report


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--weights-dir", type=Path, default=WEIGHTS_DIR)
    parser.add_argument("--seed", type=int, default=SPLIT_SEED)
    parser.add_argument("--c", type=float, default=DEFAULT_C)
    parser.add_argument("--ngram-max", type=int, default=DEFAULT_VECTORIZER["ngram_range"][1])
    parser.add_argument("--n-features-log2", type=int, default=19)
    parser.add_argument("--per-language", default="", help="comma-separated languages that get their own head")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    params = {**DEFAULT_VECTORIZER, "ngram_range": [1, args.ngram_max], "n_features": 2**args.n_features_log2}
    per_language = [lang for lang in args.per_language.split(",") if lang]
    meta = train_multilingual_model(args.data_dir, args.weights_dir, args.seed, params, args.c, per_language)
    keys = ("version", "thresholds", "validation", "training", "artifact_bytes")
    print(json.dumps({key: meta[key] for key in keys}, indent=1))


if __name__ == "__main__":
    main()

