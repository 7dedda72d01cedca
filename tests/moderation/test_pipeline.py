"""The pipeline's order and each phase's rule, on plain inputs (no database, no model: scores are given)."""

from __future__ import annotations

import pytest

from engagement.moderation.criticism import is_civil_criticism
from engagement.moderation.normalize import expand_crypto_slang, normalize_for_scoring
from engagement.moderation.phases import (
    LinksPhase,
    NewCommenterPhase,
    RecentHistoryPhase,
    RepeatPhase,
    SpamModelPhase,
    StaffPhase,
    ThreatPhase,
    ToxicityPhase,
    WordListPhase,
)
from engagement.moderation.signals import Finding
from engagement.moderation.terms import Term, TermMatcher
from engagement.moderation.pipeline import (
    HOLD,
    PUBLISH,
    REJECT,
    AuthorHistory,
    ModelScores,
    Pipeline,
    ScreeningInput,
    WordLists,
)


def item(text: str, word_lists: WordLists | None = None, **author) -> ScreeningInput:
    return ScreeningInput(
        text=text, normalized=normalize_for_scoring(text), author=AuthorHistory(**author), word_lists=word_lists
    )


def given_scores(**values: float) -> ModelScores:
    return ModelScores(lambda: dict(values))


def matcher(*terms: str | Term) -> TermMatcher:
    return TermMatcher([t if isinstance(t, Term) else Term(t) for t in terms], normalize_for_scoring)


class TestTermMatcher:
    def test_word_bounded_in_spaced_scripts(self):
        words = matcher("ass", "paper hands")
        assert words.find(normalize_for_scoring("You ASS")) == ["ass"]
        assert words.find(normalize_for_scoring("a classic assessment")) == []
        assert words.find(normalize_for_scoring("Paper  hands sell")) == ["paper hands"]

    def test_evasions_fold_to_the_listed_term(self):
        words = matcher("idiot")
        for disguised in ("1d10t", "i.d.i.o.t", "ｉｄｉｏｔ", "іdіоt", "idiooooot"):
            assert words.find(normalize_for_scoring(f"you {disguised}")) == ["idiot"], disguised

    def test_substring_in_cjk(self):
        words = matcher("白痴", "バカ")
        assert words.find(normalize_for_scoring("你是个白痴，闭嘴吧")) == ["白痴"]
        assert words.find(normalize_for_scoring("このバカやろう")) == ["バカ"]

    def test_language_scoped_terms(self):
        words = matcher(Term("puta", "es"))
        assert words.find("eres una puta", "es") == ["puta"]
        assert words.find("eres una puta", "pt") == []
        assert words.find("eres una puta", None) == ["puta"]  # unknown language: every list applies

    def test_empty_matcher_matches_nothing(self):
        assert matcher().find("anything at all") == []


class TestPhases:
    def test_banned_rejects_before_suspect_holds(self):
        lists = WordLists(banned=matcher("scamword"), suspect=matcher("moron"))
        phase = WordListPhase()
        decision = phase.evaluate(item("what a moron, scamword", lists), given_scores())
        assert (decision.status, decision.reason, decision.details["matched"]) == (REJECT, "banned_term", ["scamword"])
        decision = phase.evaluate(item("what a moron", lists), given_scores())
        assert (decision.status, decision.reason, decision.details["matched"]) == (HOLD, "suspect_term", ["moron"])
        assert phase.evaluate(item("what a morning", lists), given_scores()) is None
        assert phase.evaluate(item("what a moron"), given_scores()) is None  # no lists handed in

    def test_links_hold_unless_trusted(self):
        phase = LinksPhase(detect=lambda text: [Finding("telegram", "t.me/pump", (5, 14))] if "t.me" in text else [], trusted_after=5)
        decision = phase.evaluate(item("join t.me/pump"), given_scores())
        assert decision.status == HOLD and decision.explain() == "links (t.me/pump)"
        assert phase.evaluate(item("join t.me/pump", approved_count=5), given_scores()) is None
        assert phase.evaluate(item("join t.me/pump", role="moderator"), given_scores()) is None

    def test_new_commenters_wait_for_approvals(self):
        phase = NewCommenterPhase(approved_needed=2)
        assert phase.evaluate(item("hello", approved_count=1), given_scores()).status == HOLD
        assert phase.evaluate(item("hello", approved_count=2), given_scores()) is None

    def test_recent_rejections_hold_everything(self):
        phase = RecentHistoryPhase(max_rejections=3)
        assert phase.evaluate(item("hi", recent_rejections=3), given_scores()).labels == ("recent_rejections",)
        assert phase.evaluate(item("hi", recent_rejections=2), given_scores()) is None

    def test_repeats_and_floods_are_spam(self):
        phase = RepeatPhase(max_by_author=1, max_by_others=3)
        assert phase.evaluate(item("buy now", repeats_by_author=1), given_scores()).reason == "repeat_post"
        assert phase.evaluate(item("buy now", repeats_by_others=3), given_scores()).reason == "flood"
        assert phase.evaluate(item("buy now", repeats_by_others=2), given_scores()) is None

    def test_spam_model_threshold(self):
        phase = SpamModelPhase(threshold=0.7)
        text = "earn big daily returns"
        assert phase.evaluate(item(text), given_scores(spam=0.71)).status == HOLD
        assert phase.evaluate(item(text), given_scores(spam=0.69)) is None
        assert phase.evaluate(item(text), given_scores(toxicity=0.9)) is None  # no spam model: passes
        assert phase.evaluate(item("free"), given_scores(spam=0.99)) is None  # too short to judge

    def test_toxicity_holds_and_rejects(self):
        phase = ToxicityPhase(hold_thresholds={"toxicity": 0.6, "insult": 0.5}, reject_threshold=0.95)
        assert phase.evaluate(item("x"), given_scores(toxicity=0.2, insult=0.1)) is None
        held = phase.evaluate(item("x"), given_scores(toxicity=0.7, insult=0.55))
        assert (held.status, held.labels) == (HOLD, ("insult", "toxicity"))
        assert phase.evaluate(item("x"), given_scores(toxicity=0.97)).status == REJECT

    def test_threat_detector_holds(self):
        phase = ThreatPhase(detect=lambda text: ["hope you die"] if "hope you die" in text else [])
        assert phase.evaluate(item("I hope you die"), given_scores()).labels == ("threat",)


class TestPipeline:
    def test_a_hold_keeps_its_phase_and_gathers_the_later_holds_labels(self):
        calls = []
        scores = ModelScores(lambda: calls.append(1) or {"toxicity": 0.7})
        pipeline = Pipeline([
            LinksPhase(detect=lambda text: [Finding("url", "scam.example", (6, 18))], trusted_after=3),
            ToxicityPhase(hold_thresholds={"toxicity": 0.5}, reject_threshold=0.95),
        ])
        result = pipeline.run(item("visit scam.example"), scores)
        assert (result.decision.phase, result.decision.status, result.decision.reason) == ("links", HOLD, "links")
        assert result.decision.labels == ("toxicity", "url")
        assert result.decision.details["also_held_by"] == ["toxicity"]
        assert result.scores == {"toxicity": 0.7} and calls == [1]
        assert result.trace == ("links", "toxicity")

    def test_a_later_rejection_overrules_an_earlier_hold(self):
        pipeline = Pipeline([
            RepeatPhase(max_by_author=1, max_by_others=3),
            ToxicityPhase(hold_thresholds={"toxicity": 0.5}, reject_threshold=0.95),
        ])
        result = pipeline.run(item("you idiot", repeats_by_author=1), given_scores(toxicity=0.99))
        assert (result.decision.status, result.decision.phase) == (REJECT, "toxicity")
        assert result.decision.labels == ("spam", "toxicity")

    def test_models_score_a_text_no_phase_asked_about(self):
        calls = []
        pipeline = Pipeline([RecentHistoryPhase(max_rejections=1)])
        result = pipeline.run(item("hi", recent_rejections=1), ModelScores(lambda: calls.append(1) or {"toxicity": 0.1}))
        assert result.decision.status == HOLD and result.scores == {"toxicity": 0.1} and calls == [1]

    def test_a_rejection_skips_the_models(self):
        calls = []
        pipeline = Pipeline([WordListPhase()])
        lists = WordLists(banned=matcher("banned"), suspect=matcher())
        result = pipeline.run(item("banned", lists), ModelScores(lambda: calls.append(1) or {}))
        assert result.decision.status == REJECT and result.scores is None and calls == []

    def test_everything_passes_publishes(self):
        pipeline = Pipeline([StaffPhase(), ToxicityPhase(hold_thresholds={"toxicity": 0.5}, reject_threshold=None)])
        result = pipeline.run(item("nice article"), given_scores(toxicity=0.1))
        assert (result.decision.status, result.decision.phase) == (PUBLISH, "default")

    def test_staff_phase_publishes_staff(self):
        pipeline = Pipeline([StaffPhase(), ToxicityPhase(hold_thresholds={"toxicity": 0.5}, reject_threshold=None)])
        result = pipeline.run(item("moderator note", role="admin"), given_scores(toxicity=0.9))
        assert result.decision.phase == "staff"

    def test_a_failing_model_does_not_undo_an_earlier_hold(self):
        def broken():
            raise RuntimeError("model down")

        pipeline = Pipeline([RecentHistoryPhase(max_rejections=1)])
        result = pipeline.run(item("hi", recent_rejections=1), ModelScores(broken))
        assert result.decision.status == HOLD and result.scores is None

    def test_phase_names_are_unique(self):
        with pytest.raises(ValueError):
            Pipeline([StaffPhase(), StaffPhase()])


class TestCivilCriticismAndSlang:
    def test_civil_criticism_is_published_where_the_model_would_hold_and_held_where_it_would_reject(self):
        phase = ToxicityPhase(hold_thresholds={"toxicity": 0.6}, reject_threshold=0.95, civil_criticism=is_civil_criticism)
        assert phase.evaluate(item("The council is useless and corrupt."), given_scores(toxicity=0.92)) is None
        held = phase.evaluate(item("Politicians are all liars and thieves."), given_scores(toxicity=0.96))
        assert (held.status, held.details["civil_criticism"]) == (HOLD, True)
        for abuse in ("You are useless and corrupt.", "The minister is a complete idiot.", "immigrants are useless"):
            assert phase.evaluate(item(abuse), given_scores(toxicity=0.92)).status == HOLD, abuse
        assert phase.evaluate(item("The minister is a complete idiot."), given_scores(toxicity=0.99)).status == REJECT

    def test_crypto_slang_is_spelled_out_for_the_model_only(self):
        assert expand_crypto_slang(normalize_for_scoring("HODL and ignore the FUD, paper hands")) == (
            "hold and ignore the doubt, nervous sellers"
        )
        assert expand_crypto_slang("refund the fudge") == "refund the fudge"  # whole words only
