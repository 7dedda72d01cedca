"""Scorers: a Detoxify model behind a small interface, and the loader that picks one from the settings."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from engagement.moderation.loading import file_sha256, load_detoxify

logger = logging.getLogger(__name__)

# Detoxify's published models; their weights download on first use where the network allows.
PUBLISHED_MODELS = ("original", "unbiased", "multilingual", "original-small", "unbiased-small")
# ENGAGEMENT_MODERATION_RUNTIME for the embedded model: onnx (fp32, Detoxify's scores without torch), onnx-int8
# (smaller and faster, scores measurably different), detoxify (the reference: torch, as trained).
RUNTIMES = ("onnx", "onnx-int8", "detoxify")


class ModelLoadError(RuntimeError):
    """The configured model cannot be loaded; the message names what is missing."""


class Scorer(Protocol):
    """A model: scores for texts already normalized with normalize_for_scoring, one dict per text."""

    name: str
    version: str
    labels: tuple[str, ...]

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]: ...


class DetoxifyScorer:
    """Scores normalized texts with a ``detoxify.Detoxify`` model."""

    def __init__(self, model: Any, name: str, version: str, recommended_thresholds: Mapping[str, float] | None = None):
        self._model = model
        self.name = name
        self.version = version
        self.labels: tuple[str, ...] = tuple(model.class_names)
        self.runtime = "detoxify"
        self.recommended_thresholds = dict(recommended_thresholds or {})

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Scores of texts already normalized (normalize_for_scoring): the Moderator normalizes each text once."""
        import torch  # imported by the first score, so commands that never score do not load it

        if not texts:
            return []
        with torch.inference_mode():
            raw = self._model.predict(list(texts))
        # Detoxify squeezes a batch of one into plain floats.
        columns = {label: (values if isinstance(values, list) else [values]) for label, values in raw.items()}
        return [{label: round(float(columns[label][i]), 6) for label in self.labels} for i in range(len(texts))]


def load_scorer(settings: Mapping[str, Any], instance_path: str | Path) -> Scorer:
    """Load the model named by ``MODERATION_MODEL``; raise ModelLoadError instead of ever falling back.

    The embedded model runs on ``MODERATION_RUNTIME``; published models and other checkpoints always run
    on Detoxify.
    """
    threads = max(1, int(settings.get("MODERATION_THREADS", 1)))
    choice = settings.get("MODERATION_MODEL", "embedded")
    runtime = settings.get("MODERATION_RUNTIME", "onnx")
    if runtime not in RUNTIMES:
        raise ModelLoadError(f"ENGAGEMENT_MODERATION_RUNTIME must be one of {', '.join(RUNTIMES)}, got {runtime!r}")
    checkpoint = settings.get("MODERATION_CHECKPOINT") or ""
    hf_config = settings.get("MODERATION_HF_CONFIG") or None
    started = time.perf_counter()
    scorer: Scorer
    try:
        if choice == "embedded" and runtime != "detoxify":
            # onnx_runtime imports no torch: a web worker serving it stays a fraction of a torch process.
            from engagement.moderation.onnx_runtime import load_onnx_scorer

            scorer = load_onnx_scorer(Path(instance_path), "int8" if runtime == "onnx-int8" else "fp32", threads)
        else:
            scorer = _load_detoxify_scorer(choice, checkpoint, hf_config, threads, Path(instance_path))
    except ModelLoadError:
        raise
    except Exception as error:
        hint = ""
        if choice in PUBLISHED_MODELS and not checkpoint:
            hint = (
                f" Detoxify's {choice!r} weights download on first use; offline, place the checkpoint and its"
                " Hugging Face config folder and set ENGAGEMENT_MODERATION_CHECKPOINT and"
                " ENGAGEMENT_MODERATION_HF_CONFIG."
            )
        raise ModelLoadError(f"cannot load moderation model {choice!r}: {error}.{hint}") from error
    logger.info(
        "moderation model %s (%s, %s) loaded in %.2fs, labels %s",
        scorer.name,
        scorer.version,
        getattr(scorer, "runtime", "detoxify"),
        time.perf_counter() - started,
        ",".join(scorer.labels),
    )
    return scorer


def _load_detoxify_scorer(choice: str, checkpoint: str, hf_config: str | None, threads: int, instance_path: Path) -> DetoxifyScorer:
    import torch  # as in DetoxifyScorer.score: only processes that load a torch model pay for torch

    torch.set_num_threads(threads)
    if choice == "embedded":
        from engagement.moderation.embedded import EMBEDDED_MODEL_NAME, ensure_embedded_checkpoint, load_embedded_model

        assembled = ensure_embedded_checkpoint(instance_path)
        model = load_embedded_model(assembled)
        return DetoxifyScorer(model, EMBEDDED_MODEL_NAME, assembled.version, assembled.thresholds)
    if choice in PUBLISHED_MODELS:
        if checkpoint:
            path = _existing(checkpoint, "ENGAGEMENT_MODERATION_CHECKPOINT")
            model = load_detoxify(model_type=choice, checkpoint=str(path), huggingface_config_path=hf_config)
            version = file_sha256(path)[:12]
        else:
            from detoxify.detoxify import MODEL_URLS  # detoxify imports transformers: load time only

            model = load_detoxify(model_type=choice)
            version = MODEL_URLS[choice].rsplit("-", 1)[-1].removesuffix(".ckpt")
        return DetoxifyScorer(model, f"detoxify-{choice}", version)
    path = _existing(choice, "ENGAGEMENT_MODERATION_MODEL")
    model = load_detoxify(checkpoint=str(path), huggingface_config_path=hf_config)
    return DetoxifyScorer(model, f"checkpoint:{path.name}", file_sha256(path)[:12])


def _existing(raw: str, setting: str) -> Path:
    path = Path(raw).expanduser()
    if not path.is_file():
        raise ModelLoadError(f"{setting}={raw!r}: no checkpoint file there")
    return path
