"""The moderation runtime held on ``app.extensions["engagement"]``: models, pipeline and readiness."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from engagement.moderation.batching import BatchingScorer
from engagement.moderation.language import identify_language, load_detector
from engagement.moderation.multilingual import (
    MULTILINGUAL,
    MULTILINGUAL_SCORE,
    MultilingualScorer,
    get_multilingual_scorer,
    route_language,
)
from engagement.moderation.normalize import expand_crypto_slang, normalize_for_scoring
from engagement.moderation.phases import build_pipeline, enabled_phases
from engagement.moderation.pipeline import ModelScores, Pipeline, ScreeningInput
from engagement.moderation.policy import ModerationPolicy
from engagement.moderation.scoring import Scorer
from engagement.moderation.spam import SpamModel, load_spam_model
from engagement.observability import observed_moderation
from engagement.vocabulary import ModerationReason, ModerationStatus

logger = logging.getLogger(__name__)


class ModelNotReady(RuntimeError):
    """The toxicity model is not loaded (yet, or it failed to load)."""


@dataclass(frozen=True)
class ModerationResult:
    status: ModerationStatus
    labels: list[str] = field(default_factory=list)
    reason: ModerationReason = ModerationReason.MODEL_CLEAN
    scores: dict[str, float] | None = None
    model: str | None = None
    model_version: str | None = None
    latency_ms: float = 0.0
    #: The pipeline phase that decided, and what it matched.
    phase: str | None = None
    details: dict[str, Any] | None = None
    fingerprint: str | None = None
    language: str | None = None


_NOT_WORD = re.compile(r"[\W_]+")


def fingerprint(normalized: str) -> str:
    """The same message, however it is disguised (case, look-alikes, spacing, punctuation), has the same
    fingerprint: repeats and floods are found by it."""
    words = _NOT_WORD.sub(" ", normalized).strip() or normalized
    return hashlib.sha256(words.encode("utf-8")).hexdigest()[:32]


class Moderator:
    """Scores a text with the models and runs the pipeline. Until the model is loaded, or when it fails, the
    phases before the models still decide (a banned term still rejects), and everything else is held."""

    def __init__(
        self, settings: dict[str, Any], load_scorer: Callable[[], Scorer], busy: Callable[[], int] | None = None
    ):
        self._settings = settings
        self._busy = busy
        self._load_scorer = load_scorer
        self._batcher: BatchingScorer | None = None
        self.spam_model: SpamModel | None = None
        self.multilingual: MultilingualScorer | None = None
        self._policy = ModerationPolicy.from_settings(settings)
        self.pipeline: Pipeline = self._build_pipeline()
        self.mode: str = settings.get("MODERATION_MODE", "inline")
        self.queue: Any = None  # a ModerationQueue in queue mode
        self.load_on_demand = False
        self.load_error: str | None = None
        self._loading = threading.Lock()

    @property
    def policy(self) -> ModerationPolicy:
        return self._policy

    @policy.setter
    def policy(self, policy: ModerationPolicy) -> None:
        """New thresholds (a reload, a calibration) take effect in the toxicity phase at once."""
        self._policy = policy
        self.pipeline = self._build_pipeline()

    def _build_pipeline(self) -> Pipeline:
        spam_threshold = self._settings.get("MODERATION_SPAM_THRESHOLD")
        if spam_threshold is None and self.spam_model is not None:
            spam_threshold = self.spam_model.threshold
        thresholds = self.multilingual.thresholds if self.multilingual is not None else None
        return build_pipeline(self._settings, self._policy, spam_threshold, thresholds)

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
            raise ModelNotReady(self.load_error or "moderation model not loaded yet")
        return batcher.scorer

    @property
    def batcher(self) -> BatchingScorer | None:
        """The inline batcher (its statistics and knobs); None until the model is loaded."""
        return self._loaded()

    def load(self) -> None:
        """Load the models now; raises ModelLoadError so start-up fails loudly."""
        with self._loading:
            if self._batcher is not None:
                return
            try:
                phases = enabled_phases(self._settings)
                scorer = self._load_scorer()
                spam_model = load_spam_model() if "spam_model" in phases else None
                multilingual = get_multilingual_scorer() if "multilingual" in phases else None
                load_detector()  # every text's language is identified (prepare_input); about a second, once
            except Exception as error:
                self.load_error = str(error)
                raise
            self.spam_model = spam_model
            self.multilingual = multilingual
            self.policy = ModerationPolicy.from_settings(self._settings, getattr(scorer, "recommended_thresholds", None))
            self._batcher = BatchingScorer(
                scorer,
                max_wait_s=self._settings.get("MODERATION_BATCH_WAIT_MS", 5) / 1000,
                max_batch=self._settings.get("MODERATION_MAX_BATCH", 32),
                busy=self._busy,
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

    # -- scoring ---------------------------------------------------------------------------------------------

    def _spam_scores(self, normalized_or_raw: Sequence[str]) -> list[float | None]:
        if self.spam_model is None:
            return [None] * len(normalized_or_raw)
        return list(self.spam_model.score(normalized_or_raw))

    def _multilingual_scores(self, texts: Sequence[str], languages: Sequence[str | None]) -> list[float | None]:
        """The multilingual model's score for texts in its languages (route_language); None for the others."""
        picked = [i for i, lang in enumerate(languages) if route_language(lang) == MULTILINGUAL]
        found: list[float | None] = [None] * len(texts)
        if self.multilingual is None or not picked:
            return found
        values = self.multilingual.score([texts[i] for i in picked], [languages[i] for i in picked])
        for i, value in zip(picked, values, strict=True):
            found[i] = value
        return found

    def score_inline(self, text: str, normalized: str, language: str | None = None) -> ModelScores:
        """Score one text now (inline mode), batched with whatever other requests of this process wait.

        Needs no database, so a request scores before its first query. A model that is not ready or fails
        is remembered in the returned scores: the phases that need them hold the text, the others decide.
        """
        started = time.perf_counter()
        try:
            batcher = self._loaded()
        except Exception:
            batcher = None  # load() logged it
        if batcher is None:
            return _failed(ModelNotReady(self.load_error or "moderation model not loaded yet"))
        try:
            scores = dict(batcher.score_one(expand_crypto_slang(normalized)))
            spam = self._spam_scores([text])[0]
            multilingual = self._multilingual_scores([text], [language])[0]
        except Exception as error:
            logger.exception("moderation model failed; holding the text for review")
            return _failed(error)
        if spam is not None:
            scores["spam"] = round(spam, 6)
        if multilingual is not None:
            scores[MULTILINGUAL_SCORE] = round(multilingual, 6)
        return ModelScores(lambda: scores, latency_ms=(time.perf_counter() - started) * 1000)

    def score_batch(
        self, texts: Sequence[str], normalized: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> list[dict[str, float]]:
        """Queue workers and rescores: many texts in one model call. Raises when a model fails."""
        scores = [dict(values) for values in self.scorer.score([expand_crypto_slang(text) for text in normalized])]
        languages = list(languages) if languages is not None else [None] * len(texts)
        extra = zip(scores, self._spam_scores(texts), self._multilingual_scores(texts, languages), strict=True)
        for values, spam, multilingual in extra:
            if spam is not None:
                values["spam"] = round(spam, 6)
            if multilingual is not None:
                values[MULTILINGUAL_SCORE] = round(multilingual, 6)
        return scores

    # -- deciding --------------------------------------------------------------------------------------------

    def screen(self, item: ScreeningInput, scores: ModelScores) -> ModerationResult:
        """Run the pipeline on one text. Never raises: a model failure holds the text for a moderator."""
        try:
            outcome = self.pipeline.run(item, scores)
        except ModelNotReady:
            return self._held_without_model(item, ModerationReason.MODEL_NOT_READY)
        except Exception:
            logger.exception("moderation pipeline failed; holding the text for review")
            return self._held_without_model(item, ModerationReason.MODEL_ERROR)
        decision = outcome.decision
        model = self._model_identity() if outcome.scores is not None else (None, None)
        return ModerationResult(
            decision.status,
            list(decision.labels),
            decision.reason,
            outcome.scores,
            model[0],
            model[1],
            scores.latency_ms,
            decision.phase,
            {**decision.details, "trace": list(outcome.trace)} if decision.details or outcome.trace else None,
            fingerprint(item.normalized),
            item.language,
        )

    def _held_without_model(self, item: ScreeningInput, reason: ModerationReason) -> ModerationResult:
        name, version = self._model_identity()
        return ModerationResult(
            ModerationStatus.PENDING_REVIEW,
            reason=reason,
            model=name,
            model_version=version,
            phase="model",
            fingerprint=fingerprint(item.normalized),
            language=item.language,
        )

    def _model_identity(self) -> tuple[str | None, str | None]:
        if self._batcher is None:
            return None, None
        scorer = self._batcher.scorer
        return scorer.name, scorer.version

    @observed_moderation
    def moderate(self, text: str) -> ModerationResult:
        """One text from a fresh author with no word lists: the model's and the context-free phases' view."""
        item = prepare_input(text)
        return self.screen(item, self.score_inline(item.text, item.normalized, item.language))

    def moderate_batch(self, items: Sequence[ScreeningInput]) -> list[ModerationResult]:
        """Many texts in one model call, each through the pipeline. Raises when the model fails, so a queue
        job is retried rather than holding everything as failed."""
        scores = self.score_batch(
            [item.text for item in items], [item.normalized for item in items], [item.language for item in items]
        )
        return [self.screen(item, _given(values)) for item, values in zip(items, scores, strict=True)]


def prepare_input(text: str, **context: Any) -> ScreeningInput:
    """The text as written and as the models read it, its language (identified once here, no database: the
    word lists scope their terms by it, the models route by it, the result stores it) and its context."""
    context.setdefault("language", identify_language(text))
    return ScreeningInput(text=text, normalized=normalize_for_scoring(text) or text, **context)


def _given(values: dict[str, float]) -> ModelScores:
    return ModelScores(lambda: values)


def _failed(error: Exception) -> ModelScores:
    def raise_it() -> dict[str, float]:
        raise error

    return ModelScores(raise_it)


def get_moderator() -> Moderator:
    return current_app.extensions["engagement"]
