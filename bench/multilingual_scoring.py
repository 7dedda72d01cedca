"""What language identification plus the multilingual toxicity model add per comment, and what the model does.

    OMP_NUM_THREADS=1 .venv/bin/python bench/multilingual_scoring.py [--comments 600]

Prints: load time and resident memory added by each part; single-comment cost (median, p99) of
detect_language, of MultilingualScorer.score and of both, single-threaded, on short comments of every language;
then the validation figures recorded in weights/multilingual-toxicity.json (ROC-AUC, share of offensive
comments not published and of benign ones published at each language's threshold) and the transfer table for
languages without training data (hand-written comments, the model at the pooled threshold, the LDNOOBW lists).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from language_id import rss_mb, samples  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=100, help="per language with labeled data")
    args = parser.parse_args()

    base = rss_mb()
    started = time.perf_counter()
    from engagement.moderation.language import detect_language, load_detector

    load_detector()
    lang_load, lang_rss = time.perf_counter() - started, rss_mb() - base
    base = rss_mb()
    started = time.perf_counter()
    from engagement.moderation.multilingual import get_multilingual_scorer

    scorer = get_multilingual_scorer()
    model_load, model_rss = time.perf_counter() - started, rss_mb() - base

    texts = [text for _, text in samples(args.comments)]
    for text in texts[:20]:  # warm caches
        scorer.score([text], [detect_language(text)[0]])
    detect_ms, score_ms, both_ms = [], [], []
    for text in texts:
        t0 = time.perf_counter_ns()
        lang, _ = detect_language(text)
        t1 = time.perf_counter_ns()
        scorer.score([text], [lang])
        t2 = time.perf_counter_ns()
        detect_ms.append((t1 - t0) / 1e6)
        score_ms.append((t2 - t1) / 1e6)
        both_ms.append((t2 - t0) / 1e6)
    # As the pipeline runs it: prepare_input's identify_language, then the model only for its languages.
    from engagement.moderation.language import identify_language
    from engagement.moderation.multilingual import MULTILINGUAL, route_language

    pipeline_ms = []
    for text in texts:
        t0 = time.perf_counter_ns()
        lang = identify_language(text)
        if route_language(lang) == MULTILINGUAL:
            scorer.score([text], [lang])
        pipeline_ms.append((time.perf_counter_ns() - t0) / 1e6)
    batch = texts[:256]
    t0 = time.perf_counter()
    scorer.score(batch, [None] * len(batch))
    per_batch = (time.perf_counter() - t0) / len(batch) * 1000

    print(f"comments measured: {len(texts)} (5-200 characters, 14 languages), one thread;")
    print("RSS includes the imports (numpy, mmh3)")
    print(f"{'part':28} {'load s':>7} {'RSS MB':>7} {'median ms':>10} {'p99 ms':>8}")
    for part, load, rss, timings in (
        ("detect_language (py3langid)", f"{lang_load:7.2f}", f"{lang_rss:7.1f}", detect_ms),
        ("multilingual score", f"{model_load:7.2f}", f"{model_rss:7.1f}", score_ms),
        ("both, per comment", " " * 7, " " * 7, both_ms),
        ("pipeline: identify + routed", " " * 7, " " * 7, pipeline_ms),
    ):
        print(f"{part:28} {load} {rss} {statistics.median(timings):10.3f} {percentile(timings, 0.99):8.3f}")
    print(f"multilingual score in a batch of {len(batch)}: {per_batch:.3f} ms per comment")

    meta = scorer.meta
    print(f"\nmodel {meta['version']}, {meta['artifact_bytes'] / 1e6:.2f} MB, fit {meta['training']['fit_seconds']} s")
    print(f"{'lang':5} {'rows':>6} {'offens':>6} {'ROC-AUC':>8} {'thresh':>7} {'caught':>7} {'kept':>6}")
    for lang, row in meta["validation"].items():
        print(
            f"{lang:5} {row['rows']:6} {row['offensive']:6} {row['roc_auc']:8.3f} {meta['thresholds'][lang]:7.3f}"
            f" {row['caught']:7.3f} {row['kept']:6.3f}"
        )
    print("\nlanguages without data, hand-written comments (8 offensive + 8 benign each),")
    print(f"model at the pooled threshold {meta['thresholds']['*']:.3f}")
    print(f"{'lang':5} {'AUC':>6} {'model caught/kept':>18} {'LDNOOBW caught/kept':>20} {'either caught/kept':>19}")
    for lang, row in meta["transfer_handwritten"].items():
        def pair(key: str) -> str:
            return f"{row[key]['caught']:.2f}/{row[key]['kept']:.2f}"

        pairs = f"{pair('model'):>18} {pair('ldnoobw'):>20} {pair('model_or_ldnoobw'):>19}"
        print(f"{lang:5} {row['roc_auc']:6.3f} {pairs}")
    medians = {"detect_median_ms": statistics.median(detect_ms), "score_median_ms": statistics.median(score_ms)}
    print(json.dumps(medians))


if __name__ == "__main__":
    main()
