"""Background jobs run by `flask moderation worker`. They receive ids, never ORM objects."""

from __future__ import annotations

import logging

from flask import current_app

from engagement.services.screening import score_queued_texts

logger = logging.getLogger(__name__)


def score_queued_text(kind: str, item_id: int) -> int:
    """Score the given text and, in the same model batch, other texts still waiting; returns how many."""
    return score_queued_texts(kind, item_id, current_app.config["MODERATION_MAX_BATCH"])
