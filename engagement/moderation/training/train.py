"""Train the embedded model's small part: the top encoder layers, the pooler and the classifier,
plus low-rank adapters on the layers below them.

Layers are split three ways, from the top: `trainable_layers` are trained whole, the next
`adapted_layers` get low-rank adapters (LoRA: W + B·A with rank `adapter_rank`) on every linear
map, and any left at the bottom stay frozen, their output computed once per text and cached.
Adapters let the whole encoder adapt to tweets while what ships stays small: only the trained
tensors and the adapter factors are written (float16), and assembly merges B·A into the encoder.
"""

from __future__ import annotations

import json
import logging
import math
import platform
import random
import tempfile
import time
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import torch
import transformers
from safetensors.torch import save_file
from torch import nn
from transformers import BertConfig, BertForSequenceClassification, BertTokenizer
from transformers.masking_utils import create_bidirectional_mask

from engagement.moderation.embedded import (
    ADAPTER_SUFFIXES,
    EMBEDDED_MODEL_NAME,
    ENCODER_PACKAGE,
    HEAD_FILENAME,
    LORA_A_SUFFIX,
    LORA_B_SUFFIX,
    META_FILENAME,
    WEIGHTS_DIR,
    encoder_dir,
    encoder_state_dict,
    ensure_embedded_checkpoint,
    hf_config,
    load_embedded_model,
    merge_adapters,
)
from engagement.moderation.loading import file_sha256
from engagement.moderation.training.datasets import (
    LABEL_MAPPING,
    LABELS,
    SOURCES,
    Row,
    load_rows,
    split_rows,
)
from engagement.moderation.training.evaluation import (
    compute_report,
    threshold_for_precision,
    threshold_for_recall,
)

logger = logging.getLogger(__name__)

# Hold when doubtful: the toxicity threshold is the highest score that still catches 90% of the validation
# positives. Insult and identity_attack mostly overlap toxicity; held at a recall target of their own they
# held a third of the benign comments, so they hold only where at least half of what they flag is right.
# Labels the data cannot support get no hold threshold.
HOLD_RECALL_TARGETS: dict[str, float] = {"toxicity": 0.90}
HOLD_PRECISION_TARGETS: dict[str, float] = {"insult": 0.5, "identity_attack": 0.5}
# Automatic rejection only where the validation split (overall and OLID alone) says it is near sure.
REJECT_PRECISION_TARGET = 0.97
# Threat has no training signal: its output is pinned near zero instead of left random.
UNMODELED_LABELS: tuple[str, ...] = ("threat",)
UNMODELED_BIAS = -9.0
LABEL_STATUS: dict[str, str] = {
    "toxicity": "supervised (all three sources)",
    "insult": "supervised (OLID targeted-individual offence)",
    "identity_attack": "supervised (Davidson hate speech, OLID targeted-group offence, ToxiGen hate)",
    "obscene": "weak (human 'toxic' label intersected with a profanity lexicon); no hold threshold",
    "severe_toxicity": "weak proxy (unanimous Davidson hate speech); no hold threshold",
    "threat": "not modeled; constant near 0; no hold threshold",
}


def train_embedded_model(
    data_dir: str | Path,
    weights_dir: str | Path = WEIGHTS_DIR,
    seed: int = 13,
    epochs: int = 3,
    trainable_layers: int = 2,
    adapted_layers: int = 2,
    adapter_rank: int = 16,
    batch_size: int = 32,
    encoder_learning_rate: float = 1.5e-4,
    adapter_learning_rate: float = 1e-3,
    head_learning_rate: float = 2e-3,
    max_length: int = 128,
    source_weights: Mapping[str, float] | None = None,
    threads: int = 2,
    bfloat16: bool | None = None,
) -> dict[str, Any]:
    """Train on `data_dir`, write the trained weights and their json into `weights_dir`, return the json."""
    started = time.perf_counter()
    torch.set_num_threads(threads)
    # bfloat16 matrix products where oneDNN supports them on this CPU: training steps about 1.2x
    # faster on an AMX machine. Weights, optimizer state and the loss stay float32, and every figure and
    # threshold is measured in float32, the way Detoxify serves the model.
    if bfloat16 is None:
        bfloat16 = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=bfloat16)
    _seed_everything(seed)
    source_weights = dict(source_weights or {"davidson": 1.0, "olid": 3.0, "toxigen": 3.0})
    rows = load_rows(data_dir)
    train_rows, validation_rows = split_rows(rows)
    logger.info("training on %d rows, validating on %d", len(train_rows), len(validation_rows))

    model = build_classifier(LABELS)
    frozen = model.config.num_hidden_layers - trainable_layers - adapted_layers
    if frozen < 0 or trainable_layers < 0 or adapted_layers < 0:
        raise ValueError(f"the encoder has {model.config.num_hidden_layers} layers to split")
    first_whole = frozen + adapted_layers
    _add_adapters(model, range(frozen, first_whole), adapter_rank)
    tokenizer = BertTokenizer.from_pretrained(str(encoder_dir()), local_files_only=True)
    train_features = _frozen_features(model, tokenizer, [r["text"] for r in train_rows], frozen, max_length)
    validation_features = _frozen_features(model, tokenizer, [r["text"] for r in validation_rows], frozen, max_length)
    logger.info("cached frozen-layer features in %.0fs", time.perf_counter() - started)

    targets = _targets(train_rows)
    weights = torch.tensor([source_weights.get(r["source"], 1.0) for r in train_rows])
    trainable = _trainable_parameters(model, first_whole)
    learning_rates = {"encoder": encoder_learning_rate, "adapter": adapter_learning_rate, "head": head_learning_rate}
    optimizer = torch.optim.AdamW(
        [{"params": [p for n, p in trainable if _role(n) == role], "lr": lr} for role, lr in learning_rates.items()],
        weight_decay=0.01,
    )
    steps_per_epoch = math.ceil(len(train_rows) / batch_size)
    schedule = _warmup_linear(optimizer, warmup=int(0.06 * steps_per_epoch * epochs), total=steps_per_epoch * epochs)
    generator = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        model.train()
        total_loss = 0.0
        for step, batch in enumerate(_length_buckets(train_features, batch_size, generator)):
            features, mask = _pad(train_features, batch)
            with autocast:
                logits = _top_forward(model, features, mask, frozen)
            loss = _masked_bce(logits.float(), targets[batch], weights[batch])
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_([p for _, p in trainable], 1.0)
            optimizer.step()
            schedule.step()
            total_loss += loss.item()
            if step % 200 == 0:
                logger.info("epoch %d step %d/%d loss %.4f", epoch + 1, step, steps_per_epoch, loss.item())
        # Validation runs once, at the end, on what ships; scoring it after every epoch as well cost
        # about 4% of the training time.
        logger.info(
            "epoch %d done: mean loss %.4f (%.0fs so far)", epoch + 1, total_loss / steps_per_epoch,
            time.perf_counter() - started,
        )

    tensors = _trained_tensors(model, first_whole)
    # Measure and choose thresholds on exactly what ships: float16 weights loaded back, and the
    # adapters merged the way assembly merges them.
    _remove_adapters(model)
    model.load_state_dict(merge_adapters(model.state_dict(), tensors), strict=False)
    scores = _predict(model, validation_features, frozen)
    thresholds, reject_threshold = choose_thresholds(scores, validation_rows)
    report = compute_report(scores, validation_rows, thresholds, reject_threshold)
    training_seconds = time.perf_counter() - started
    logger.info(
        "validation toxicity AUC %s, per source %s",
        _auc_of(report, "toxicity"),
        {k: round(v, 4) for k, v in report.source_toxicity_auc.items() if v is not None},
    )

    weights_dir = Path(weights_dir)
    weights_dir.mkdir(parents=True, exist_ok=True)
    head_path = weights_dir / HEAD_FILENAME
    save_file(tensors, str(head_path))
    digest = file_sha256(head_path)
    meta = {
        "name": EMBEDDED_MODEL_NAME,
        "version": digest[:12],
        "weights_file": HEAD_FILENAME,
        "sha256": digest,
        "size_bytes": head_path.stat().st_size,
        "labels": list(LABELS),
        "label_status": LABEL_STATUS,
        "label_mapping": LABEL_MAPPING,
        "thresholds": thresholds,
        "reject_threshold": reject_threshold,
        "threshold_rule": {
            "hold_recall_targets": HOLD_RECALL_TARGETS,
            "hold_precision_targets": HOLD_PRECISION_TARGETS,
            "reject_precision_target": REJECT_PRECISION_TARGET,
            "note": "chosen on the validation split below; scores are computed on normalize_for_scoring(text)",
        },
        "encoder": {
            "package": ENCODER_PACKAGE,
            "package_version": metadata.version(ENCODER_PACKAGE),
            "model_sha256": file_sha256(encoder_dir() / "model.safetensors"),
            "architecture": "BertForSequenceClassification (MiniLM-L6-H384-uncased, all-MiniLM-L6-v2 weights)",
        },
        "trained_parameters": sorted(tensors),
        "training": {
            "seed": seed,
            "epochs": epochs,
            "trainable_layers": trainable_layers,
            "adapted_layers": adapted_layers,
            "adapter_rank": adapter_rank,
            "batch_size": batch_size,
            "encoder_learning_rate": encoder_learning_rate,
            "adapter_learning_rate": adapter_learning_rate,
            "head_learning_rate": head_learning_rate,
            "max_length": max_length,
            "source_weights": source_weights,
            "train_rows": len(train_rows),
            "validation_rows": len(validation_rows),
            "torch_threads": threads,
            "bfloat16_autocast": bfloat16,
            "seconds": round(training_seconds, 1),
            "machine": f"{platform.machine()}, {threads} torch threads, CPU",
            "torch": torch.__version__,
            "transformers": transformers.__version__,
        },
        "validation": _report_json(report),
    }
    (weights_dir / META_FILENAME).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    logger.info("wrote %s (%d bytes) and %s in %.0fs", head_path, meta["size_bytes"], META_FILENAME, training_seconds)
    _check_detoxify_path(weights_dir, model, tokenizer, validation_rows[:64])
    return meta


def build_classifier(labels: Sequence[str]) -> BertForSequenceClassification:
    """A BertForSequenceClassification over the pretrained encoder; the classifier starts random."""
    config = BertConfig.from_dict(hf_config(tuple(labels)))
    model = BertForSequenceClassification(config)
    missing, _ = model.load_state_dict(encoder_state_dict(), strict=False)
    unexpected_missing = [key for key in missing if not key.startswith("classifier.")]
    if unexpected_missing:
        raise RuntimeError(f"the encoder lacks {unexpected_missing[:5]}")
    return model


def choose_thresholds(
    scores: Sequence[Mapping[str, float]], rows: Sequence[Row]
) -> tuple[dict[str, float], float | None]:
    """Hold thresholds per supported label (recall or precision targets) and the reject threshold."""
    thresholds = {}
    for targets, choose in ((HOLD_RECALL_TARGETS, threshold_for_recall), (HOLD_PRECISION_TARGETS, threshold_for_precision)):
        for label, target in targets.items():
            pairs = [(row[label], score[label]) for row, score in zip(rows, scores) if row[label] is not None]
            thresholds[label] = round(choose([y for y, _ in pairs], [s for _, s in pairs], target), 4)
    overall = threshold_for_precision(
        [row["toxicity"] for row in rows], [score["toxicity"] for score in scores], REJECT_PRECISION_TARGET
    )
    olid = [(row["toxicity"], score["toxicity"]) for row, score in zip(rows, scores) if row["source"] == "olid"]
    on_olid = threshold_for_precision([y for y, _ in olid], [s for _, s in olid], REJECT_PRECISION_TARGET)
    return thresholds, round(max(overall, on_olid), 4)


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _targets(rows: Sequence[Row]) -> torch.Tensor:
    # -1 marks "the source says nothing"; such entries are masked out of the loss.
    return torch.tensor(
        [[-1.0 if row[label] is None else float(row[label]) for label in LABELS] for row in rows]
    )


def _masked_bce(logits: torch.Tensor, targets: torch.Tensor, row_weights: torch.Tensor) -> torch.Tensor:
    known = targets >= 0
    losses = nn.functional.binary_cross_entropy_with_logits(logits, targets.clamp(min=0), reduction="none")
    weighted = losses * known * row_weights[:, None]
    return weighted.sum() / known.sum().clamp(min=1)


@torch.no_grad()
def _frozen_features(
    model: BertForSequenceClassification,
    tokenizer: BertTokenizer,
    texts: Sequence[str],
    frozen: int,
    max_length: int,
    batch_size: int = 128,
) -> list[torch.Tensor]:
    """Output of the embeddings and the frozen layers per text, float16, unpadded."""
    model.eval()
    encoded = tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    features: list[torch.Tensor | None] = [None] * len(encoded)
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        width = max(len(encoded[i]) for i in batch)
        ids = torch.zeros((len(batch), width), dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, index in enumerate(batch):
            ids[row, : len(encoded[index])] = torch.tensor(encoded[index])
            mask[row, : len(encoded[index])] = 1
        hidden = model.bert.embeddings(input_ids=ids, token_type_ids=torch.zeros_like(ids))
        attention = create_bidirectional_mask(config=model.config, inputs_embeds=hidden, attention_mask=mask)
        for layer in model.bert.encoder.layer[:frozen]:
            hidden = layer(hidden, attention_mask=attention)
        for row, index in enumerate(batch):
            features[index] = hidden[row, : len(encoded[index])].to(torch.float16).clone()
    return [f for f in features if f is not None]


def _pad(features: Sequence[torch.Tensor], batch: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(features[i].shape[0] for i in batch)
    padded = torch.zeros((len(batch), width, features[batch[0]].shape[1]))
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, index in enumerate(batch):
        length = features[index].shape[0]
        padded[row, :length] = features[index].float()
        mask[row, :length] = 1
    return padded, mask


def _top_forward(
    model: BertForSequenceClassification, hidden: torch.Tensor, mask: torch.Tensor, frozen: int
) -> torch.Tensor:
    """The same computation BertForSequenceClassification does above the frozen layers."""
    attention = create_bidirectional_mask(config=model.config, inputs_embeds=hidden, attention_mask=mask)
    for layer in model.bert.encoder.layer[frozen:]:
        hidden = layer(hidden, attention_mask=attention)
    pooled = model.bert.pooler(hidden)
    return model.classifier(model.dropout(pooled))


def _length_buckets(features: Sequence[torch.Tensor], batch_size: int, generator: torch.Generator) -> list[list[int]]:
    """Shuffled batches of similar length, so padding costs little."""
    noise = torch.rand(len(features), generator=generator) * 6
    lengths = torch.tensor([f.shape[0] for f in features], dtype=torch.float) + noise
    order = torch.argsort(lengths).tolist()
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    shuffled = torch.randperm(len(batches), generator=generator).tolist()
    return [batches[i] for i in shuffled]


@torch.no_grad()
def _predict(
    model: BertForSequenceClassification, features: Sequence[torch.Tensor], frozen: int, batch_size: int = 128
) -> list[dict[str, float]]:
    model.eval()
    order = sorted(range(len(features)), key=lambda i: features[i].shape[0])
    probabilities = torch.zeros((len(features), len(LABELS)))
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        hidden, mask = _pad(features, batch)
        probabilities[batch] = torch.sigmoid(_top_forward(model, hidden, mask, frozen))
    return [dict(zip(LABELS, row)) for row in probabilities.tolist()]


def _role(parameter_name: str) -> str:
    """Which learning rate a trainable parameter gets (AdaptedLinear's factors end like the shipped keys)."""
    if parameter_name.endswith(ADAPTER_SUFFIXES):
        return "adapter"
    return "head" if parameter_name.startswith("classifier.") else "encoder"


def _trainable_parameters(model: BertForSequenceClassification, first_whole: int) -> list[tuple[str, nn.Parameter]]:
    """Layers from `first_whole` up, the pooler, the classifier and every adapter factor."""
    prefixes = tuple(f"bert.encoder.layer.{i}." for i in range(first_whole, model.config.num_hidden_layers))
    prefixes += ("bert.pooler.", "classifier.")
    trainable = []
    for name, parameter in model.named_parameters():
        parameter.requires_grad = name.startswith(prefixes) or name.endswith(ADAPTER_SUFFIXES)
        if parameter.requires_grad:
            trainable.append((name, parameter))
    return trainable


def _trained_tensors(model: BertForSequenceClassification, first_whole: int) -> dict[str, torch.Tensor]:
    """What ships, float16: whole tensors keyed as in the encoder, adapters as `<weight>.lora_a/_b`."""
    with torch.no_grad():
        for label in UNMODELED_LABELS:
            index = LABELS.index(label)
            model.classifier.weight[index].zero_()
            model.classifier.bias[index] = UNMODELED_BIAS
    tensors = {
        name: parameter.detach()
        for name, parameter in _trainable_parameters(model, first_whole)
        if not name.endswith(ADAPTER_SUFFIXES)
    }
    for path, module in model.named_modules():
        if isinstance(module, AdaptedLinear):
            tensors[f"{path}.weight{LORA_A_SUFFIX}"] = module.lora_a.detach()
            # The scale is folded into B so that assembly only adds B·A.
            tensors[f"{path}.weight{LORA_B_SUFFIX}"] = module.lora_b.detach() * module.scale
    return {name: tensor.to(torch.float16).contiguous() for name, tensor in tensors.items()}


class AdaptedLinear(nn.Module):
    """A frozen nn.Linear plus a trainable low-rank update: y = x·Wᵀ + b + scale·(x·Aᵀ)·Bᵀ."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float | None = None) -> None:
        super().__init__()
        self.base = base
        self.scale = (alpha if alpha is not None else 2.0 * rank) / rank
        self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
        # B starts at zero, so training starts from the pretrained encoder exactly.
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.base(hidden) + (hidden @ self.lora_a.T) @ self.lora_b.T * self.scale


_ADAPTED_MAPS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


def _add_adapters(model: BertForSequenceClassification, layers: range, rank: int) -> None:
    for index in layers:
        layer = model.bert.encoder.layer[index]
        for path in _ADAPTED_MAPS:
            layer.set_submodule(path, AdaptedLinear(layer.get_submodule(path), rank))


def _remove_adapters(model: BertForSequenceClassification) -> None:
    """Put the plain nn.Linear maps back (unmerged); merge_adapters then adds what ships."""
    for path, module in list(model.named_modules()):
        if isinstance(module, AdaptedLinear):
            model.set_submodule(path, module.base)


def _warmup_linear(optimizer: torch.optim.Optimizer, warmup: int, total: int) -> torch.optim.lr_scheduler.LambdaLR:
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / max(warmup, 1)
        return max(0.0, (total - step) / max(total - warmup, 1))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _auc_of(report: Any, label: str) -> str:
    for metrics in report.labels:
        if metrics.label == label and metrics.roc_auc is not None:
            return f"{metrics.roc_auc:.4f}"
    return "n/a"


def _report_json(report: Any) -> dict[str, Any]:
    return {
        "rows": report.rows,
        "labels": {
            m.label: {
                "rows": m.rows,
                "positives": m.positives,
                "roc_auc": _round(m.roc_auc),
                "hold_threshold": m.threshold,
                "precision": _round(m.precision),
                "recall": _round(m.recall),
            }
            for m in report.labels
        },
        "toxicity_roc_auc_by_source": {k: _round(v) for k, v in report.source_toxicity_auc.items()},
        "policy_shares": {
            "published": _round(report.published),
            "held": _round(report.held),
            "rejected": _round(report.rejected),
        },
        "sources": list(SOURCES),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _check_detoxify_path(
    weights_dir: Path, model: BertForSequenceClassification, tokenizer: BertTokenizer, rows: Sequence[Row]
) -> None:
    """Load what was written through Detoxify and compare with the training model on a few rows."""
    texts = [row["text"] for row in rows]
    with tempfile.TemporaryDirectory() as instance_dir:
        detoxify = load_embedded_model(ensure_embedded_checkpoint(instance_dir, weights_dir))
        served = detoxify.predict(texts)
    model.eval()
    with torch.no_grad():
        inputs = tokenizer(texts, return_tensors="pt", truncation=True, padding=True)
        expected = torch.sigmoid(model(**inputs).logits)
    gap = max(abs(served[label][i] - float(expected[i, j])) for j, label in enumerate(LABELS) for i in range(len(texts)))
    logger.info("Detoxify path matches the training model within %.2e on %d rows", gap, len(texts))
    if gap > 1e-3:
        raise RuntimeError(f"the assembled Detoxify model differs from the trained one by {gap:.3g}")
