"""The publication policy on given scores (no model involved)."""

from unittest import mock

import pytest

from engagement.moderation import moderator as moderator_module
from engagement.moderation.policy import ModerationPolicy

CLEAN = {"toxicity": 0.01, "insult": 0.01, "threat": 0.0001}
POLICY = ModerationPolicy({"toxicity": 0.5, "insult": 0.3}, reject_threshold=0.95)


@pytest.mark.parametrize(
    ("scores", "status", "labels"),
    [
        (CLEAN, "published", []),
        ({**CLEAN, "insult": 0.3}, "pending_review", ["insult"]),
        ({**CLEAN, "toxicity": 0.7, "insult": 0.4}, "pending_review", ["insult", "toxicity"]),
        ({**CLEAN, "toxicity": 0.95}, "rejected", ["toxicity"]),
        ({**CLEAN, "threat": 0.99}, "published", []),  # a label without a threshold never holds
    ],
)
def test_thresholds(scores, status, labels):
    decision = POLICY.decide(scores)
    assert (decision.status, decision.labels) == (status, labels)


def test_no_reject_threshold_disables_auto_reject():
    assert ModerationPolicy({"toxicity": 0.5}, reject_threshold=None).decide({"toxicity": 0.999}).status == "pending_review"


@pytest.mark.parametrize("text", ["i will find you and hurt you.", "i'll kill you", "you should die.", "kys"])
def test_explicit_threats_are_held_even_when_the_model_scores_them_clean(text):
    decision = POLICY.decide(CLEAN, text)
    assert (decision.status, decision.labels) == ("pending_review", ["threat"])


@pytest.mark.parametrize("text", ["this tax will kill small businesses.", "the new law hurts you and me", "great article"])
def test_ordinary_text_is_not_taken_for_a_threat(text):
    assert POLICY.decide(CLEAN, text).status == "published"


def test_threat_phrases_can_be_switched_off():
    policy = ModerationPolicy.from_settings({"MODERATION_THREAT_PHRASES": False, "REJECT_THRESHOLD": 0.95})
    assert policy.decide(CLEAN, "i'll kill you").status == "published"


def test_environment_thresholds_beat_the_models_which_replace_the_defaults():
    from_model = ModerationPolicy.from_settings({"REJECT_THRESHOLD": 0.95}, {"toxicity": 0.48, "insult": 0.28})
    assert from_model.hold_thresholds == {"toxicity": 0.48, "insult": 0.28} and from_model.source == "model"
    overridden = ModerationPolicy.from_settings({"HOLD_THRESHOLDS": {"toxicity": 0.7}}, {"toxicity": 0.48})
    assert overridden.hold_thresholds["toxicity"] == 0.7 and overridden.source == "environment"


def test_the_model_and_the_threat_rule_read_the_text_normalized_once(app, fake_scorer) -> None:
    moderator = app.extensions["engagement"]
    with mock.patch.object(moderator_module, "normalize_for_scoring", wraps=moderator_module.normalize_for_scoring) as normalize:
        result = moderator.moderate("I W1LL HURT Y0U")
    assert normalize.call_count == 1
    assert fake_scorer.calls[-1] == ["i will hurt you"]
    assert result.status == "pending_review" and result.labels == ["threat"]
