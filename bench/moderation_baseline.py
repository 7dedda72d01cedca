"""Compare the embedded model with alt-profanity-check on the training's validation split.

    .venv/bin/python bench/moderation_baseline.py [--data-dir ../shared/data] [--instance-dir instance]

Both scorers see the same normalized text and are measured by the same `evaluate`; the baseline
gives one probability, reported as toxicity, with thresholds chosen by the same rule the training
uses (hold at 90% validation recall, reject at 97% precision overall and on OLID).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import torch

from engagement.moderation.embedded import ensure_embedded_checkpoint, load_embedded_model
from engagement.moderation.normalize import normalize_for_scoring
from engagement.moderation.training.datasets import default_data_dir, load_rows, split_rows
from engagement.moderation.training.evaluation import (
    ScoreTexts,
    evaluate,
    format_report,
    threshold_for_precision,
    threshold_for_recall,
)
from engagement.moderation.training.train import HOLD_RECALL_TARGETS, REJECT_PRECISION_TARGET

logger = logging.getLogger(__name__)


def embedded_scorer(instance_dir: Path) -> tuple[ScoreTexts, dict[str, float], float | None]:
    """The embedded model through Detoxify, with the thresholds recorded at training."""
    from engagement.moderation.embedded import read_model_meta

    checkpoint = ensure_embedded_checkpoint(instance_dir)
    detoxify = load_embedded_model(checkpoint)

    def score(texts: list[str]) -> list[dict[str, float]]:
        raw = detoxify.predict([normalize_for_scoring(text) for text in texts])
        columns = {label: values if isinstance(values, list) else [values] for label, values in raw.items()}
        return [{label: columns[label][i] for label in columns} for i in range(len(texts))]

    return score, checkpoint.thresholds, read_model_meta().get("reject_threshold")


def profanity_check_scorer() -> ScoreTexts:
    from profanity_check import predict_prob

    def score(texts: list[str]) -> list[dict[str, float]]:
        probabilities = predict_prob([normalize_for_scoring(text) for text in texts])
        return [{"toxicity": float(p)} for p in probabilities]

    return score


def baseline_thresholds(score: ScoreTexts, rows: list[dict]) -> tuple[dict[str, float], float | None]:
    """The training's threshold rule applied to the baseline's scores on the same rows."""
    scores = [s["toxicity"] for start in range(0, len(rows), 256) for s in score([r["text"] for r in rows[start : start + 256]])]
    labels = [r["toxicity"] for r in rows]
    hold = threshold_for_recall(labels, scores, HOLD_RECALL_TARGETS["toxicity"])
    olid = [(y, s) for y, s, r in zip(labels, scores, rows) if r["source"] == "olid"]
    reject = max(
        threshold_for_precision(labels, scores, REJECT_PRECISION_TARGET),
        threshold_for_precision([y for y, _ in olid], [s for _, s in olid], REJECT_PRECISION_TARGET),
    )
    return {"toxicity": round(hold, 4)}, round(reject, 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--instance-dir", type=Path, default=Path("instance"))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    torch.set_num_threads(args.threads)

    _, validation = split_rows(load_rows(args.data_dir or default_data_dir()))
    score, hold, reject = embedded_scorer(args.instance_dir)
    print(format_report(evaluate(score, validation, hold, reject), "embedded-minilm (validation split)"))
    baseline = profanity_check_scorer()
    hold, reject = baseline_thresholds(baseline, validation)
    print(format_report(evaluate(baseline, validation, hold, reject), "alt-profanity-check (validation split)"))


if __name__ == "__main__":
    main()
