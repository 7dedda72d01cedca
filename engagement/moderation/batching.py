"""Collects concurrent scoring requests into batches for the model: in one process (inline), or from every web
worker's connection in the scoring process (scoring_server.CrossClientBatcher)."""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from engagement.moderation.scoring import Scorer

logger = logging.getLogger(__name__)


@dataclass
class ScoringJob:
    """One caller's texts; ``client`` tells the callers of the scoring process apart (0 inline)."""

    texts: list[str]
    client: int = 0
    future: Future[list[dict[str, float]]] = field(default_factory=Future)


class BatchingScorer:
    """Wraps a scorer: callers hand in texts, a single worker thread scores what has gathered.

    The first job waits at most ``max_wait_s`` for company, and only while ``company_expected`` says more could
    come; inline that is ``busy()`` (the requests the process is serving) exceeding the jobs gathered, so a sync
    worker, serving one request at a time, never waits. A job that would overflow ``max_batch`` texts opens the
    next batch. The thread starts lazily and restarts after a fork, since threads do not survive one.
    """

    def __init__(
        self, scorer: Scorer, max_wait_s: float = 0.005, max_batch: int = 32, busy: Callable[[], int] | None = None
    ):
        self.scorer = scorer
        self.max_wait_s = max(0.0, max_wait_s)
        self.max_batch = max(1, max_batch)
        self._busy = busy
        self._queue: queue.Queue[ScoringJob] = queue.Queue()
        self._carry: ScoringJob | None = None
        self._lock = threading.Lock()
        self._owner_pid: int | None = None
        self.batches_scored = 0
        self.texts_scored = 0

    def score_one(self, text: str, timeout: float = 30.0) -> dict[str, float]:
        """Wait for this text's scores; the worker thread scores it together with the others waiting."""
        return self.submit(ScoringJob([text])).result(timeout=timeout)[0]

    def submit(self, job: ScoringJob) -> Future[list[dict[str, float]]]:
        self._ensure_worker()
        self._queue.put(job)
        return job.future

    def company_expected(self, batch: list[ScoringJob]) -> bool:
        return self._busy is None or len(batch) < self._busy()

    def _ensure_worker(self) -> None:
        if self._owner_pid == os.getpid():
            return
        with self._lock:
            if self._owner_pid == os.getpid():
                return
            self._queue = queue.Queue()
            self._carry = None
            threading.Thread(target=self._run, name="moderation-batcher", daemon=True).start()
            self._owner_pid = os.getpid()

    def _next(self, timeout: float | None) -> ScoringJob | None:
        if self._carry is not None:
            job, self._carry = self._carry, None
            return job
        try:
            return self._queue.get(timeout=timeout) if timeout is None or timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            return None

    def _run(self) -> None:
        while True:
            first = self._next(None)
            assert first is not None
            batch, count = [first], len(first.texts)
            deadline = time.monotonic() + self.max_wait_s
            while count < self.max_batch:
                job = self._next(0)
                if job is None and self.company_expected(batch):
                    job = self._next(deadline - time.monotonic())
                if job is None:
                    break
                if count + len(job.texts) > self.max_batch:
                    self._carry = job  # first in the next batch
                    break
                batch.append(job)
                count += len(job.texts)
            self._score_batch(batch)

    def _score_batch(self, batch: list[ScoringJob]) -> None:
        texts = [text for job in batch for text in job.texts]
        try:
            results = self.scorer.score(texts)
        except Exception as error:  # the callers decide what a failed score means
            logger.exception("moderation model failed on a batch of %d", len(texts))
            for job in batch:
                job.future.set_exception(error)
            return
        self.batches_scored += 1
        self.texts_scored += len(texts)
        start = 0
        for job in batch:
            job.future.set_result(results[start : start + len(job.texts)])
            start += len(job.texts)
