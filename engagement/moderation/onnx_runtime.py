"""The embedded model served by ONNX Runtime: no torch, transformers or detoxify in the process.

The network is the one Detoxify runs (exported by engagement.moderation.onnx_export, in a child process
when the file is missing); the tokenizer is the `tokenizers` library reading the assembled model's
tokenizer.json, configured as Detoxify's BertTokenizer call is (lowercase, truncation at the model's
maximum length, padding to the longest text of a batch); scores are the sigmoid of the logits.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from engagement.moderation.embedded import EMBEDDED_MODEL_NAME, EmbeddedCheckpoint, embedded_checkpoint

logger = logging.getLogger(__name__)

# Kept in step with onnx_export (which this module must not import: it imports torch).
ONNX_DIRNAME = "onnx"
ONNX_FILENAMES = {"fp32": "model-fp32.onnx", "int8": "model-int8.onnx"}
# A fresh export takes seconds; ten minutes means the child is stuck, not slow.
_EXPORT_TIMEOUT_S = 600


class OnnxScorer:
    """Scores normalized texts with an ONNX export of the embedded model, as DetoxifyScorer would."""

    def __init__(
        self,
        model_path: Path,
        hf_dir: Path,
        labels: Sequence[str],
        name: str,
        version: str,
        runtime: str,
        threads: int = 1,
        recommended_thresholds: Mapping[str, float] | None = None,
    ):
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        self._session = onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self._inputs = tuple(item.name for item in self._session.get_inputs())
        tokenizer = Tokenizer.from_file(str(hf_dir / "tokenizer.json"))
        # tokenizer.json pads and truncates to a fixed 128; Detoxify's call pads to the longest text of the
        # batch and truncates at the tokenizer's model_max_length.
        padding = tokenizer.padding or {}
        self._pad_id = int(padding.get("pad_id", tokenizer.token_to_id("[PAD]") or 0))
        self._pad_token = str(padding.get("pad_token", "[PAD]"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=_model_max_length(hf_dir))
        self._tokenizer = tokenizer
        self.name = name
        self.version = version
        self.runtime = runtime
        self.labels: tuple[str, ...] = tuple(labels)
        self.recommended_thresholds = dict(recommended_thresholds or {})

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Scores of texts already normalized (normalize_for_scoring), rounded as DetoxifyScorer rounds them."""
        if not texts:
            return []
        # One text at a time: encode_batch would start tokenizers' thread pool in every web worker.
        encodings = [self._tokenizer.encode(text) for text in texts]
        results: list[dict[str, float]] = [{} for _ in texts]
        for group in _similar_lengths([len(encoding.ids) for encoding in encodings]):
            for index, scores in zip(group, self._run([encodings[i] for i in group]), strict=True):
                results[index] = {label: round(float(scores[i]), 6) for i, label in enumerate(self.labels)}
        return results

    def _run(self, encodings: list[Any]) -> Any:
        """Sigmoid of the logits of one padded batch."""
        longest = max(len(encoding.ids) for encoding in encodings)
        for encoding in encodings:
            encoding.pad(longest, pad_id=self._pad_id, pad_token=self._pad_token)
        columns = {
            "input_ids": [encoding.ids for encoding in encodings],
            "attention_mask": [encoding.attention_mask for encoding in encodings],
            "token_type_ids": [encoding.type_ids for encoding in encodings],
        }
        feeds = {name: np.asarray(columns[name], dtype=np.int64) for name in self._inputs}
        logits = self._session.run(None, feeds)[0]
        return 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))


def _similar_lengths(lengths: Sequence[int]) -> list[list[int]]:
    """Indexes of the texts, grouped so no text is padded past 1.25 times its own length (plus 8 tokens).

    Padding a short comment to a long one's length costs as much as scoring a long one: measured on the
    validation split, batches of 16 taken as they came cost 2.8x as much per text as the same texts run
    in batches of similar lengths.
    """
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    groups: list[list[int]] = []
    for index in order:
        if groups and lengths[index] <= lengths[groups[-1][0]] * 1.25 + 8:
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups


def _model_max_length(hf_dir: Path) -> int:
    config = json.loads((hf_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
    return int(config.get("model_max_length", 512))


def ensure_onnx_model(
    instance_dir: str | Path, precision: str = "fp32", weights_dir: str | Path | None = None
) -> tuple[EmbeddedCheckpoint, Path]:
    """The embedded model's checkpoint description and the path of its ONNX export, exported once.

    A missing export is made by `python -m engagement.moderation.onnx_export` in a child process (only
    that process imports torch), under a lock so concurrent workers export once and the others wait.
    """
    if precision not in ONNX_FILENAMES:
        raise ValueError(f"precision must be one of {sorted(ONNX_FILENAMES)}, got {precision!r}")
    checkpoint = embedded_checkpoint(instance_dir, weights_dir)
    path = checkpoint.checkpoint_path.parent / ONNX_DIRNAME / ONNX_FILENAMES[precision]
    if path.is_file():
        return checkpoint, path
    models_dir = checkpoint.checkpoint_path.parents[1]
    models_dir.mkdir(parents=True, exist_ok=True)
    with open(models_dir / f".onnx-export-{checkpoint.version}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.is_file():
            _export_in_child(Path(instance_dir), weights_dir)
    if not path.is_file():
        raise RuntimeError(f"the ONNX export finished without writing {path}")
    return checkpoint, path


def _export_in_child(instance_dir: Path, weights_dir: str | Path | None) -> None:
    logger.info("exporting the embedded model to ONNX in a child process (once per model version)")
    command = [sys.executable, "-m", "engagement.moderation.onnx_export", str(instance_dir)]
    if weights_dir is not None:
        command += ["--weights-dir", str(weights_dir)]
    # The child must import this same engagement package, wherever the parent found it.
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=_EXPORT_TIMEOUT_S, check=False)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip()[-2000:]
        raise RuntimeError(f"exporting the embedded model to ONNX failed (exit {result.returncode}): {tail}")


def load_onnx_scorer(instance_dir: str | Path, precision: str, threads: int) -> OnnxScorer:
    """The embedded model on ONNX Runtime.

    fp32 computes Detoxify's scores (to about 1e-6), so it keeps the model's version and stored
    moderation_model_version values stay comparable across runtimes; int8 scores differ measurably,
    so its version says so (`<version>-int8`).
    """
    checkpoint, path = ensure_onnx_model(instance_dir, precision)
    version = checkpoint.version if precision == "fp32" else f"{checkpoint.version}-{precision}"
    return OnnxScorer(
        path,
        checkpoint.hf_config_dir,
        checkpoint.labels,
        EMBEDDED_MODEL_NAME,
        version,
        runtime=f"onnxruntime-{precision}",
        threads=threads,
        recommended_thresholds=checkpoint.thresholds,
    )
