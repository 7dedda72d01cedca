"""`flask moderation eval --group`: the report's shape and figures, through the real app CLI and pipeline.

The toxicity scores come from the FakeKeywordScorer (the figures are about the report, not the model); the spam
model, the phases and the word lists (the shipped suspect list, seeded by the migration) are the real ones.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
ROWS = [
    # text, spam, toxicity, source
    ("Join our VIP signals now t.me/pump_signals_vip", 1, 0, "forum"),
    ("Great article about the bitcoin halving, thanks", 0, 0, "forum"),
    ("you are an insult-word and everyone knows it", 0, 1, "forum"),
    ("free", 1, 0, "forum"),  # too short for the spam model, no link: published, a miss
    ("reject-word reject-word all the way down", 0, 1, "news"),
    ("Thanks for the clear explanation of the fees", 0, 0, "news"),
    (f"Send 0.1 BTC to {BTC} and get 0.2 back", 1, 0, "news"),
    ("what an asshole move by the council", 0, 1, "news"),
]


def write_csv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "spam", "toxicity", "source"])
        writer.writerows(ROWS)
    return path


@pytest.fixture
def eval_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "eval.csv")


def run_eval(app, *args: str):
    result = app.test_cli_runner().invoke(args=["moderation", "eval", *args])
    assert result.exit_code == 0, result.output
    return result


def test_eval_group_json_with_fake_toxicity_scorer_reports_groups_and_phases(app, eval_csv: Path) -> None:
    report = json.loads(run_eval(app, "--data", str(eval_csv), "--group", "source", "--json").output)
    assert report["group_column"] == "source"
    assert report["labels"] == ["spam", "toxicity"]
    groups = {group["group"]: group for group in report["groups"]}
    assert [group["group"] for group in report["groups"]] == ["all", "forum", "news"]
    assert [groups[name]["rows"] for name in ("all", "forum", "news")] == [8, 4, 4]

    forum, news, everything = groups["forum"], groups["news"], groups["all"]
    assert forum["phases"] == {"default": 2, "links": 1, "toxicity": 1}
    assert news["phases"] == {"default": 1, "links": 1, "toxicity": 1, "word_lists": 1}
    assert everything["published"] == 3
    # Any label: forum has 3 positives (1 missed), 1 negative (kept); news 3 positives caught, 1 negative kept.
    assert forum["outcomes"]["any"] == {"positives": 3, "negatives": 1, "caught": pytest.approx(2 / 3), "kept": 1.0}
    assert news["outcomes"]["any"] == {"positives": 3, "negatives": 1, "caught": 1.0, "kept": 1.0}
    assert everything["outcomes"]["spam"]["caught"] == pytest.approx(2 / 3)
    assert everything["outcomes"]["toxicity"] == {"positives": 3, "negatives": 5, "caught": 1.0, "kept": 0.6}
    # Toxicity negatives: 3 of 5 published (the 2 clean rows and "free"; links hold the other 2).
    # News toxicity: reject-word 0.99 and the suspect-term row 0.01 against two negatives at 0.01 (ties count half).
    assert news["roc_auc"]["toxicity"] == pytest.approx(0.75)
    assert news["roc_auc"]["spam"] == 1.0
    assert report["comments_per_second"] > 0


def test_eval_group_markdown_with_fake_toxicity_scorer(app, eval_csv: Path) -> None:
    output = run_eval(app, "--data", str(eval_csv), "--group", "source").output
    lines = [line for line in output.splitlines() if line.startswith("| ")]
    assert lines[0].startswith("| group | rows | spam ROC-AUC | toxicity ROC-AUC | any caught (pos) | any kept (neg) |")
    assert [line.split(" | ")[0] for line in lines[1:]] == ["| all", "| forum", "| news"]
    assert "| news | 4 |" in output and "word_lists 1" in output
    assert "66.7% of 3" in lines[2]  # forum: 2 of 3 positives not published


def test_eval_without_a_migrated_database_says_so(tmp_path: Path, eval_csv: Path) -> None:
    from engagement import create_app
    from tests.conftest import FakeKeywordScorer, TEST_SECRET

    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}",
        "JWT_SECRET": TEST_SECRET,
        "MODERATION_SCORER": FakeKeywordScorer(),
    })
    result = app.test_cli_runner().invoke(args=["moderation", "eval", "--data", str(eval_csv)])
    assert result.exit_code == 1
    assert "migrate it first" in result.output


def test_eval_rejects_an_unknown_group_column(app, eval_csv: Path) -> None:
    result = app.test_cli_runner().invoke(args=["moderation", "eval", "--data", str(eval_csv), "--group", "lang"])
    assert result.exit_code == 1
    assert "no `lang` column" in result.output


def test_toxicity_auc_reads_the_score_the_pipeline_decided_on():
    from engagement.moderation.multilingual import MULTILINGUAL_SCORE
    from engagement.moderation.training.evaluation import _deciding_score

    # zh/de/ko/ru texts are decided by the multilingual model, so their toxicity ranking is that model's.
    assert _deciding_score({"toxicity": 0.1, MULTILINGUAL_SCORE: 0.9}, "toxicity") == 0.9
    assert _deciding_score({"toxicity": 0.1, "spam": 0.7}, "toxicity") == 0.1
    assert _deciding_score({"toxicity": 0.1, MULTILINGUAL_SCORE: 0.9}, "spam") == 0.0
    assert _deciding_score(None, "toxicity") == 0.0
