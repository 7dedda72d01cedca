"""Web worker memory and post latency: the model in every worker (inline) or in one scoring process (process).

Starts gunicorn with gunicorn.conf.py on loopback twice (2 workers x 4 threads, a migrated SQLite file each),
posts comments one at a time and then from 8 threads, and prints per mode: each worker's and the scoring
process's resident memory (VmRSS) after the posts, the median and 95th percentile of one post alone, and posts/s
from 8 threads. Usage: .venv/bin/python bench/scoring_process.py [--posts 40] [--modes inline,process,process:2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.production.conftest import gunicorn_server, migrate_sqlite  # noqa: E402
from tests.production.test_scoring_process import children, rss_mb, scoring_pid  # noqa: E402

COMMENTS = [
    "Thanks for the clear explanation of the budget, this helped a lot.",
    "I disagree with the author: the numbers in the second chart do not add up.",
    "You are an idiot and so is everyone who voted for this.",
    "Could you add a source for the unemployment figure?",
]


def run(mode: str, posts: int, threads: int) -> dict[str, str]:
    with tempfile.TemporaryDirectory(prefix="scoring-bench-") as raw:
        directory = Path(raw)
        url = migrate_sqlite(directory / "engagement.db", directory)
        settings = {
            "ENGAGEMENT_DATABASE_URL": url,
            "ENGAGEMENT_RATELIMIT_ENABLED": "false",
            "ENGAGEMENT_MODERATION_SCORING": mode,
            "ENGAGEMENT_MODERATION_THREADS": str(threads),
        }
        with gunicorn_server(directory, settings, workers=2, threads=4) as server:
            article = {"title": "Bench", "url": "https://news.example/bench", "author_id": "author-1"}
            server.request("PUT", "/api/v1/articles/bench", article, user="root", role="admin")

            def post(number: int) -> float:
                began = time.perf_counter()
                body = {"body": f"{COMMENTS[number % len(COMMENTS)]} ({number})"}
                answer = server.request("POST", "/api/v1/articles/bench/comments", body, user=f"user{number}")
                assert answer.status == 201, answer
                return (time.perf_counter() - began) * 1000

            alone = sorted(post(number) for number in range(posts))
            began = time.perf_counter()
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(post, range(posts, posts + 2 * posts)))
            rate = 2 * posts / (time.perf_counter() - began)
            scorer = scoring_pid(server)
            workers = [pid for pid in children(server.process.pid) if pid != scorer]
            return {
                "mode": f"{mode}, {threads} model thread(s)",
                "worker RSS MB": " ".join(f"{rss_mb(pid):.0f}" for pid in workers),
                "scorer RSS MB": f"{rss_mb(scorer):.0f}" if scorer else "-",
                "post p50 ms": f"{statistics.median(alone):.1f}",
                "post p95 ms": f"{alone[int(len(alone) * 0.95) - 1]:.1f}",
                "posts/s (8 threads)": f"{rate:.1f}",
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=40)
    parser.add_argument("--modes", default="inline,process", help="e.g. process:2 for 2 ONNX Runtime threads")
    args = parser.parse_args()
    rows = []
    for item in args.modes.split(","):
        mode, _, threads = item.partition(":")
        rows.append(run(mode, args.posts, int(threads or 1)))
    columns = list(rows[0])
    widths = [max(len(column), *(len(row[column]) for row in rows)) for column in columns]
    print(" | ".join(column.ljust(width) for column, width in zip(columns, widths, strict=True)))
    for row in rows:
        print(" | ".join(row[column].ljust(width) for column, width in zip(columns, widths, strict=True)))


if __name__ == "__main__":
    main()
