"""Inline moderation: what batching concurrent requests in one process buys, measured in one run.

Scores the same comments three ways with the configured model (default: the embedded one):
  1. one at a time (no concurrency),
  2. from N threads with batching off (max batch 1: each request scores alone, in turn),
  3. from N threads with batching on (the default: a few ms' wait gathers a batch).
Prints comments/s for each and the ratios. Usage: .venv/bin/python bench/inline_batching.py [--threads 16] [--comments 256]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from engagement import create_app

SAMPLES = [
    "Thanks for the clear explanation of the budget, this helped a lot.",
    "I disagree with the author: the numbers in the second chart do not add up.",
    "You are an idiot and so is everyone who voted for this.",
    "Great reporting as always. Looking forward to the follow-up piece.",
    "Shut up, nobody cares about your stupid opinion.",
    "Could you add a source for the unemployment figure?",
    "This city council is a joke, honestly.",
    "Finally someone says it out loud. Well written.",
]


def run(moderator, comments: list[str], threads: int) -> tuple[float, list[float]]:
    latencies: list[float] = []

    def one(text: str) -> None:
        started = time.perf_counter()
        moderator.moderate(text)
        latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    if threads == 1:
        for text in comments:
            one(text)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(one, comments))
    return len(comments) / (time.perf_counter() - started), latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--comments", type=int, default=256)
    args = parser.parse_args()
    comments = [f"{SAMPLES[i % len(SAMPLES)]} ({i})" for i in range(args.comments)]
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db"})
        moderator = app.extensions["engagement"]
        moderator.moderate("warm up")
        batcher = moderator.batcher
        print(f"model {moderator.scorer.name} ({moderator.scorer.version}), {args.comments} comments, {args.threads} threads")
        results = {}
        for name, threads, max_batch in (("sequential", 1, 1), ("threads, no batching", args.threads, 1), ("threads, batching", args.threads, 32)):
            batcher.max_batch = max_batch
            batches_before = batcher.batches_scored
            rate, latencies = run(moderator, comments, threads)
            batches = batcher.batches_scored - batches_before
            results[name] = rate
            print(
                f"{name:<22} {rate:8.1f} comments/s   latency p50 {statistics.median(latencies):7.1f} ms"
                f"  p95 {sorted(latencies)[int(len(latencies) * 0.95) - 1]:7.1f} ms   mean batch {args.comments / batches:5.1f}"
            )
        print(f"batching vs no batching (same threads): x{results['threads, batching'] / results['threads, no batching']:.2f}")
        print(f"batching vs sequential:                 x{results['threads, batching'] / results['sequential']:.2f}")


if __name__ == "__main__":
    main()
