"""Queue mode: the API hands texts to RQ on Redis; `flask moderation worker` (engagement.jobs) scores them."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

QUEUE_NAME = "moderation"
# Named by path: the queue is below the jobs, which call services.
JOB_FUNCTION = "engagement.jobs.score_queued_text"


class ModerationQueue:
    def __init__(self, redis_url: str, job_timeout: int = 120):
        # Only queue mode needs Redis and RQ; inline processes never import them.
        from redis import Redis
        from rq import Queue

        self.redis = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)
        self.queue = Queue(QUEUE_NAME, connection=self.redis, default_timeout=job_timeout)

    def enqueue(self, kind: str, item_id: int) -> bool:
        """Hand one text to the workers. If Redis is down the text stays held and the sweeper retries it."""
        from rq import Retry  # queue mode only, as above

        try:
            self.queue.enqueue(
                JOB_FUNCTION,
                kind,
                item_id,
                retry=Retry(max=3, interval=[5, 30, 120]),
                job_id=None,
                failure_ttl=7 * 24 * 3600,
            )
        except Exception:
            logger.exception("could not enqueue %s %s for scoring; it stays held until a worker sweeps it", kind, item_id)
            return False
        return True

    def depth(self) -> int:
        try:
            return self.queue.count
        except Exception:
            return -1

    def live_workers(self) -> int:
        """Workers listening on the queue now, or -1 if Redis cannot say.

        RQ lists a worker in a set until it is cleaned, but the worker's own key expires when its
        heartbeat stops (a killed process); only workers whose key still exists are counted.
        """
        from rq import Worker  # queue mode only, as above

        try:
            keys = Worker.all_keys(queue=self.queue)
            if not keys:
                return 0
            return int(self.redis.exists(*keys))
        except Exception:
            return -1
