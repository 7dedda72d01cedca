"""The embedded model on ONNX Runtime: Detoxify's scores without torch in the serving process.

The ONNX files are exported by the real path (a child process running engagement.moderation.onnx_export)
into the instance folder create_app uses, so the suite exports once and later runs reuse the files.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from engagement import create_app
from engagement.config import load_settings
from engagement.moderation.normalize import normalize_for_scoring
from engagement.moderation.onnx_runtime import OnnxScorer
from engagement.moderation.scoring import DetoxifyScorer, ModelLoadError, load_scorer
from engagement.moderation.training import datasets

REPOSITORY = Path(__file__).resolve().parents[2]
# Where create_app keeps its instance folder, and with it the assembled model and its exports.
INSTANCE = REPOSITORY / "instance"
PARITY = 0.01
VALIDATION_SAMPLE = 200
# Always scored, with or without the labeled data: lengths, languages, scripts, emoji and disguises.
TEXTS = [
    "Thanks for sharing, this was a really helpful article.",
    "I disagree with the author on taxes, but the argument is well made.",
    "You are a stupid idiot.",
    "Shut up, you worthless moron.",
    "You are a pathetic loser and everyone hates you.",
    "You are a s t u p i d idiot.",
    "I will find you and hurt you.",
    "What a fucking disgrace, these people should be thrown out of the country.",
    "Das ist ein sehr guter Artikel, danke!",
    "Du bist ein Idiot und niemand mag dich.",
    "Это отличная статья, спасибо автору.",
    "Ты тупой идиот.",
    "这篇文章写得很好，谢谢。",
    "你是个白痴。",
    "이 기사 정말 좋네요.",
    "Me encanta este artículo, gracias por compartirlo.",
    "Eres un imbécil y un inútil.",
    "Très bon article, merci beaucoup.",
    "Bitcoin to the moon 🚀🚀🚀 HODL!!!",
    "lol 😂😂 that's hilarious",
    "ok",
    "?",
    "The mayor's plan is a disaster and the council should vote it down. " * 12,
    "idiot " * 700,
]


@pytest.fixture(scope="module")
def detoxify_scorer() -> DetoxifyScorer:
    scorer = load_scorer({"MODERATION_RUNTIME": "detoxify"}, INSTANCE)
    assert isinstance(scorer, DetoxifyScorer)
    return scorer


@pytest.fixture(scope="module")
def onnx_scorer() -> OnnxScorer:
    scorer = load_scorer({"MODERATION_RUNTIME": "onnx"}, INSTANCE)
    assert isinstance(scorer, OnnxScorer)
    return scorer


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """The fixed texts, plus a deterministic sample of the embedded model's validation split where the data is."""
    fixed = [normalize_for_scoring(text) for text in TEXTS]
    data_dir = datasets.default_data_dir()
    if not all((data_dir / source).is_dir() for source in datasets.SOURCES):
        return fixed
    _, validation = datasets.split_rows(datasets.load_rows(data_dir))
    return fixed + [row["text"] for row in random.Random(14).sample(validation, VALIDATION_SAMPLE)]


@pytest.fixture(scope="module")
def reference(detoxify_scorer, texts) -> list[dict[str, float]]:
    """Detoxify's scores of the texts, in batches of 16."""
    return score_in_batches(detoxify_scorer, texts, 16)


def score_in_batches(scorer, texts: list[str], size: int) -> list[dict[str, float]]:
    return [scores for i in range(0, len(texts), size) for scores in scorer.score(texts[i : i + size])]


def largest_difference(left: list[dict[str, float]], right: list[dict[str, float]]) -> dict[str, float]:
    return {label: max(abs(a[label] - b[label]) for a, b in zip(left, right, strict=True)) for label in left[0]}


def test_onnx_scores_match_detoxify_within_a_hundredth(detoxify_scorer, onnx_scorer, texts, reference) -> None:
    assert onnx_scorer.labels == detoxify_scorer.labels
    # Batches of 16 pad texts of different lengths together, as concurrent posts are scored.
    differences = largest_difference(reference, score_in_batches(onnx_scorer, texts, 16))
    assert max(differences.values()) <= PARITY, differences
    # The sample is not all of one kind: toxic and benign texts are both in it.
    assert min(s["toxicity"] for s in reference) < 0.1 < 0.9 < max(s["toxicity"] for s in reference)


def test_onnx_scores_one_text_as_detoxify_does(detoxify_scorer, onnx_scorer) -> None:
    # A batch of one: no padding, and Detoxify's squeezed output shape.
    for text in TEXTS:
        reference = detoxify_scorer.score([normalize_for_scoring(text)])
        served = onnx_scorer.score([normalize_for_scoring(text)])
        assert max(largest_difference(reference, served).values()) <= PARITY, text


def test_onnx_keeps_the_model_name_and_version(detoxify_scorer, onnx_scorer) -> None:
    # Same network, same scores: stored moderation_model_version values stay comparable across the runtimes.
    assert (onnx_scorer.name, onnx_scorer.version) == (detoxify_scorer.name, detoxify_scorer.version)
    assert onnx_scorer.recommended_thresholds == detoxify_scorer.recommended_thresholds
    assert (onnx_scorer.runtime, detoxify_scorer.runtime) == ("onnxruntime-fp32", "detoxify")
    assert onnx_scorer.score([]) == []


def test_int8_is_opt_in_and_says_so_in_its_version(detoxify_scorer, texts, reference) -> None:
    scorer = load_scorer({"MODERATION_RUNTIME": "onnx-int8"}, INSTANCE)
    assert scorer.runtime == "onnxruntime-int8"
    assert scorer.version == f"{detoxify_scorer.version}-int8"
    served = score_in_batches(scorer, texts, 16)
    # Not within a hundredth on every text (README, Performance), but close on average.
    mean = sum(abs(a[label] - b[label]) for a, b in zip(reference, served) for label in a) / (len(texts) * len(scorer.labels))
    assert mean < PARITY


def test_runtime_setting_is_read_from_the_environment_and_checked() -> None:
    assert load_settings({})["MODERATION_RUNTIME"] == "onnx"
    assert load_settings({"ENGAGEMENT_MODERATION_RUNTIME": "Detoxify"})["MODERATION_RUNTIME"] == "detoxify"
    with pytest.raises(ValueError, match="ENGAGEMENT_MODERATION_RUNTIME"):
        load_settings({"ENGAGEMENT_MODERATION_RUNTIME": "tensorrt"})


def test_an_unknown_runtime_stops_start_up(tmp_path) -> None:
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/db.sqlite", "JWT_SECRET": "s" * 40}
    with pytest.raises(ModelLoadError, match="ENGAGEMENT_MODERATION_RUNTIME"):
        create_app({**config, "MODERATION_RUNTIME": "tensorrt"})


def test_checkpoints_other_than_embedded_stay_on_detoxify(tmp_path) -> None:
    from engagement.moderation.embedded import ensure_embedded_checkpoint

    assembled = ensure_embedded_checkpoint(INSTANCE)
    settings = {"MODERATION_RUNTIME": "onnx", "MODERATION_MODEL": str(assembled.checkpoint_path), "MODERATION_HF_CONFIG": str(assembled.hf_config_dir)}
    scorer = load_scorer(settings, tmp_path)
    assert scorer.runtime == "detoxify"
    assert scorer.name == f"checkpoint:{assembled.checkpoint_path.name}"


# Run in a fresh interpreter: this test process has imported torch through the other tests.
_WORKER = textwrap.dedent(
    """
    import json, logging, sys, threading
    from engagement import create_app
    from engagement.moderation.scoring import load_scorer

    exports = []
    class Count(logging.Handler):
        def emit(self, record):
            if record.getMessage().startswith("exporting the embedded model"):
                exports.append(record)
    logging.getLogger("engagement.moderation.onnx_runtime").addHandler(Count())

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1] + "/db.sqlite", "JWT_SECRET": "s" * 40})
    scorer = app.extensions["engagement"].scorer
    served = scorer.score(["You are a stupid idiot.", "Thanks for the article."])
    # Two loads racing on an instance folder that has no export yet: one export, both served.
    fresh = []
    threads = [threading.Thread(target=lambda: fresh.append(load_scorer({}, sys.argv[1] + "/instance"))) for _ in range(2)]
    for thread in threads: thread.start()
    for thread in threads: thread.join()
    print(json.dumps({
        "runtime": scorer.runtime,
        "scores": served,
        "fresh": [s.score(["You are a stupid idiot."])[0] for s in fresh],
        "exports": len(exports),
        "imported": sorted(m for m in ("torch", "transformers", "detoxify", "safetensors.torch") if m in sys.modules),
    }))
    """
)


def test_a_web_worker_scores_without_torch_and_exports_once(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _WORKER, str(tmp_path)], cwd=REPOSITORY, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["imported"] == []
    assert report["runtime"] == "onnxruntime-fp32"
    insult, thanks = report["scores"]
    assert insult["toxicity"] > 0.8 > 0.2 > thanks["toxicity"]
    assert report["exports"] == 1
    assert len(report["fresh"]) == 2 and report["fresh"][0] == report["fresh"][1]
    assert report["fresh"][0]["toxicity"] == pytest.approx(insult["toxicity"], abs=1e-6)
    exported = list((tmp_path / "instance" / "models").glob("embedded-*/onnx/*"))
    assert sorted(path.name for path in exported) == [
        "model-fp32.onnx", "model-fp32.onnx.data", "model-int8.onnx", "model-int8.onnx.data"
    ]
    # Nothing half-written is left behind: the staging folders were renamed or removed.
    assert not list((tmp_path / "instance" / "models").glob("embedded-*/.onnx-*"))
