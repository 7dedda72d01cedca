"""The moderation pipeline: an ordered list of phases, each of which decides or passes.

Modelled on Coral's moderation phases. Every text (comment, repost quote, reward message, and each edit) is
screened by the same pipeline. A phase sees the text (as written and as normalized for scoring), what is known
of its author and the article, and returns a ``PhaseDecision`` (publish, hold or reject, with reason labels and
details such as the matched terms) or ``None`` to pass. The first phase that decides wins, so the order is the
policy: cheap, certain phases (banned terms) come before the models. When every phase passes, the text is
published by the pipeline's own default.

Nothing here touches the database or HTTP: the services gather the author's history into ``AuthorHistory``,
and the models' scores arrive through ``ModelScores``, computed at most once per text and only when a phase
asks for them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from engagement.moderation.terms import TermMatcher
from engagement.vocabulary import ModerationReason, ModerationStatus

logger = logging.getLogger(__name__)

PUBLISH, HOLD, REJECT = ModerationStatus.PUBLISHED, ModerationStatus.PENDING_REVIEW, ModerationStatus.REJECTED

# Roles whose texts no link, contact or history rule holds: the site's own staff.
STAFF_ROLES = frozenset({"moderator", "admin"})


@dataclass(frozen=True)
class AuthorHistory:
    """What the pipeline knows of the author when the text arrives; the services fill it from the database."""

    user_id: str | None = None
    role: str = "user"
    #: Texts of this author a moderator approved, or that stayed published long enough to count as accepted.
    approved_count: int = 0
    #: Texts of this author rejected (by a moderator or automatically) within the recent-history window.
    recent_rejections: int = 0
    #: Earlier texts with the same fingerprint by this author within the repeat window.
    repeats_by_author: int = 0
    #: Distinct other authors who posted a text with the same fingerprint within the flood window.
    repeats_by_others: int = 0

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


@dataclass(frozen=True)
class WordLists:
    """The admins' banned and suspect terms, compiled; the services rebuild them when a list changes."""

    banned: TermMatcher
    suspect: TermMatcher


@dataclass(frozen=True)
class ScreeningInput:
    """One text to screen and its context."""

    text: str
    normalized: str
    kind: str = "comment"
    author: AuthorHistory = field(default_factory=AuthorHistory)
    article_id: str | None = None
    language: str | None = None
    word_lists: WordLists | None = None


@dataclass(frozen=True)
class PhaseDecision:
    status: ModerationStatus
    phase: str
    reason: ModerationReason
    labels: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    def explain(self) -> str:
        """Short, for a moderator: ``links (t.me/cryptopump)``."""
        shown = self.details.get("matched") or self.labels
        return f"{self.phase} ({', '.join(map(str, shown))})" if shown else self.phase


class ModelScores:
    """Scores of every model for one text, computed on first use and then kept."""

    def __init__(self, compute: Callable[[], dict[str, float]], latency_ms: float = 0.0):
        self._compute = compute
        self._scores: dict[str, float] | None = None
        #: How long scoring took, when it was measured (inline mode), for the latency metric.
        self.latency_ms = latency_ms

    @property
    def computed(self) -> bool:
        return self._scores is not None

    def get(self) -> dict[str, float]:
        if self._scores is None:
            self._scores = self._compute()
        return self._scores

    def peek(self) -> dict[str, float] | None:
        return self._scores


class Phase(Protocol):
    name: str

    def evaluate(self, item: ScreeningInput, scores: ModelScores) -> PhaseDecision | None: ...


@dataclass(frozen=True)
class PipelineResult:
    decision: PhaseDecision
    scores: dict[str, float] | None
    #: Phases that ran, in order, for the audit log and for debugging a surprising decision.
    trace: tuple[str, ...]


class Pipeline:
    def __init__(self, phases: Sequence[Phase]):
        names = [phase.name for phase in phases]
        if len(set(names)) != len(names):
            raise ValueError(f"phase names must be unique: {names}")
        self.phases = tuple(phases)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(phase.name for phase in self.phases)

    def run(self, item: ScreeningInput, scores: ModelScores, *, score_always: bool = True) -> PipelineResult:
        """The first phase that decides wins, except that a hold goes on through the later phases: one of them
        may still reject (a repeated insult is rejected, not just held), and every phase that would hold adds
        its labels, so moderators see all the reasons. ``score_always`` scores a text even when no phase
        asked (except after a rejection), so moderators see the models' view of every held text."""
        trace: list[str] = []
        decision: PhaseDecision | None = None
        also_held: list[str] = []
        for phase in self.phases:
            trace.append(phase.name)
            found = phase.evaluate(item, scores)
            if found is None:
                continue
            if decision is None:
                decision = found
                if found.status != HOLD:
                    break
            elif found.status == REJECT:
                decision = replace(found, labels=_merged(decision.labels, found.labels))
                break
            elif found.status == HOLD:
                also_held.append(found.phase)
                decision = replace(decision, labels=_merged(decision.labels, found.labels))
        if decision is None:
            decision = PhaseDecision(PUBLISH, "default", ModerationReason.MODEL_CLEAN)
        elif also_held:
            decision = replace(decision, details={**decision.details, "also_held_by": also_held})
        if score_always and decision.status != REJECT and not scores.computed:
            try:
                scores.get()
            except Exception:  # the decision stands; the moderator sees the text without scores
                logger.exception("models failed on a text already decided by %s", decision.phase)
        return PipelineResult(decision, scores.peek(), tuple(trace))


def _merged(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({*first, *second}))
