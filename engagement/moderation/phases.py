"""The pipeline's phases. Each is small, pure and configured from settings by ``build_pipeline``."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engagement.moderation.pipeline import HOLD, PUBLISH, REJECT, ModelScores, PhaseDecision, ScreeningInput
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


# Scripts written without spaces between words: a term matches anywhere inside the text.
_UNSPACED_SCRIPT = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@dataclass(frozen=True)
class Term:
    term: str
    #: None: every language.
    language: str | None = None


class TermMatcher:
    """Finds listed terms in normalized text: word-bounded in spaced scripts, by substring in CJK, Thai, Hangul.

    Terms are normalized by the same function as the text, so a listed ``idiot`` catches ``1d10t`` and
    ``i.d.i.o.t``. One compiled alternation per language keeps a match a single regex scan.
    """

    def __init__(self, terms: Iterable[Term], normalize: Callable[[str], str]):
        by_language: dict[str | None, dict[str, str]] = {}
        for entry in terms:
            folded = normalize(entry.term)
            if folded:
                by_language.setdefault(entry.language, {}).setdefault(folded, entry.term)
        # The folded form is what matches; the term as the admin wrote it is what moderators are shown.
        self._listed = by_language
        self._patterns = {language: _alternation(words) for language, words in by_language.items()}
        self.size = sum(len(words) for words in by_language.values())

    def find(self, normalized: str, language: str | None = None) -> list[str]:
        """Matched terms as listed, in order of appearance, each once. Unknown language: every list applies."""
        found: dict[str, None] = {}
        for term_language, pattern in self._patterns.items():
            if term_language is not None and language is not None and term_language != language:
                continue
            for match in pattern.finditer(normalized):
                found[self._listed[term_language][match.group(0)]] = None
        return list(found)


def _alternation(words: Iterable[str]) -> re.Pattern[str]:
    parts = []
    # Longest first, so "paper hands" wins over "paper".
    for word in sorted(words, key=lambda w: (-len(w), w)):
        escaped = re.escape(word)
        parts.append(escaped if _UNSPACED_SCRIPT.search(word) else rf"(?<![^\W_]){escaped}(?![^\W_])")
    return re.compile("|".join(parts)) if parts else re.compile(r"(?!x)x")


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
class Finding:
    kind: str
    text: str


@dataclass(frozen=True)
class LinksPhase:
    """URLs outside the allowlist, messenger handles and invitations, phone numbers and crypto addresses are
    held unless the author is trusted: staff, or at least ``trusted_after`` approved texts."""

    detect: Callable[[str], Sequence[Finding]]
    trusted_after: int
    name: str = "links"

    def evaluate(self, item: ScreeningInput, scores: ModelScores) -> PhaseDecision | None:
        author = item.author
        if author.is_staff or author.approved_count >= self.trusted_after:
            return None
        # The raw text, folded only for width and look-alikes: normalization for the model masks URLs.
        findings = self.detect(unicodedata.normalize("NFKC", item.text))
        if not findings:
            return None
        kinds = tuple(sorted({finding.kind for finding in findings}))
        matched = list(dict.fromkeys(finding.text for finding in findings))
        return PhaseDecision(HOLD, self.name, ModerationReason.LINKS, kinds, {"matched": matched})


@dataclass(frozen=True)
class SpamModelPhase:
    """Holds what the spam and scam model scores at or above its validated threshold."""

    threshold: float
    label: str = "spam"
    name: str = "spam_model"

    def evaluate(self, item: ScreeningInput, scores: ModelScores) -> PhaseDecision | None:
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
class ToxicityPhase:
    """The toxicity model and its thresholds: hold at a label's hold threshold, reject at the reject threshold."""

    hold_thresholds: Mapping[str, float]
    reject_threshold: float | None
    reject_label: str = "toxicity"
    name: str = "toxicity"

    def evaluate(self, item: ScreeningInput, scores: ModelScores) -> PhaseDecision | None:
        values = scores.get()
        over = tuple(sorted(label for label, limit in self.hold_thresholds.items() if values.get(label, 0.0) >= limit))
        if self.reject_threshold is not None and values.get(self.reject_label, 0.0) >= self.reject_threshold:
            labels = tuple(sorted({*over, self.reject_label}))
            return PhaseDecision(REJECT, self.name, ModerationReason.MODEL_REJECT, labels, _top(values, labels))
        if over:
            return PhaseDecision(HOLD, self.name, ModerationReason.MODEL_HOLD, over, _top(values, over))
        return None


def _top(values: Mapping[str, float], labels: Sequence[str]) -> dict[str, Any]:
    return {"scores": {label: round(values[label], 4) for label in labels if label in values}}
