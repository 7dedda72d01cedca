"""`train_embedded_model` end to end on a tiny data folder in the shared data's formats.

The texts are synthetic and few, so the figures mean nothing; what is tested is the machinery:
the three readers, the adapters, what is written, and that it assembles and loads through Detoxify.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from torch import nn

from engagement.moderation.embedded import (
    EmbeddedModelMissing,
    encoder_state_dict,
    ensure_embedded_checkpoint,
    load_embedded_model,
    merge_adapters,
)
from engagement.moderation.training.train import AdaptedLinear, train_embedded_model

BENIGN = ["thanks for the article {}", "what a lovely day in town {}", "the match starts at {} tonight"]
TOXIC = ["you are a stupid idiot {}", "shut up you worthless moron {}", "go away you pathetic loser {}"]


def _tiny_data(folder: Path, per_class: int = 12) -> Path:
    texts = {label: [t.format(i) for i in range(per_class) for t in templates][:per_class]
             for label, templates in (("benign", BENIGN), ("toxic", TOXIC))}
    (folder / "davidson").mkdir(parents=True)
    with (folder / "davidson" / "labeled_data.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["", "count", "hate_speech", "offensive_language", "neither", "class", "tweet"])
        for i, text in enumerate(texts["toxic"]):
            writer.writerow([i, 3, 0, 3, 0, 1, f"@someone {text}"])
        for i, text in enumerate(texts["benign"]):
            writer.writerow([100 + i, 3, 0, 0, 3, 2, f"{text} http://t.co/x"])
    (folder / "olid").mkdir()
    with (folder / "olid" / "olid-training-v1.0.tsv").open("w") as handle:
        handle.write("id\ttweet\tsubtask_a\tsubtask_b\tsubtask_c\n")
        for i, text in enumerate(texts["toxic"]):
            handle.write(f"{i}\t@USER olid {text} 😂😂\tOFF\tTIN\tIND\n")
        for i, text in enumerate(texts["benign"]):
            handle.write(f"{100 + i}\t@USER olid {text}\tNOT\tNULL\tNULL\n")
    (folder / "toxigen").mkdir()
    with (folder / "toxigen" / "statements.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "target_group"])
        for text in texts["toxic"]:
            writer.writerow([f"those people {text}", "hate", "asian"])
        for text in texts["benign"]:
            writer.writerow([f"those people {text}", "neutral", "asian"])
    return folder


def test_an_adapter_computes_what_its_merged_weight_computes() -> None:
    torch.manual_seed(0)
    base = nn.Linear(8, 6)
    adapted = AdaptedLinear(base, rank=2)
    with torch.no_grad():
        adapted.lora_b.normal_()
    inputs = torch.randn(3, 8)
    stored = {"w.lora_a": adapted.lora_a.detach(), "w.lora_b": adapted.lora_b.detach() * adapted.scale}
    merged = merge_adapters({"w": base.weight.detach()}, stored)["w"]
    assert torch.allclose(adapted(inputs), inputs @ merged.T + base.bias, atol=1e-5)
    assert not torch.allclose(merged, base.weight)


@pytest.mark.parametrize("factor", ["w.lora_a", "w.lora_b"])
def test_an_adapter_with_one_factor_is_refused(factor: str) -> None:
    shape = (2, 8) if factor.endswith("a") else (6, 2)
    with pytest.raises(EmbeddedModelMissing, match="lacks one of its two factors"):
        merge_adapters({"w": torch.zeros(6, 8)}, {factor: torch.zeros(shape)})


def test_training_writes_small_weights_that_assemble_and_load_through_detoxify(tmp_path: Path) -> None:
    data = _tiny_data(tmp_path / "data")
    weights = tmp_path / "weights"
    meta = train_embedded_model(
        data, weights, epochs=1, trainable_layers=1, adapted_layers=1, adapter_rank=4, batch_size=8
    )

    written = json.loads((weights / "embedded-model.json").read_text())
    assert written["version"] == meta["version"] == written["sha256"][:12]
    assert written["training"]["adapted_layers"] == 1
    assert set(written["validation"]["toxicity_roc_auc_by_source"]) == {"davidson", "olid", "toxigen"}
    tensors = load_file(str(weights / written["weights_file"]))
    assert {t.dtype for t in tensors.values()} == {torch.float16}
    query = "bert.encoder.layer.4.attention.self.query.weight"
    assert tensors[query + ".lora_a"].shape == (4, 384)
    assert "bert.encoder.layer.5.output.dense.weight" in tensors  # the top layer ships whole
    assert not any(key.startswith("bert.encoder.layer.3.") for key in tensors)  # frozen below

    checkpoint = ensure_embedded_checkpoint(tmp_path / "instance", weights)
    served = torch.load(checkpoint.checkpoint_path, map_location="cpu", weights_only=True)["state_dict"]
    encoder = encoder_state_dict()
    expected = encoder[query] + tensors[query + ".lora_b"].float() @ tensors[query + ".lora_a"].float()
    assert torch.allclose(served[query], expected)
    assert torch.equal(served["bert.encoder.layer.3.output.dense.weight"], encoder["bert.encoder.layer.3.output.dense.weight"])

    scores = load_embedded_model(checkpoint).predict(["thanks for the article", "you are a stupid idiot"])
    assert set(scores) == set(meta["labels"])


def test_train_command_passes_its_options_through(app, tmp_path: Path) -> None:
    data = _tiny_data(tmp_path / "data")
    weights = tmp_path / "weights"
    result = app.test_cli_runner().invoke(
        args=["moderation", "train", "--data-dir", str(data), "--weights-dir", str(weights), "--epochs", "1",
              "--trainable-layers", "1", "--adapted-layers", "2", "--adapter-rank", "2", "--float32"]
    )
    assert result.exit_code == 0, result.output
    training = json.loads((weights / "embedded-model.json").read_text())["training"]
    assert (training["epochs"], training["adapted_layers"], training["adapter_rank"]) == (1, 2, 2)
    assert training["bfloat16_autocast"] is False
    assert "validation toxicity ROC-AUC" in result.output


@pytest.mark.parametrize("command", ["train", "eval"])
def test_offline_commands_name_the_missing_extra(app, tmp_path: Path, monkeypatch, command: str) -> None:
    # As on an API host installed without the `train` extra: scikit-learn cannot be imported.
    for name in [name for name in sys.modules if name.split(".")[0] == "sklearn"] + ["sklearn"]:
        monkeypatch.setitem(sys.modules, name, None)
    for name in [name for name in sys.modules if name.startswith("engagement.moderation.training.")]:
        if not name.endswith(".cli"):
            monkeypatch.delitem(sys.modules, name)
    args = ["--data-dir", str(tmp_path)] if command == "train" else ["--data", str(tmp_path / "eval.csv")]
    result = app.test_cli_runner().invoke(args=["moderation", command, *args])
    assert result.exit_code == 1
    assert "pip install 'engagement[train]'" in result.output
