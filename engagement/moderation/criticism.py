"""Civil criticism: harsh words about officials, institutions and companies that are not abuse.

The toxicity model learned from tweets where "useless and corrupt" mostly came with abuse, so it scores
"The council is useless and corrupt." at 0.92. A news comment section is full of such criticism, and holding it
is exactly what a reader calls censorship. So a text the model flags is treated as civil criticism when it
addresses no one ("you"), calls no one names, uses no profanity and names no identity group: the accusation
("corrupt", "incompetent", "liars") stays, the abuse is what is absent. Such a text is published when the model
would only hold it, and held for a human (never rejected) when the model is sure.

English only: the lexicons below are English, and other languages are screened by their own phases.
"""

from __future__ import annotations

import re

_SECOND_PERSON = r"you|your|yours|youre|you're|yourself|yourselves|u|ur|ya|yall|y'all|thou"
# Name-calling and profanity: insults aimed at a person, whatever their job.
_NAME_CALLING = (
    r"idiots?|idiotic|morons?|moronic|stupid|stupidity|dumb|dumbass|dumber|imbeciles?|fools?|foolish|clowns?|"
    r"losers?|scum|scumbags?|trash|garbage|pigs?|rats?|snakes?|vermin|parasites?|cockroach(?:es)?|animals?|"
    r"retard(?:s|ed)?|cretins?|halfwits?|nitwits?|dimwits?|jerks?|dicks?|dickheads?|pricks?|twats?|wankers?|"
    r"bastards?|assholes?|arseholes?|ass|asses|bitch(?:es)?|whores?|sluts?|cunts?|shit|shits|shitty|bullshit|"
    r"crap|crappy|fuck\w*|f\*+k\w*|damn|goddamn|hell|suck|sucks|sucker|ugly|fat|psycho|lunatics?|maniacs?|"
    r"freaks?|degenerates?|subhuman|traitors?|treasonous|shut up|stfu|kys|die|dead|kill\w*|hang\w*|burn\w*|"
    r"disgusting|pathetic|worthless|brainless|clueless|crazy|kooky|demonic|monsters?|weirdos?|savages?|thugs?|"
    r"terrorists?|hoes?|nigg\w*|nicc?as?|nigguh|peckerwoods?|crackers?|butt|piss\w*|sob|soab|mf|wtf|smack\w*"
)
# Groups of people by who they are (an attack on one of these is identity abuse, not civil criticism).
_IDENTITY = (
    r"muslims?|islam\w*|jews?|jewish|christians?|hindus?|buddhists?|atheists?|arabs?|africans?|asians?|chinese|"
    r"mexicans?|indians?|russians?|ukrainians?|americans?|europeans?|immigrants?|migrants?|refugees?|foreigners?|"
    r"blacks?|whites?|latinos?|latinas?|hispanics?|gays?|lesbians?|trans|transgender|queers?|homosexuals?|"
    r"women|woman|girls?|females?|men|males?|feminists?|disabled|autistic|elderly|boomers?|zoomers?|"
    r"race|racial|religion|ethnic\w*|nationalit\w*"
)
_PATTERN = re.compile(rf"(?<![\w'])(?:{_SECOND_PERSON}|{_NAME_CALLING}|{_IDENTITY})(?![\w'])")


def is_civil_criticism(normalized: str) -> bool:
    """``normalized`` (lower case, from normalize_for_scoring) addresses no one, calls no one names, has no
    profanity and names no identity group."""
    return _PATTERN.search(normalized) is None
