"""The pipeline's phases. Each is small, pure and configured from settings by ``build_pipeline``."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engagement.moderation.criticism import is_civil_criticism
from engagement.moderation.pipeline import HOLD, PUBLISH, REJECT, ModelScores, PhaseDecision, Pipeline, ScreeningInput
from engagement.moderation.multilingual import MULTILINGUAL_SCORE, SCORED_LANGUAGES, UNCOVERED, route_language
from engagement.moderation.policy import REJECT_LABEL, THREAT_PHRASES, ModerationPolicy, labels_over, reaches_reject
from engagement.moderation.signals import INVITE, Finding, find_signals
from engagement.moderation.terms import Term, TermMatcher
from engagement.moderation.threats import find_threats
from engagement.vocabulary import ModerationReason


@dataclass(frozen=True)
class StaffPhase:
    """Coral's staff phase: moderators' and admins' texts are published without the later phases."""

    name: str = "staff"

    def evaluate(self, item: ScreeningInput, scores: ModelScores) -> PhaseDecision | None:
        return PhaseDecision(PUBLISH, self.name, ModerationReason.STAFF, ("staff",)) if item.author.is_staff else None


@dataclass(frozen=True)
class NewCommenterPhase:
    """Hold a user's texts until ``approved_needed`` of them were approved (Coral's approvedCommentsThreshold)."""

    approved_needed: int
    name: str = "new_commenter"

    def evaluate(self, item: ScreeningInput, scores: ModelScores) -> PhaseDecision | None:
        author = item.author
        if author.is_staff or author.approved_count >= self.approved_needed:
            return None
        return PhaseDecision(
            HOLD,
            self.name,
            ModerationReason.NEW_COMMENTER,
            ("new_commenter",),
            {"approved": author.approved_count, "needed": self.approved_needed},
        )


@dataclass(frozen=True)
class RecentHistoryPhase:
    """A user with at least ``max_rejections`` rejected texts in the recent window has everything held."""

    max_rejections: int
    name: str = "recent_history"

    def evaluate(self, item: ScreeningInput, scores: ModelScores) -> PhaseDecision | None:
        rejected = item.author.recent_rejections
        if item.author.is_staff or rejected < self.max_rejections:
            return None
        return PhaseDecision(
            HOLD, self.name, ModerationReason.RECENT_REJECTIONS, ("recent_rejections",), {"rejected": rejected}
        )


@dataclass(frozen=True)
class RepeatPhase:
    """The same normalized text again from one user, or from many users at once (a campaign): held as spam."""

    max_by_author: int
    max_by_others: int
    name: str = "repeats"

    def evaluate(self, item: ScreeningInput, scores: ModelScores) -> PhaseDecision | None:
        author = item.author
        if author.is_staff:
            return None
        if author.repeats_by_author >= self.max_by_author:
            return PhaseDecision(
                HOLD, self.name, ModerationReason.REPEAT_POST, ("spam",), {"earlier_by_author": author.repeats_by_author}
            )
        if author.repeats_by_others >= self.max_by_others:
            return PhaseDecision(
                HOLD, self.name, ModerationReason.FLOOD, ("spam",), {"other_authors": author.repeats_by_others}
            )
        return None


@dataclass(frozen=True)
class WordListPhase:
    """Banned terms reject, suspect terms hold; both managed by admins through the API and handed in with
    each text (``ScreeningInput.word_lists``), so a change applies to the next text."""

    name: str = "word_lists"

    def evaluate(self, item: ScreeningInput, scores: ModelScores) -> PhaseDecision | None:
        if item.word_lists is None:
            return None
        banned = item.word_lists.banned.find(item.normalized, item.language)
        if banned:
            return PhaseDecision(REJECT, self.name, ModerationReason.BANNED_TERM, ("banned_term",), {"matched": banned})
        suspect = item.word_lists.suspect.find(item.normalized, item.language)
        if suspect:
            return PhaseDecision(HOLD, self.name, ModerationReason.SUSPECT_TERM, ("suspect_term",), {"matched": suspect})
        return None


@dataclass(frozen=True)
class LanguagePhase:
    """Texts in a language no model here reads (route_language: not English, not one the multilingual model was
    validated on) are held for a moderator when the setting for that language says ``hold``; ``score`` leaves
    them to the word lists and the other phases. Unknown language (emoji, links, "lol", code-mixed crypto
    slang: identify_language is not sure) is never held here."""

    default: str = "hold"
    overrides: Mapping[str, str] = field(default_factory=dict)
    name: str = "language"

    def evaluate(self, item: ScreeningInput, scores: ModelScores) -> PhaseDecision | None:
        language = item.language
        if item.author.is_staff or language is None or route_language(language) != UNCOVERED:
            return None
        if self.overrides.get(language, self.default) != "hold":
            return None
        return PhaseDecision(
            HOLD, self.name, ModerationReason.UNCOVERED_LANGUAGE, ("uncovered_language",), {"matched": [language]}
        )


@dataclass(frozen=True)
class LinksPhase:
    """URLs outside the allowlist, messenger contacts, phone numbers and crypto addresses are held unless the
    author is trusted: staff, or at least ``trusted_after`` approved texts. An invitation without an address
    ("DM me", "link in bio") is ordinary talk too, so it holds only when the spam model also leans to spam."""

    detect: Callable[[str], Sequence[Finding]]
    trusted_after: int
    invite_spam_threshold: float | None = None
    name: str = "links"

    def evaluate(self, item: ScreeningInput, scores: ModelScores) -> PhaseDecision | None:
        author = item.author
        if author.is_staff or author.approved_count >= self.trusted_after:
            return None
        # The text as written, folded only for width: the models' normalization masks URLs.
        findings = [f for f in self.detect(unicodedata.normalize("NFKC", item.text)) if self._holds(f, scores)]
        if not findings:
            return None
        kinds = tuple(sorted({finding.kind for finding in findings}))
        matched = list(dict.fromkeys(finding.text for finding in findings))
        return PhaseDecision(HOLD, self.name, ModerationReason.LINKS, kinds, {"matched": matched})

    def _holds(self, finding: Finding, scores: ModelScores) -> bool:
        if finding.category != INVITE:
            return True
        if self.invite_spam_threshold is None:
            return False
        return scores.get().get("spam", 0.0) >= self.invite_spam_threshold


@dataclass(frozen=True)
class SpamModelPhase:
    """Holds what the spam and scam model scores at or above its validated threshold.

    A text of fewer than ``min_words`` words is left to the other phases: trained partly on SMS, the model
    reads a lone "free" or "reply" as spam, and a scam needs more words than that (or a link, which the
    links phase sees).
    """

    threshold: float
    min_words: int = 3
    label: str = "spam"
    name: str = "spam_model"

    def evaluate(self, item: ScreeningInput, scores: ModelScores) -> PhaseDecision | None:
        if len(item.normalized.split()) < self.min_words:
            return None
        score = scores.get().get(self.label)
        if score is None or score < self.threshold:
            return None
        details = {"score": round(score, 4), "threshold": self.threshold}
        return PhaseDecision(HOLD, self.name, ModerationReason.SPAM, (self.label,), details)


@dataclass(frozen=True)
class ThreatPhase:
    """Threats and wishes of harm the toxicity model was never taught: held for a moderator, never rejected."""

    detect: Callable[[str], Sequence[str]]
    name: str = "threats"

    def evaluate(self, item: ScreeningInput, scores: ModelScores) -> PhaseDecision | None:
        matched = list(self.detect(item.normalized))
        return PhaseDecision(HOLD, self.name, ModerationReason.THREAT, ("threat",), {"matched": matched}) if matched else None


@dataclass(frozen=True)
class MultilingualPhase:
    """The multilingual model holds a text in one of its languages at that language's validated threshold.
    Only holds: its best language (zh) catches 87% of offensive comments at 92% benign kept, not a reject."""

    thresholds: Mapping[str, float]
    name: str = "multilingual"

    def evaluate(self, item: ScreeningInput, scores: ModelScores) -> PhaseDecision | None:
        limit = self.thresholds.get(item.language or "")
        if limit is None:
            return None
        score = scores.get().get(MULTILINGUAL_SCORE)
        if score is None or score < limit:
            return None
        details = {"scores": {MULTILINGUAL_SCORE: round(score, 4)}, "threshold": limit, "language": item.language}
        return PhaseDecision(HOLD, self.name, ModerationReason.MODEL_HOLD, ("toxicity",), details)


@dataclass(frozen=True)
class ToxicityPhase:
    """The toxicity model and its thresholds: hold at a label's hold threshold, reject at the reject threshold.

    ``civil_criticism`` (see moderation.criticism) recognizes harsh words about officials and companies that
    address no one and call no one names: published where the model would hold them, held where it would
    reject them.

    Texts in ``skip_languages`` are left to the multilingual phase: the English model reads them at chance.
    """

    hold_thresholds: Mapping[str, float]
    reject_threshold: float | None
    civil_criticism: Callable[[str], bool] | None = None
    skip_languages: frozenset[str] = frozenset()
    name: str = "toxicity"

    def evaluate(self, item: ScreeningInput, scores: ModelScores) -> PhaseDecision | None:
        if item.language in self.skip_languages:
            return None
        values = scores.get()
        over = tuple(labels_over(values, self.hold_thresholds))
        rejects = reaches_reject(values, self.reject_threshold)
        if not over and not rejects:
            return None
        # The civil-criticism lexicons are English: other languages keep the model's verdict.
        english = item.language in (None, "en")
        if self.civil_criticism is not None and english and self.civil_criticism(item.normalized):
            if not rejects:
                return None
            details = {**_top(values, (REJECT_LABEL,)), "civil_criticism": True}
            return PhaseDecision(HOLD, self.name, ModerationReason.MODEL_HOLD, (REJECT_LABEL,), details)
        if rejects:
            labels = tuple(sorted({*over, REJECT_LABEL}))
            return PhaseDecision(REJECT, self.name, ModerationReason.MODEL_REJECT, labels, _top(values, labels))
        return PhaseDecision(HOLD, self.name, ModerationReason.MODEL_HOLD, over, _top(values, over))


def _top(values: Mapping[str, float], labels: Sequence[str]) -> dict[str, Any]:
    return {"scores": {label: round(values[label], 4) for label in labels if label in values}}


def find_threat_phrases(normalized: str) -> list[str]:
    """The threat families of ``threats`` and the policy's explicit phrases, on the normalized text."""
    found = [match.text for match in find_threats(normalized)]
    found += [match.group(0) for match in THREAT_PHRASES.finditer(normalized)]
    return list(dict.fromkeys(found))


# Every phase by its settings name; ENGAGEMENT_MODERATION_PHASES lists the ones that run, in order.
PHASE_NAMES = (
    "staff", "new_commenter", "recent_history", "repeats", "word_lists", "language", "links", "spam_model", "threats",
    "multilingual", "toxicity",
)  # fmt: skip
DEFAULT_PHASES = (
    "word_lists", "language", "recent_history", "repeats", "links", "spam_model", "threats", "multilingual", "toxicity",
)  # fmt: skip
UNCOVERED_CHOICES = ("hold", "score")


def uncovered_language_policy(settings: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """ENGAGEMENT_UNCOVERED_LANGUAGE (hold|score) and its per-language overrides (``es:score,pt:score``)."""
    default = str(settings.get("UNCOVERED_LANGUAGE") or "hold").strip().lower()
    overrides: dict[str, str] = {}
    for entry in settings.get("UNCOVERED_LANGUAGE_OVERRIDES") or ():
        language, _, choice = str(entry).partition(":")
        overrides[language.strip().lower()] = choice.strip().lower()
    bad = sorted(f"{lang}:{choice}" for lang, choice in overrides.items() if choice not in UNCOVERED_CHOICES or not lang)
    if default not in UNCOVERED_CHOICES or bad:
        raise ValueError(
            f"ENGAGEMENT_UNCOVERED_LANGUAGE(_OVERRIDES): expected hold|score (per language: LANG:hold|score), got"
            f" {default!r} {bad}"
        )
    return default, overrides


def enabled_phases(settings: Mapping[str, Any]) -> list[str]:
    """The phases the settings switch on, in order; raises ValueError naming an unknown one."""
    names = list(settings.get("MODERATION_PHASES") or DEFAULT_PHASES)
    unknown = sorted(set(names) - set(PHASE_NAMES))
    if unknown:
        raise ValueError(f"ENGAGEMENT_MODERATION_PHASES: unknown phase(s) {unknown}; known: {', '.join(PHASE_NAMES)}")
    if not settings.get("MODERATION_THREAT_PHRASES", True) and "threats" in names:
        names.remove("threats")  # the older switch for the threat rule still turns it off
    return names


def build_pipeline(
    settings: Mapping[str, Any],
    policy: ModerationPolicy,
    spam_threshold: float | None,
    multilingual_thresholds: Mapping[str, float] | None = None,
) -> Pipeline:
    """The phases the settings switch on, in the order they list them; each configured from its settings.
    A model phase whose model is not loaded (threshold None) waits for it."""
    names = enabled_phases(settings)
    uncovered_default, uncovered_overrides = uncovered_language_policy(settings)
    given = multilingual_thresholds or {}
    multilingual = {lang: given[lang] for lang in SCORED_LANGUAGES if lang in given}
    allowlist = tuple(settings.get("MODERATION_LINK_ALLOWLIST") or ())
    factories: dict[str, Callable[[], Any]] = {
        "staff": StaffPhase,
        "new_commenter": lambda: NewCommenterPhase(settings.get("MODERATION_NEW_COMMENTER_APPROVALS", 3)),
        "recent_history": lambda: RecentHistoryPhase(settings.get("MODERATION_HISTORY_MAX_REJECTIONS", 3)),
        "repeats": lambda: RepeatPhase(settings.get("MODERATION_REPEAT_MAX", 1), settings.get("MODERATION_FLOOD_AUTHORS", 3)),
        "word_lists": WordListPhase,
        "language": lambda: LanguagePhase(uncovered_default, uncovered_overrides),
        "links": lambda: LinksPhase(
            detect=lambda text: find_signals(text, allowlist),
            trusted_after=settings.get("MODERATION_TRUSTED_AFTER", 3),
            invite_spam_threshold=settings.get("MODERATION_INVITE_SPAM_THRESHOLD", 0.3) if "spam_model" in names else None,
        ),
        "threats": lambda: ThreatPhase(detect=find_threat_phrases),
        "toxicity": lambda: ToxicityPhase(
            policy.hold_thresholds,
            policy.reject_threshold,
            is_civil_criticism if settings.get("MODERATION_CIVIL_CRITICISM", True) else None,
            skip_languages=frozenset(multilingual) if "multilingual" in names else frozenset(),
        ),
    }
    phases = []
    for name in names:
        if name == "spam_model":
            if spam_threshold is not None:  # no spam model loaded (yet): the phase waits for it
                phases.append(SpamModelPhase(spam_threshold, settings.get("MODERATION_SPAM_MIN_WORDS", 3)))
            continue
        if name == "multilingual":
            if multilingual:
                phases.append(MultilingualPhase(multilingual))
            continue
        phases.append(factories[name]())
    return Pipeline(phases)
