"""The words moderation is recorded in: a text's status and the reason it has that status.

StrEnums, so what is stored, logged and sent as JSON is the plain string ("pending_review"). Imports
nothing from engagement: models, moderation (offline tooling included) and services all use it.
"""

from __future__ import annotations

import enum


class ModerationStatus(enum.StrEnum):
    """Whether others see a text: only while it is published."""

    PUBLISHED = "published"
    PENDING_REVIEW = "pending_review"
    REJECTED = "rejected"


class ModerationReason(enum.StrEnum):
    """Why a text has its status (``moderation_reason``; the audit log's reason for automatic decisions)."""

    # The model and the policy decided.
    MODEL_CLEAN = "model_clean"
    MODEL_HOLD = "model_hold"
    MODEL_REJECT = "model_reject"
    # Held because the model could not decide.
    MODEL_NOT_READY = "model_not_ready"
    MODEL_ERROR = "model_error"
    # Queue mode: held until a worker scores it.
    QUEUED = "queued"
    # Nothing to score (an optional message left empty).
    NO_TEXT = "no_text"
    # Held again after enough reports.
    REPORTED = "reported"
    # An edit of text a moderator rejected, or of text held by reports: a moderator decides again, whatever
    # the model says, so a trivial edit cannot undo a decision.
    EDITED_AFTER_MODERATOR_REJECT = "edited_after_moderator_reject"
    EDITED_WHILE_REPORTED = "edited_while_reported"
    # A moderator decided (f"moderator_{action}").
    MODERATOR_APPROVE = "moderator_approve"
    MODERATOR_REJECT = "moderator_reject"
    # The audit reason when a rescore publishes a held text.
    RESCORE = "rescore"
    # The pipeline's other phases (engagement.moderation.phases), each naming what it saw.
    STAFF = "staff"
    NEW_COMMENTER = "new_commenter"
    RECENT_REJECTIONS = "recent_rejections"
    REPEAT_POST = "repeat_post"
    FLOOD = "flood"
    BANNED_TERM = "banned_term"
    SUSPECT_TERM = "suspect_term"
    LINKS = "links"
    SPAM = "spam"
    # Written in a language no model here reads (ENGAGEMENT_UNCOVERED_LANGUAGE=hold): a human looks.
    UNCOVERED_LANGUAGE = "uncovered_language"
    THREAT = "threat"

    @classmethod
    def after_edit(cls, status: str, reason: str | None) -> ModerationReason | None:
        """Why an edit of a text with this status and reason must wait for a moderator; None if the model may
        decide. Sticky: an edit of an edit still waiting keeps its reason."""
        if status == ModerationStatus.PUBLISHED:
            return None
        if reason in (cls.MODERATOR_REJECT, cls.EDITED_AFTER_MODERATOR_REJECT):
            return cls.EDITED_AFTER_MODERATOR_REJECT
        if reason in (cls.REPORTED, cls.EDITED_WHILE_REPORTED):
            return cls.EDITED_WHILE_REPORTED
        return None

    @classmethod
    def by_moderator(cls, action: str) -> ModerationReason:
        return cls(f"moderator_{action}")
