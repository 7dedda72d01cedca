"""User text as we store it: trimmed, NFC, no control characters but newlines, bounded in code points."""

from __future__ import annotations

import re
import unicodedata

from engagement.errors import Unprocessable

# Cc and the line/paragraph separators; newline alone survives. Tabs become spaces rather than vanish.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def clean_user_text(raw: str) -> str:
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    return _CONTROL.sub("", text).strip()


def optional_user_text(raw: str | None, field: str, max_length: int) -> str | None:
    """Like ``validated_user_text`` for optional text (a quote, a reward message): blank means none."""
    if raw is None:
        return None
    return validated_user_text(raw, field, max_length, allow_empty=True) or None


def validated_user_text(raw: str, field: str, max_length: int, allow_empty: bool = False) -> str:
    """Clean ``raw`` and enforce 1..max_length code points, naming ``field`` in the 422."""
    text = clean_user_text(raw)
    if not text and not allow_empty:
        raise Unprocessable("The text is empty.", errors={field: ["Must not be empty after trimming."]})
    if len(text) > max_length:
        raise Unprocessable(
            f"The text is {len(text)} characters; at most {max_length} are allowed.",
            errors={field: [f"Longer than maximum length {max_length}."]},
        )
    return text
