"""The publication policy: scores in, a status and the labels that explain it out."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engagement.config import DEFAULT_HOLD_THRESHOLDS
from engagement.vocabulary import ModerationReason, ModerationStatus

REJECT_LABEL = "toxicity"

# The training data has no threat labels, so the model cannot hold "I will find you and hurt you". Until it
# can, explicit violent intent against the reader is held for a moderator (never rejected) by these phrases,
# matched on the normalized text the model sees.
_VIOLENCE = r"(kill|hurt|shoot|stab|murder|beat|strangle|rape|burn|hunt|slit|behead|choke)"
THREAT_PHRASES = re.compile(
    r"\b(i|we)\s*(will|'ll|ll|am going to|are going to|'m going to|m going to|gonna|shall)\s+" + _VIOLENCE + r"\b"
    r"|\b" + _VIOLENCE + r"\s+(you|u|ya|your family|your kids)\b"
    r"|\bi\s*(will|'ll|ll)\s+find\s+(you|u|where you live)\b"
    r"|\byou\s+(will|'ll|should|deserve to|are going to)\s+die\b"
    r"|\bkys\b",
    re.IGNORECASE,
)
THREAT_LABEL = "threat"


def labels_over(scores: Mapping[str, float], thresholds: Mapping[str, float]) -> list[str]:
    """The labels whose score is at or above their hold threshold, sorted; labels without one never hold."""
    return sorted(label for label, limit in thresholds.items() if scores.get(label, 0.0) >= limit)


def reaches_reject(scores: Mapping[str, float], reject_threshold: float | None) -> bool:
    return reject_threshold is not None and scores.get(REJECT_LABEL, 0.0) >= reject_threshold


@dataclass(frozen=True)
class ModerationPolicy:
    hold_thresholds: dict[str, float]
    reject_threshold: float | None = 0.95
    source: str = "defaults"
    hold_threat_phrases: bool = True

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], model_thresholds: Mapping[str, float] | None = None):
        """Environment beats the model's own validated thresholds, which replace the documented defaults.

        A model that ships thresholds names the labels it can support; its other outputs never hold text.
        """
        thresholds = dict(DEFAULT_HOLD_THRESHOLDS)
        source = "defaults"
        if model_thresholds:
            thresholds = dict(model_thresholds)
            source = "model"
        if settings.get("HOLD_THRESHOLDS"):
            thresholds.update(settings["HOLD_THRESHOLDS"])
            source = "environment"
        return cls(
            hold_thresholds=thresholds,
            reject_threshold=settings.get("REJECT_THRESHOLD"),
            source=source,
            hold_threat_phrases=settings.get("MODERATION_THREAT_PHRASES", True),
        )

    def decide(self, scores: Mapping[str, float], text: str | None = None) -> "PolicyDecision":
        """``text`` (as normalized for scoring) lets the threat phrases hold what the model cannot see."""
        over_hold = labels_over(scores, self.hold_thresholds)
        if self.hold_threat_phrases and text and THREAT_PHRASES.search(text) and THREAT_LABEL not in over_hold:
            over_hold = sorted([*over_hold, THREAT_LABEL])
        if reaches_reject(scores, self.reject_threshold):
            return PolicyDecision(ModerationStatus.REJECTED, sorted(set(over_hold) | {REJECT_LABEL}), ModerationReason.MODEL_REJECT)
        if over_hold:
            return PolicyDecision(ModerationStatus.PENDING_REVIEW, over_hold, ModerationReason.MODEL_HOLD)
        return PolicyDecision(ModerationStatus.PUBLISHED, [], ModerationReason.MODEL_CLEAN)


@dataclass(frozen=True)
class PolicyDecision:
    status: ModerationStatus
    labels: list[str] = field(default_factory=list)
    reason: ModerationReason = ModerationReason.MODEL_CLEAN
