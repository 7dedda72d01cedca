"""The publication policy: scores in, a status and the labels that explain it out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engagement.config import DEFAULT_HOLD_THRESHOLDS

PUBLISHED = "published"
PENDING_REVIEW = "pending_review"
REJECTED = "rejected"
REJECT_LABEL = "toxicity"


@dataclass(frozen=True)
class ModerationPolicy:
    hold_thresholds: dict[str, float]
    reject_threshold: float | None = 0.95
    source: str = "defaults"

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
        return cls(hold_thresholds=thresholds, reject_threshold=settings.get("REJECT_THRESHOLD"), source=source)

    def decide(self, scores: Mapping[str, float]) -> "PolicyDecision":
        over_hold = sorted(
            label
            for label, score in scores.items()
            if label in self.hold_thresholds and score >= self.hold_thresholds[label]
        )
        if self.reject_threshold is not None and scores.get(REJECT_LABEL, 0.0) >= self.reject_threshold:
            return PolicyDecision(REJECTED, sorted(set(over_hold) | {REJECT_LABEL}), "model_reject")
        if over_hold:
            return PolicyDecision(PENDING_REVIEW, over_hold, "model_hold")
        return PolicyDecision(PUBLISHED, [], "model_clean")


@dataclass(frozen=True)
class PolicyDecision:
    status: str
    labels: list[str] = field(default_factory=list)
    reason: str = "model_clean"
