"""The language phase, the multilingual phase and the routing between the models (issue 12)."""

from __future__ import annotations

import pytest

from engagement.moderation.language import identify_language
from engagement.moderation.moderator import prepare_input
from engagement.moderation.multilingual import ENGLISH, MULTILINGUAL, MULTILINGUAL_SCORE, UNCOVERED, route_language
from engagement.moderation.phases import (
    LanguagePhase,
    MultilingualPhase,
    ToxicityPhase,
    build_pipeline,
    uncovered_language_policy,
)
from engagement.moderation.pipeline import HOLD, PUBLISH, AuthorHistory, ModelScores, ScreeningInput
from engagement.moderation.policy import ModerationPolicy
from engagement.vocabulary import ModerationReason


def item(language: str | None, text: str = "text", role: str = "user") -> ScreeningInput:
    return ScreeningInput(text=text, normalized=text, language=language, author=AuthorHistory(role=role))


def scores(**values: float) -> ModelScores:
    return ModelScores(lambda: dict(values))


@pytest.mark.parametrize(
    ("lang", "route"),
    [("en", ENGLISH), (None, ENGLISH), ("zh", MULTILINGUAL), ("ru", MULTILINGUAL), ("de", MULTILINGUAL),
     ("ko", MULTILINGUAL), ("ja", UNCOVERED), ("vi", UNCOVERED), ("es", UNCOVERED)],
)  # fmt: skip
def test_route_language(lang, route):
    assert route_language(lang) == route


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ты полный идиот, заткнись, урод.", "ru"),
        ("你是个白痴，闭嘴吧，蠢货。", "zh"),
        ("Great article, thanks", "en"),
        ("BTC to the moon 🚀", "en"),  # the acronym is dropped; what is left is English
        ("HODL and ignore the FUD, paper hands always sell the bottom", "en"),
        ("Mày là thằng ngu, câm mồm đi.", "vi"),
        ("바보야", "ko"),  # three Hangul syllables carry a word: identified
        # Too short or too unsure: unknown, never held as an uncovered language.
        ("lol", None), ("ok ok", None), ("gm gm frens", None), ("WAGMI LFG 🚀🚀", None), ("🚀🚀🚀", None),
        ("BTC naik terus gan 🚀", None), ("comment 5", None), ("Danke!", None),
    ],
)  # fmt: skip
def test_identify_language_is_unsure_about_short_and_code_mixed_texts(text, expected):
    assert identify_language(text) == expected


def test_prepare_input_identifies_once_and_keeps_a_given_language():
    assert prepare_input("Спасибо за статью, очень интересно.").language == "ru"
    text = "Спасибо за статью, очень интересно."
    assert prepare_input(text, language="uk").language == "uk"


def test_language_phase_holds_uncovered_languages_unless_scored_or_overridden():
    phase = LanguagePhase("hold", {"es": "score"})
    held = phase.evaluate(item("vi"), scores())
    assert (held.status, held.reason, held.details["matched"]) == (HOLD, ModerationReason.UNCOVERED_LANGUAGE, ["vi"])
    assert phase.evaluate(item("es"), scores()) is None
    for covered in ("en", "zh", "ru", None):
        assert phase.evaluate(item(covered), scores()) is None
    assert phase.evaluate(item("vi", role="moderator"), scores()) is None
    scored = LanguagePhase("score", {"ar": "hold"})
    assert scored.evaluate(item("vi"), scores()) is None
    assert scored.evaluate(item("ar"), scores()).reason == ModerationReason.UNCOVERED_LANGUAGE


def test_uncovered_language_policy_parses_and_rejects_bad_values():
    assert uncovered_language_policy({"UNCOVERED_LANGUAGE": "Score", "UNCOVERED_LANGUAGE_OVERRIDES": ["es:hold"]}) == (
        "score", {"es": "hold"},
    )  # fmt: skip
    assert uncovered_language_policy({}) == ("hold", {})
    with pytest.raises(ValueError, match="hold|score"):
        uncovered_language_policy({"UNCOVERED_LANGUAGE": "publish"})
    with pytest.raises(ValueError, match="es:maybe"):
        uncovered_language_policy({"UNCOVERED_LANGUAGE_OVERRIDES": ["es:maybe"]})


def test_multilingual_phase_holds_at_the_language_threshold_only():
    phase = MultilingualPhase({"ru": 0.3, "zh": 0.5})
    held = phase.evaluate(item("ru"), scores(**{MULTILINGUAL_SCORE: 0.31}))
    assert (held.status, held.phase, held.labels) == (HOLD, "multilingual", ("toxicity",))
    assert phase.evaluate(item("zh"), scores(**{MULTILINGUAL_SCORE: 0.31})) is None
    assert phase.evaluate(item("en"), scores(**{MULTILINGUAL_SCORE: 0.99})) is None


def test_the_english_model_does_not_decide_texts_the_multilingual_model_reads():
    settings = {"MODERATION_PHASES": ["multilingual", "toxicity"], "MODERATION_CIVIL_CRITICISM": False}
    policy = ModerationPolicy.from_settings({})
    pipeline = build_pipeline(settings, policy, None, {"ru": 0.3, "ja": 0.1, "*": 0.5})
    toxicity = next(phase for phase in pipeline.phases if isinstance(phase, ToxicityPhase))
    assert toxicity.skip_languages == frozenset({"ru"})  # ja has a threshold but is not a scored language
    russian = pipeline.run(item("ru"), scores(toxicity=0.99, **{MULTILINGUAL_SCORE: 0.1}))
    assert russian.decision.status == PUBLISH
    english = pipeline.run(item("en"), scores(toxicity=0.99))
    assert english.decision.phase == "toxicity"
    # Until the multilingual model is loaded, its phase waits and the English model keeps every language.
    waiting = build_pipeline(settings, policy, None, None)
    assert waiting.names == ("toxicity",)
