"""Collects concurrent scoring requests in one process into batches for the model."""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future

from engagement.moderation.scoring import Scorer

logger = logging.getLogger(__name__)


class BatchingScorer:
    """Wraps a scorer: each caller hands in one text, a single worker thread scores what has gathered.

    The first text waits at most ``max_wait_s`` for company, and only while ``busy()`` (the requests the
    process is serving) says more texts could come: a sync worker, serving one request at a time, never
    waits. The thread starts lazily and restarts after a fork, since threads do not survive one.
    """

    def __init__(
        self, scorer: Scorer, max_wait_s: float = 0.005, max_batch: int = 32, busy: Callable[[], int] | None = None
    ):
        self.scorer = scorer
        self.max_wait_s = max_wait_s
        self.max_batch = max_batch
        self._busy = busy
        self._queue: queue.Queue[tuple[str, Future[dict[str, float]]]] = queue.Queue()
        self._lock = threading.Lock()
        self._owner_pid: int | None = None
        self.batches_scored = 0

    def score_one(self, text: str, timeout: float = 30.0) -> dict[str, float]:
        """Wait for this text's scores; the worker thread scores it together with the others waiting."""
        self._ensure_worker()
        future: Future[dict[str, float]] = Future()
        self._queue.put((text, future))
        return future.result(timeout=timeout)

    def _ensure_worker(self) -> None:
        if self._owner_pid == os.getpid():
            return
        with self._lock:
            if self._owner_pid == os.getpid():
                return
            self._queue = queue.Queue()
            threading.Thread(target=self._run, name="moderation-batcher", daemon=True).start()
            self._owner_pid = os.getpid()

    def _run(self) -> None:
        pending = self._queue
        while True:
            batch = [pending.get()]
            deadline = time.monotonic() + self.max_wait_s
            while len(batch) < self.max_batch and (self._busy is None or len(batch) < self._busy()):
                remaining = deadline - time.monotonic()
                try:
                    batch.append(pending.get(timeout=remaining) if remaining > 0 else pending.get_nowait())
                except queue.Empty:
                    break
            self._score_batch(batch)

    def _score_batch(self, batch: list[tuple[str, Future[dict[str, float]]]]) -> None:
        try:
            results = self.scorer.score([text for text, _ in batch])
        except Exception as error:  # the callers decide what a failed score means
            logger.exception("moderation model failed on a batch of %d", len(batch))
            for _, future in batch:
                future.set_exception(error)
            return
        self.batches_scored += 1
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)
