"""Listed terms found in text: the matching engine of the word-list phase."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass


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
    # Longest first, so "paper hands" wins over "paper". One pair of word-boundary checks around the whole
    # alternation of spaced-script terms: per alternative, they cost several times more on a long comment.
    ordered = sorted(words, key=lambda w: (-len(w), w))
    spaced = [re.escape(word) for word in ordered if not _UNSPACED_SCRIPT.search(word)]
    unspaced = [re.escape(word) for word in ordered if _UNSPACED_SCRIPT.search(word)]
    parts = []
    if spaced:
        parts.append(rf"(?<![^\W_])(?:{'|'.join(spaced)})(?![^\W_])")
    if unspaced:
        parts.append("|".join(unspaced))
    return re.compile("|".join(parts)) if parts else re.compile(r"(?!x)x")
