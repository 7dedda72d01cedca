"""The inline batcher's waiting policy (a fake scorer that records its batches: this is about batching, not scores)."""

from __future__ import annotations

import threading
import time

from engagement.moderation.batching import BatchingScorer


class FakeRecordingScorer:
    name = "fake-recording"
    version = "1"
    labels = ("toxicity",)

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def score(self, texts):
        self.batches.append(list(texts))
        return [{"toxicity": 0.0} for _ in texts]


def test_a_lone_request_is_scored_without_waiting_for_company():
    scorer = FakeRecordingScorer()
    # A 30 s window: were it waited, the call below could not come back before the 10 s bound.
    batcher = BatchingScorer(scorer, max_wait_s=30.0, busy=lambda: 1)
    started = time.monotonic()
    assert batcher.score_one("hello") == {"toxicity": 0.0}
    assert time.monotonic() - started < 10
    assert scorer.batches == [["hello"]]


def test_concurrent_requests_of_a_busy_process_share_one_batch():
    scorer = FakeRecordingScorer()
    in_flight = 3
    batcher = BatchingScorer(scorer, max_wait_s=30.0, busy=lambda: in_flight)
    results: dict[str, dict[str, float]] = {}

    def post(text: str) -> None:
        results[text] = batcher.score_one(text)

    threads = [threading.Thread(target=post, args=(f"text {i}",)) for i in range(in_flight)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(results) == ["text 0", "text 1", "text 2"]
    # the first text waited for the other two requests in flight, and no longer: three texts, one batch
    assert [sorted(batch) for batch in scorer.batches] == [["text 0", "text 1", "text 2"]]


def test_without_a_request_count_the_first_text_waits_the_window():
    scorer = FakeRecordingScorer()
    batcher = BatchingScorer(scorer, max_wait_s=0.3)
    started = time.monotonic()
    batcher.score_one("alone")
    assert time.monotonic() - started >= 0.3
    assert scorer.batches == [["alone"]]
