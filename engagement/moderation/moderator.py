"""The moderation runtime held on ``app.extensions["engagement"]``: model, policy and readiness."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from engagement.moderation.batching import BatchingScorer
from engagement.moderation.normalize import normalize_for_scoring
from engagement.moderation.policy import ModerationPolicy
from engagement.moderation.scoring import Scorer
from engagement.observability import observed_moderation
from engagement.vocabulary import ModerationReason, ModerationStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModerationResult:
    status: ModerationStatus
    labels: list[str] = field(default_factory=list)
    reason: ModerationReason = ModerationReason.MODEL_CLEAN
    scores: dict[str, float] | None = None
    model: str | None = None
    model_version: str | None = None
    latency_ms: float = 0.0


class Moderator:
    """Scores a text and applies the policy. Until the model is loaded, or when it fails, text is held."""

    def __init__(self, settings: dict[str, Any], load_scorer: Callable[[], Scorer]):
        self._settings = settings
        self._load_scorer = load_scorer
        self._batcher: BatchingScorer | None = None
        self.policy = ModerationPolicy.from_settings(settings)
        self.mode: str = settings.get("MODERATION_MODE", "inline")
        self.queue: Any = None  # a ModerationQueue in queue mode
        self.load_on_demand = False
        self.load_error: str | None = None
        self._loading = threading.Lock()

    @property
    def ready(self) -> bool:
        return self._batcher is not None

    def _loaded(self) -> BatchingScorer | None:
        # Command-line processes load on first use, so `flask token issue` never pays for the model.
        if self._batcher is None and self.load_on_demand:
            self.load()
        return self._batcher

    @property
    def scorer(self) -> Scorer:
        batcher = self._loaded()
        if batcher is None:
            raise RuntimeError(self.load_error or "moderation model not loaded yet")
        return batcher.scorer

    @property
    def batcher(self) -> BatchingScorer | None:
        """The inline batcher (its statistics and knobs); None until the model is loaded."""
        return self._loaded()

    def load(self) -> None:
        """Load the model now; raises ModelLoadError so start-up fails loudly."""
        with self._loading:
            if self._batcher is not None:
                return
            try:
                scorer = self._load_scorer()
            except Exception as error:
                self.load_error = str(error)
                raise
            self.policy = ModerationPolicy.from_settings(self._settings, getattr(scorer, "recommended_thresholds", None))
            self._batcher = BatchingScorer(
                scorer,
                max_wait_s=self._settings.get("MODERATION_BATCH_WAIT_MS", 5) / 1000,
                max_batch=self._settings.get("MODERATION_MAX_BATCH", 32),
            )

    def load_in_background(self) -> threading.Thread:
        def run() -> None:
            try:
                self.load()
            except Exception:
                logger.exception("moderation model failed to load; comments will be held for review")

        thread = threading.Thread(target=run, name="moderation-loader", daemon=True)
        thread.start()
        return thread

    @observed_moderation
    def moderate(self, text: str) -> ModerationResult:
        """Inline mode: one text, scored in a batch with whatever other requests of this process are waiting.

        Never raises: a model that is not ready or fails holds the text for a moderator.
        """
        try:
            batcher = self._loaded()
        except Exception:
            batcher = None  # load() logged it; the text waits for a moderator
        if batcher is None:
            return ModerationResult(ModerationStatus.PENDING_REVIEW, reason=ModerationReason.MODEL_NOT_READY)
        normalized = normalize_for_scoring(text) or text
        started = time.perf_counter()
        try:
            scores = batcher.score_one(normalized)
        except Exception:
            logger.exception("moderation model failed; holding the text for review")
            return ModerationResult(
                ModerationStatus.PENDING_REVIEW,
                reason=ModerationReason.MODEL_ERROR,
                model=batcher.scorer.name,
                model_version=batcher.scorer.version,
            )
        return self._decide(scores, normalized, latency_ms=(time.perf_counter() - started) * 1000)

    def moderate_batch(self, texts: Sequence[str]) -> list[ModerationResult]:
        """Queue workers and rescores: many texts in one model call. Raises when the model fails."""
        normalized = [normalize_for_scoring(text) or text for text in texts]
        return [self._decide(scores, text) for scores, text in zip(self.score_texts(normalized), normalized, strict=True)]

    def score_texts(self, normalized: Sequence[str]) -> list[dict[str, float]]:
        """The model's scores for texts already normalized (normalize_for_scoring), in one call."""
        return self.scorer.score(normalized)

    def _decide(self, scores: dict[str, float], normalized: str, latency_ms: float = 0.0) -> ModerationResult:
        decision = self.policy.decide(scores, normalized)
        scorer = self.scorer
        return ModerationResult(
            decision.status,
            decision.labels,
            decision.reason,
            scores,
            scorer.name,
            scorer.version,
            latency_ms,
        )


def get_moderator() -> Moderator:
    return current_app.extensions["engagement"]
