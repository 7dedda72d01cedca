"""The compact language identifier (only the site's languages kept) answers as py3langid's own restricted one."""

from __future__ import annotations

import random

import pytest
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from engagement.moderation.language import LANGUAGES, build_detector, text_for_detection
from engagement.moderation.training import multilingual as multilingual_training
from engagement.moderation.training.multilingual_samples import HANDWRITTEN, LANGUAGE_ONLY


def _real_sample() -> list[str]:
    """Comments of every language with data (150 each, 5-200 characters, as bench/language_id.py takes them)
    and the hand-written ones of the languages without data."""
    data_dir = multilingual_training.default_data_dir()
    if not (data_dir / "multilingual").is_dir() or not (data_dir / "davidson").is_dir():
        pytest.skip(f"no labeled data at {data_dir}")
    by_lang: dict[str, list[str]] = {}
    for row in multilingual_training.read_multilingual(data_dir):
        by_lang.setdefault(row["lang"], []).append(row["text"])
    by_lang["en"] = multilingual_training._raw_english(data_dir)
    rng = random.Random(14)
    texts = []
    for lang in sorted(by_lang):
        short = sorted({text.strip() for text in by_lang[lang] if 5 <= len(text.strip()) <= 200})
        texts += rng.sample(short, 150)
    texts += [text for rows in HANDWRITTEN.values() for text, _ in rows]
    texts += [text for rows in LANGUAGE_ONLY.values() for text in rows]
    return texts


def test_compact_identifier_decides_as_py3langid_restricted_one() -> None:
    reference = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    reference.set_languages(list(LANGUAGES))
    compact = build_detector()
    cleaned = [text_for_detection(text) for text in _real_sample()]
    expected = [reference.classify(text) for text in cleaned]
    assert [compact.classify(text) for text in cleaned] == expected  # language and confidence, exactly
    assert len({lang for lang, _ in expected}) >= 10
    assert compact.rank(cleaned[0]) == reference.rank(cleaned[0])


def test_compact_identifier_keeps_only_the_sites_languages() -> None:
    compact = build_detector()
    # A reset restores what the identifier holds: the restricted model, not py3langid's 142 languages.
    compact.set_languages(None)
    assert set(compact.labels) == set(LANGUAGES)
    reference = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    assert len(reference.labels) > 100
