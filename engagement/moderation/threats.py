"""Threats and wishes of harm in English, found by patterns over normalized text.

The toxicity model has no threat training data (see the model card), and the short phrase list in
``policy.THREAT_PHRASES`` only knows "I will kill you" and its close kin. This module covers the wider
families a comment section receives, each a named pattern so a moderator sees why a text was held:

- ``wish_of_harm``: "I hope you (and your family) die / get cancer / burn / rot", "may you die", "you deserve
  to be shot", "someone should shoot you", "I wish you were dead".
- ``intent_of_harm``: "I will / I'm going to / gonna hurt / kill / find / end you", "you're dead", "you will
  pay for this", "I'll make you regret / pay / suffer".
- ``stalking``: "I know where you live / work", "I found your address", "see you soon at your house",
  "watch your back", "sleep with one eye open".
- ``doxxing``: "I'll post / leak / publish your address / phone / nudes / photos", "everyone will know where
  you live".
- ``self_harm_incitement``: "kys", "kill yourself", "go die", "drink bleach", "neck yourself".

The patterns need a person as the target (you, your family, him/her/them, a named group's members is left
to the identity model) and a harm verb in the same clause, so crypto and sports slang stays clean: "this
coin will kill the shorts", "die-hard fans", "killing it", "the bears will die", "shoot for the moon", "I'd
kill for a 10x", "bitcoin will make you pay for your paper hands" (rhetorical: held only as intent when
said by "I/we"). Matching is on lower-cased text with apostrophes and runs of spaces folded; callers may
pass ``normalize_for_scoring`` output (leetspeak and spacing undone) or raw text.

A match is a reason to hold for a moderator, never to reject on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_YOU = r"(?:you|u|ya|yo?u+r?\s*(?:whole\s+)?(?:family|kids|children|mom|mother|wife|husband|dad|loved ones))"
_TARGET = rf"(?:{_YOU}(?:\s+and\s+(?:your|ur)\s+(?:whole\s+|entire\s+)?(?:family|kids|children|loved ones|friends))?|him|her|them|this (?:guy|idiot|clown|author|person|woman|man))"
_HARM = (
    r"(?:die|dies|died|dying|d1e|gets? (?:cancer|aids|raped|shot|stabbed|hit by a (?:car|bus|truck)|killed|murdered|hurt|what(?:'s| is) coming)"
    r"|burn(?:s)?(?: alive| in hell)?|rot(?: in hell)?|suffer|choke(?: on \w+)?|drown|starve|bleed(?: out)?"
    r"|be (?:shot|killed|murdered|raped|stabbed|hanged|hung|lynched|beaten|tortured|executed|burned|dead)|are dead|were dead|was dead"
    r"|never wake up|catch a bullet|get what (?:you|u) deserve)"
)
_VIOLENT = (
    r"(?:kill|murder|hurt|shoot|stab|strangle|rape|beat (?:the \w+ out of|up)|beat|burn|hunt down|hunt|slit|behead"
    r"|choke|end|destroy|bury|punch|slap|torture|cut)"
)
_BODY_HARM = r"(?:break|smash|snap|bash|cave) (?:your|ur) (?:\w+ )?(?:neck|legs?|arms?|face|head|skull|teeth|bones|jaw)"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "wish_of_harm",
        re.compile(
            rf"\b(?:i|we)\s+(?:really\s+|truly\s+|sincerely\s+|just\s+)?(?:hope|wish|pray)(?:\s+that)?\s+{_TARGET}\s+(?:all\s+)?(?:will\s+|would\s+|gets?\s+to\s+)?{_HARM}\b"
            rf"|\bmay\s+{_TARGET}\s+(?:all\s+)?{_HARM}\b"
            rf"|\b{_TARGET}\s+(?:deserves?|should|ought to|needs? to)\s+(?:to\s+)?(?:all\s+)?{_HARM}\b"
            rf"|\b(?:someone|somebody|they|people)\s+(?:should|needs? to|ought to|will)\s+{_VIOLENT}\s+{_TARGET}\b"
            rf"|\bi\s+wish\s+(?:you|u)\s+(?:were|was)\s+(?:dead|never born)\b"
            rf"|\bhope\s+{_TARGET}\s+{_HARM}\b",
        ),
    ),
    (
        "intent_of_harm",
        re.compile(
            rf"\b(?:i|we)\s*(?:will|'ll|ll|am going to|are going to|'m going to|m going to|'re going to|gonna|shall|want to|wanna|am gonna|'m gonna|m gonna)\s+"
            rf"(?:(?:find|come for|get|track down|hunt)\s+(?:you|u|your \w+)\s+and\s+)?(?:{_VIOLENT}\s+{_TARGET}|{_BODY_HARM})\b"
            rf"|\b(?:i|we)\s*(?:will|'ll|ll|am going to|'m going to|m going to|gonna|shall)\s+(?:find|come for|come after|track down|hunt down|get)\s+(?:you|u|your (?:family|kids|address))\b"
            rf"|\b(?:i|we)\s*(?:will|'ll|ll|am going to|'m going to|m going to|gonna|shall)\s+make\s+(?:you|u)\s+(?:pay|suffer|regret|bleed|beg)\b"
            rf"|\b(?:you|u)\s*(?:will|'ll|ll|are going to|'re going to|re going to|gonna)\s+(?:pay|regret|suffer)\s+(?:for\s+(?:this|that|what)|dearly|this|that|what (?:you|u) (?:said|did|wrote))\b"
            rf"|(?<!when )(?<!until )(?<!till )(?<!once )(?<!if )\b(?:you|u)(?:'re| are|re| r)\s+(?:so\s+)?(?:dead|a dead man|a dead woman|next)\b(?!\s+(?:wrong|right|on|serious))"
            rf"|\bcount your days\b|\byour days are numbered\b",
        ),
    ),
    (
        "stalking",
        re.compile(
            r"\b(?:i|we)\s+(?:know|found|have|got)\s+(?:exactly\s+)?(?:where\s+(?:you|u)\s+(?:live|work|sleep|go to school)|your\s+(?:home\s+)?address|where\s+your\s+(?:kids|family|children)\s+\w+)\b"
            r"|\bwatch\s+(?:your|ur)\s+back\b|\bsleep\s+with\s+one\s+eye\s+open\b"
            r"|\bsee\s+(?:you|u)\s+(?:soon\s+)?at\s+(?:your|ur)\s+(?:house|home|place|work|school)\b"
            r"|\b(?:i'm|i am|im)\s+(?:outside|coming to)\s+(?:your|ur)\s+(?:house|home|place)\b",
        ),
    ),
    (
        "doxxing",
        re.compile(
            r"\b(?:i|we)\s*(?:will|'ll|ll|am going to|'m going to|m going to|gonna|shall)\s+(?:post|leak|publish|share|dox|expose|release|send everyone)\s+"
            r"(?:you\b|your\s+(?:home\s+|real\s+)?(?:address|phone|number|nudes|photos|pictures|name|ip|details|info|family))"
            r"|\beveryone\s+will\s+know\s+where\s+(?:you|u)\s+live\b|\bi\s*(?:will|'ll|ll)\s+dox\b",
        ),
    ),
    (
        "self_harm_incitement",
        re.compile(
            r"\bkys\b|\b(?:go\s+)?(?:kill|hang|neck|shoot)\s+(?:your ?self|urself|yoself)\b|\bgo\s+(?:and\s+)?die\b"
            r"|\bdrink\s+bleach\b|\bjump\s+off\s+a\s+(?:bridge|cliff|building)\b|\bunalive\s+(?:your ?self|urself)\b",
        ),
    ),
)

_APOSTROPHES = re.compile(r"[\u2018\u2019\u02bc`´]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class ThreatMatch:
    kind: str
    text: str
    span: tuple[int, int]


def fold(text: str) -> str:
    """Lower case, straight apostrophes, single spaces: the form the patterns are written for."""
    return _SPACES.sub(" ", _APOSTROPHES.sub("'", text.lower())).strip()


def find_threats(text: str) -> list[ThreatMatch]:
    """Every threat family found, in order; spans refer to ``fold(text)``."""
    folded = fold(text)
    found = [ThreatMatch(kind, m.group(), m.span()) for kind, pattern in _PATTERNS for m in pattern.finditer(folded)]
    return sorted(found, key=lambda match: match.span)


def threat_kinds(text: str) -> list[str]:
    return sorted({match.kind for match in find_threats(text)})
