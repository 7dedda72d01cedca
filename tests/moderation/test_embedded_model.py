"""The embedded model through the real Detoxify loading path, assembled into a temporary instance folder."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

from engagement.moderation import embedded
from engagement.moderation.embedded import (
    EmbeddedCheckpoint,
    EmbeddedModelMissing,
    ensure_embedded_checkpoint,
    load_embedded_model,
)
from engagement.moderation.normalize import normalize_for_scoring

INSULT = "You are a stupid idiot."
DISGUISED_INSULTS = [
    "You are a s\u200btu\u200cpid i\u200bdi\u200dot.",  # zero-width characters
    "You are a s t u p i d idiot.",
    "You are a stupid i.d.i.o.t.",
    "You are a ｓｔｕｐｉｄ ｉｄｉｏｔ.",  # full-width
    "You are a stuріd іdіоt.",  # Cyrillic р, і, о
    "You are a stup1d 1d10t.",  # leetspeak
    "You are a stuuuuupid idiooooot.",
]
BENIGN = [
    "Thanks for sharing, this was a really helpful article.",
    "I disagree with the author on taxes, but the argument is well made.",
    "What time does the library open on Sundays?",
]
INSULTS = [INSULT, "Shut up, you worthless moron.", "You are a pathetic loser and everyone hates you."]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedCheckpoint:
    return ensure_embedded_checkpoint(tmp_path_factory.mktemp("instance"))


@pytest.fixture(scope="module")
def score(checkpoint: EmbeddedCheckpoint) -> Any:
    model = load_embedded_model(checkpoint)

    def score_texts(texts: list[str]) -> list[dict[str, float]]:
        raw = model.predict([normalize_for_scoring(text) for text in texts])
        # Detoxify returns plain floats instead of lists for a batch of one.
        columns = {label: values if isinstance(values, list) else [values] for label, values in raw.items()}
        return [{label: float(columns[label][i]) for label in columns} for i in range(len(texts))]

    return score_texts


def test_checkpoint_is_assembled_in_the_instance_folder(checkpoint: EmbeddedCheckpoint) -> None:
    assert checkpoint.checkpoint_path.is_file()
    assert checkpoint.checkpoint_path.parent.name == f"embedded-{checkpoint.version}"
    config = json.loads((checkpoint.hf_config_dir / "config.json").read_text())
    assert config["num_labels"] == len(checkpoint.labels)
    assert (checkpoint.hf_config_dir / "vocab.txt").is_file()
    assert {"toxicity", "insult", "identity_attack", "threat"} <= set(checkpoint.labels)
    assert set(checkpoint.thresholds) <= set(checkpoint.labels)


def test_shipped_adapters_are_merged_into_the_served_weights(checkpoint: EmbeddedCheckpoint) -> None:
    import torch
    from safetensors.torch import load_file

    shipped = load_file(str(embedded.WEIGHTS_DIR / embedded.HEAD_FILENAME))
    adapted = sorted(key.removesuffix(embedded.LORA_A_SUFFIX) for key in shipped if key.endswith(embedded.LORA_A_SUFFIX))
    assert adapted, "the shipped weights carry no adapters"
    served = torch.load(checkpoint.checkpoint_path, map_location="cpu", weights_only=True)["state_dict"]
    encoder = embedded.encoder_state_dict()
    for key in adapted:
        update = shipped[key + embedded.LORA_B_SUFFIX].float() @ shipped[key + embedded.LORA_A_SUFFIX].float()
        assert torch.allclose(served[key], encoder[key] + update)
        assert not torch.allclose(served[key], encoder[key])


def test_second_call_reuses_the_checkpoint(checkpoint: EmbeddedCheckpoint, monkeypatch: pytest.MonkeyPatch) -> None:
    instance_dir = checkpoint.checkpoint_path.parents[2]
    modified = checkpoint.checkpoint_path.stat().st_mtime_ns

    def fail(*args: object) -> None:
        raise AssertionError("reassembled an existing checkpoint")

    monkeypatch.setattr(embedded, "_assemble", fail)
    assert ensure_embedded_checkpoint(instance_dir) == checkpoint
    assert checkpoint.checkpoint_path.stat().st_mtime_ns == modified


def test_benign_text_scores_low_and_insults_high(score: Any, checkpoint: EmbeddedCheckpoint) -> None:
    hold = checkpoint.thresholds["toxicity"]
    assert all(s["toxicity"] < hold for s in score(BENIGN))
    assert all(s["toxicity"] > 0.8 for s in score(INSULTS))
    assert score([INSULT])[0]["insult"] > checkpoint.thresholds["insult"]


@pytest.mark.parametrize("disguised", DISGUISED_INSULTS)
def test_disguised_insult_scores_like_the_plain_one(score: Any, disguised: str) -> None:
    plain, variant = score([INSULT, disguised])
    assert variant["toxicity"] == pytest.approx(plain["toxicity"], abs=0.05)
    assert variant["insult"] == pytest.approx(plain["insult"], abs=0.05)


def test_threat_is_not_modeled(score: Any) -> None:
    # No training source separates threats; the head pins the output near zero rather than guess.
    assert max(s["threat"] for s in score(BENIGN + INSULTS)) < 0.001


def _copy_weights(target: Path) -> Path:
    shutil.copytree(embedded.WEIGHTS_DIR, target)
    return target


def test_hash_mismatch_is_refused(tmp_path: Path) -> None:
    weights = _copy_weights(tmp_path / "weights")
    meta_path = weights / embedded.META_FILENAME
    meta = json.loads(meta_path.read_text())
    meta["sha256"] = "0" * 64
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(EmbeddedModelMissing, match="sha256"):
        ensure_embedded_checkpoint(tmp_path / "instance", weights)
    assert not (tmp_path / "instance" / "models").exists()


def test_missing_weights_are_named(tmp_path: Path) -> None:
    weights = _copy_weights(tmp_path / "weights")
    (weights / embedded.HEAD_FILENAME).unlink()
    with pytest.raises(EmbeddedModelMissing, match=embedded.HEAD_FILENAME):
        ensure_embedded_checkpoint(tmp_path / "instance", weights)
    (weights / embedded.META_FILENAME).unlink()
    with pytest.raises(EmbeddedModelMissing, match=embedded.META_FILENAME):
        ensure_embedded_checkpoint(tmp_path / "instance", weights)


def test_concurrent_first_use_yields_one_complete_checkpoint(tmp_path: Path) -> None:
    results: list[EmbeddedCheckpoint] = []
    errors: list[BaseException] = []

    def assemble() -> None:
        try:
            results.append(ensure_embedded_checkpoint(tmp_path))
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=assemble) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert results[0] == results[1]
    assert [p.name for p in (tmp_path / "models").iterdir()] == [results[0].checkpoint_path.parent.name]
    assert results[0].checkpoint_path.is_file()
