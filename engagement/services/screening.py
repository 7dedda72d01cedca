"""Screening user text before anyone else sees it, for every kind of text: comments, quotes, reward messages.

The moderation pipeline (engagement.moderation) decides; this module gives it what only the database knows:
the author's history (approved and rejected texts, the same text posted again) and the admins' word lists.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, select

from engagement.auth import Actor
from engagement.extensions import db
from engagement.models import MODERATED_KINDS, Comment, ModeratedText, Repost, Reward, User
from engagement.models._types import utcnow
from engagement.moderation.moderator import ModerationResult, fingerprint, get_moderator, prepare_input
from engagement.moderation.pipeline import STAFF_ROLES, AuthorHistory, ModelScores, ScreeningInput
from engagement.observability import record_moderation
from engagement.services.audit import record_audit
from engagement.services.statuses import set_status
from engagement.services.wordlists import current_word_lists
from engagement.vocabulary import ModerationReason, ModerationStatus

logger = logging.getLogger(__name__)

# Who wrote a text, per kind: the history the pipeline reads is kept per author.
AUTHOR_COLUMNS = {"comment": Comment.author_id, "repost": Repost.user_id, "reward": Reward.from_user_id}


@dataclass(frozen=True)
class ScoredText:
    """A text with the models' scores, computed before the request's first query (see ``score_text``)."""

    item: ScreeningInput
    scores: ModelScores | None


def score_text(text: str | None) -> ScoredText | None:
    """Inline mode: the models score now. Touches no database, so on SQLite a request scores before it takes
    the write lock. Queue mode scores later, in a worker. No text (an optional message left out): None."""
    if text is None:
        return None
    moderator = get_moderator()
    item = prepare_input(text)
    if moderator.mode == "queue":
        return ScoredText(item, None)
    return ScoredText(item, moderator.score_inline(item.text, item.normalized, item.language))


def decide_text(
    kind: str, scored: ScoredText | None, actor: Actor, article_id: str, exclude_id: int | None = None
) -> ModerationResult:
    """Run the pipeline on a scored text with its context: the author's history and the word lists.

    ``exclude_id``: the text's own row when it is an edit, so it is not its own repeat.
    """
    if scored is None:
        return ModerationResult(ModerationStatus.PUBLISHED, reason=ModerationReason.NO_TEXT)
    text_fingerprint = fingerprint(scored.item.normalized)
    if scored.scores is None:
        return ModerationResult(
            ModerationStatus.PENDING_REVIEW,
            reason=ModerationReason.QUEUED,
            fingerprint=text_fingerprint,
            language=scored.item.language,  # identified in the API process, so ?lang= finds it before a worker
        )
    item = screening_input(kind, scored.item, actor.user_id, actor.role.value, article_id, exclude_id)
    return record_moderation(get_moderator().screen(item, scored.scores))


def screen_text(
    kind: str, text: str | None, actor: Actor, article_id: str, exclude_id: int | None = None
) -> ModerationResult:
    """Score and decide in one step, where no write lock is held yet or one is needed anyway."""
    return decide_text(kind, score_text(text), actor, article_id, exclude_id)


def screening_input(
    kind: str, item: ScreeningInput, user_id: str, role: str, article_id: str, exclude_id: int | None = None
) -> ScreeningInput:
    history = author_history(kind, user_id, role, fingerprint(item.normalized), article_id, exclude_id)
    return ScreeningInput(
        text=item.text,
        normalized=item.normalized,
        kind=kind,
        author=history,
        article_id=article_id,
        language=item.language,
        word_lists=current_word_lists(),
    )


def _count(query: Select[Any], at_most: int):
    """How many rows, counting no further than ``at_most`` (a prolific author costs no more than a new one),
    as a scalar subquery: author_history sends its four counts in one statement."""
    return select(func.count()).select_from(query.limit(max(at_most, 1)).subquery()).scalar_subquery()


def author_history(
    kind: str, user_id: str, role: str, text_fingerprint: str, article_id: str, exclude_id: int | None = None
) -> AuthorHistory:
    """What the pipeline's history phases need: four small indexed counts in one statement. Staff skip them."""
    if role in STAFF_ROLES:
        return AuthorHistory(user_id=user_id, role=role)
    config = current_app.config
    now = utcnow()
    # Trust is earned by comments: approved by a moderator, or published long enough without being taken down.
    trusted_since = now - timedelta(hours=config["MODERATION_TRUSTED_AGE_HOURS"])
    approved = _count(
        select(Comment.id).where(
            Comment.author_id == user_id,
            Comment.status == ModerationStatus.PUBLISHED,
            Comment.deleted_at.is_(None),
            Comment.decided_by_id.is_not(None) | (Comment.created_at < trusted_since),
        ),
        max(config["MODERATION_TRUSTED_AFTER"], config["MODERATION_NEW_COMMENTER_APPROVALS"]),
    )
    rejected = _count(
        select(Comment.id).where(
            Comment.author_id == user_id,
            Comment.status == ModerationStatus.REJECTED,
            Comment.created_at >= now - timedelta(hours=config["MODERATION_HISTORY_WINDOW_HOURS"]),
        ),
        config["MODERATION_HISTORY_MAX_REJECTIONS"],
    )
    model = MODERATED_KINDS[kind]
    author = AUTHOR_COLUMNS[kind]
    same_text = select(model.id).where(
        model.text_fingerprint == text_fingerprint,
        model.created_at >= now - timedelta(minutes=config["MODERATION_REPEAT_WINDOW_MINUTES"]),
    )
    if exclude_id is not None:
        same_text = same_text.where(model.id != exclude_id)
    if model is Repost:
        # One repost per user and article, changed in place: only other articles' quotes are repeats.
        same_text = same_text.where(Repost.article_id != article_id)
    by_author = _count(same_text.where(author == user_id), config["MODERATION_REPEAT_MAX"])
    others = _count(
        select(author).where(author != user_id, model.id.in_(same_text)).distinct(), config["MODERATION_FLOOD_AUTHORS"]
    )
    counts = db.session.execute(select(approved, rejected, by_author, others)).one()
    return AuthorHistory(
        user_id=user_id,
        role=role,
        approved_count=counts[0] or 0,
        recent_rejections=counts[1] or 0,
        repeats_by_author=counts[2] or 0,
        repeats_by_others=counts[3] or 0,
    )


def store_result(item: ModeratedText, result: ModerationResult) -> None:
    item.moderation_scores = result.scores
    item.moderation_labels = result.labels
    item.moderation_model = result.model
    item.moderation_model_version = result.model_version
    item.moderation_reason = result.reason
    item.moderation_phase = result.phase
    item.moderation_details = result.details
    item.moderation_language = result.language
    if result.fingerprint is not None:
        item.text_fingerprint = result.fingerprint
    item.scored_at = utcnow() if result.scores is not None else None
    item.decided_by_id = None


def record_automatic_decision(kind: str, item: Any, result: ModerationResult, from_status: str | None) -> None:
    record_audit(
        f"auto_{result.status}",
        kind,
        item.id,
        from_status=from_status,
        to_status=result.status,
        reason=result.reason,
        details={
            "labels": result.labels,
            "phase": result.phase,
            "matched": (result.details or {}).get("matched"),
            "model": result.model,
            "model_version": result.model_version,
        },
    )


def after_screening(kind: str, item: Any, result: ModerationResult, from_status: str | None) -> None:
    """Log the automatic decision and, in queue mode, hand the text to the workers once committed."""
    if result.reason == ModerationReason.NO_TEXT:
        return
    record_automatic_decision(kind, item, result, from_status)
    if result.reason == ModerationReason.QUEUED:
        # Jobs carry ids, never ORM objects, and are enqueued only once the row is committed.
        queue = get_moderator().queue
        db.session.info.setdefault("after_commit", []).append(partial(queue.enqueue, kind, item.id))


def screening_inputs_for(kind: str, items: list[ModeratedText]) -> list[ScreeningInput]:
    """Stored texts with their authors' current history: for queue workers and rescores."""
    author = AUTHOR_COLUMNS[kind]
    author_ids = {getattr(item, author.key) for item in items}
    roles = dict(db.session.execute(select(User.id, User.role).where(User.id.in_(author_ids))).all())
    inputs = []
    for item in items:
        user_id = getattr(item, author.key)
        prepared = prepare_input(item.moderated_text or "")
        inputs.append(screening_input(kind, prepared, user_id, roles.get(user_id, "user"), item.article_id, item.id))
    return inputs


def _waiting_for_worker(model):
    return (model.status == ModerationStatus.PENDING_REVIEW) & (model.moderation_reason == ModerationReason.QUEUED)


def _queued(model):
    return select(model).where(_waiting_for_worker(model))


def score_queued_texts(kind: str, item_id: int, batch_size: int = 32) -> int:
    """Worker side of queue mode: screen up to ``batch_size`` waiting texts of one kind through the pipeline.

    Idempotent: a text already scored is skipped, so duplicate or retried jobs do no harm. Rows are
    locked with SKIP LOCKED where the database has it, so several workers never score the same text.
    Raises when the model fails, so RQ retries the job; the texts stay held meanwhile. The job commits.
    """
    model = MODERATED_KINDS[kind]
    # The job's own text first, then the oldest others that are waiting.
    first = db.session.scalars(_queued(model).where(model.id == item_id).with_for_update(skip_locked=True)).all()
    others = db.session.scalars(
        _queued(model).where(model.id != item_id).order_by(model.id).limit(max(0, batch_size - len(first))).with_for_update(skip_locked=True)
    ).all()
    items = [*first, *others]
    if not items:
        return 0
    results = get_moderator().moderate_batch(screening_inputs_for(kind, items))
    for item, result in zip(items, results, strict=True):
        record_moderation(result)
        store_result(item, result)
        set_status(item, result.status)
        record_automatic_decision(kind, item, result, ModerationStatus.PENDING_REVIEW)
    return len(items)


def requeue_stale_texts(older_than_seconds: int) -> int:
    """Enqueue again every text still waiting after ``older_than_seconds``: its job was lost or its worker died."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    queue = get_moderator().queue
    count = 0
    for kind, model in MODERATED_KINDS.items():
        ids = db.session.scalars(select(model.id).where(_waiting_for_worker(model), model.created_at < cutoff)).all()
        for item_id in ids:
            count += int(queue.enqueue(kind, item_id))
    return count
