"""Background jobs and the queue-mode worker that runs them (`flask moderation worker`).

Jobs receive ids, never ORM objects, and own their transaction: the services they call never commit.
RQ rather than Celery: one dependency on Redis, which the rate limiter already uses; jobs are plain
functions; and ``SimpleWorker`` runs them in the worker's own process, where the model is already loaded
(a forked work horse would inherit torch's thread pools, which do not survive a fork).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid

from flask import Flask, current_app

from engagement.extensions import db
from engagement.services.screening import requeue_stale_texts, score_queued_texts

logger = logging.getLogger(__name__)


def score_queued_text(kind: str, item_id: int) -> int:
    """Score the given text and, in the same model batch, other texts still waiting; returns how many."""
    scored = score_queued_texts(kind, item_id, current_app.config["MODERATION_MAX_BATCH"])
    db.session.commit()  # also when nothing was scored: ends the transaction and its row locks
    if scored:
        logger.info("scored %d queued %s text(s)", scored, kind)
    return scored


def run_worker(app: Flask, burst: bool = False, sweep_after: int = 60, max_jobs_per_round: int = 500) -> None:
    """Work until stopped (or, with ``burst``, until the queue is empty).

    Between rounds it sweeps: texts still waiting after ``sweep_after`` seconds are enqueued again, so a
    job lost with a dead worker or a Redis restart is scored anyway; jobs are idempotent.
    """
    from rq import SimpleWorker  # queue mode only: inline processes never import RQ

    moderator = app.extensions["engagement"]
    if moderator.queue is None:
        raise SystemExit("ENGAGEMENT_MODERATION_MODE is not 'queue': there is nothing for a worker to do.")
    moderator.load()
    logger.info("moderation worker ready: model %s (%s)", moderator.scorer.name, moderator.scorer.version)
    while True:
        with app.app_context():
            requeued = requeue_stale_texts(sweep_after)
            db.session.rollback()  # the sweep only read: end its transaction before the worker waits
            if requeued:
                logger.warning("re-enqueued %d text(s) waiting over %ss", requeued, sweep_after)
        name = f"moderation-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        worker = SimpleWorker([moderator.queue.queue], connection=moderator.queue.redis, name=name)
        with app.app_context():
            worker.work(
                burst=burst,
                max_jobs=max_jobs_per_round,
                max_idle_time=None if burst else sweep_after,
                with_scheduler=not burst,  # runs the delayed retries of failed jobs
                logging_level="WARNING",
            )
        if burst:
            return
