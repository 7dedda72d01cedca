"""Language identification of short comments through the real py3langid model."""

from __future__ import annotations

import pytest

from engagement.moderation.language import detect_language, text_for_detection
from engagement.moderation.training.multilingual_samples import HANDWRITTEN

SHORT_SAMPLES = [
    ("你是个白痴，闭嘴吧，蠢货。", "zh"),
    ("你這個白癡，閉嘴吧。", "zh"),  # traditional characters are Chinese too
    ("比特幣要漲到月球了 🚀", "zh"),
    ("Ты полный идиот, заткнись, урод.", "ru"),
    ("Ти повний ідіот, закрий рота.", "uk"),
    ("Доброго ранку всім з Києва.", "uk"),
    ("Спасибо за статью.", "ru"),
    ("Du bist ein Vollidiot, halt die Klappe.", "de"),
    ("닥쳐 이 멍청아.", "ko"),
    ("お前は本当にバカだな。", "ja"),
    ("Mày là thằng ngu, câm mồm đi.", "vi"),
    ("Eres un idiota, cállate ya.", "es"),
    ("Você é um idiota, cala a boca.", "pt"),
    ("Dasar bodoh, diam kau.", "id"),
    ("Espèce d'idiot, dégage.", "fr"),
    ("Sen tam bir aptalsın, kes sesini salak.", "tr"),
    ("أنت غبي، اسكت.", "ar"),
    ("HODL and ignore the FUD, paper hands always sell the bottom.", "en"),
]


@pytest.mark.parametrize(("text", "expected"), SHORT_SAMPLES)
def test_short_comments_are_identified(text: str, expected: str) -> None:
    lang, confidence = detect_language(text)
    assert lang == expected
    assert 0.0 < confidence <= 1.0


@pytest.mark.parametrize("text", ["🚀🚀🚀", "https://t.me/cryptosignals", "@elonmusk #BTC $ETH 100x!!!", "  ", "a"])
def test_nothing_language_like_gives_none(text: str) -> None:
    assert detect_language(text) == (None, 0.0)


def test_links_handles_and_emoji_are_removed_before_detection() -> None:
    cleaned = text_for_detection("@satoshi check https://example.com/x?y=1 now 🚀 #moon $BTC")
    assert cleaned == "check now"
    assert text_for_detection("BTC 冲啊 🚀 兄弟们") == "冲啊 兄弟们"
    assert text_for_detection("YOU ARE AN IDIOT") == "YOU ARE AN IDIOT"  # shouting is kept
    # A Russian comment that links an English page and tags an English handle is still Russian.
    assert detect_language("@CryptoWhale смотри https://www.coindesk.com/markets/btc-news спасибо за статью")[0] == "ru"


def test_most_handwritten_comments_of_each_uncovered_language_are_identified() -> None:
    # Code-mixed crypto talk ("BTC to the moon 🚀 gas terus!") may come back as English; the rest may not.
    for lang, rows in HANDWRITTEN.items():
        found = [detect_language(text)[0] for text, _ in rows]
        assert sum(f == lang for f in found) >= len(rows) - 2, (lang, found)
