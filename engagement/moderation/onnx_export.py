"""Export the assembled embedded model to ONNX: run once per model version, in a process of its own.

`python -m engagement.moderation.onnx_export INSTANCE_DIR [--weights-dir DIR]` assembles the Detoxify
checkpoint if needed (embedded.ensure_embedded_checkpoint), loads it through Detoxify's own code path,
and writes next to it, in `onnx/`:

- `model-fp32.onnx`: the same network (torch.onnx.export, dynamic batch and sequence axes), checked
  against torch on a few texts before it is kept;
- `model-int8.onnx`: its dynamic int8 quantization (QInt8 weights per output channel, the
  feed-forward output projections left in fp32, where quantizing cost the most accuracy).

Each keeps its weights in a `.data` file beside it: onnxruntime maps that file into memory instead of
copying it out of the parsed model, which measured 70 MB less resident memory per process for fp32,
and the mapped pages are shared by every worker of the machine.

This module imports torch, transformers and detoxify. A web worker never imports it: when a file is
missing, engagement.moderation.onnx_runtime runs this module as a child process and loads the result.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

from engagement.moderation.embedded import ensure_embedded_checkpoint, load_embedded_model

logger = logging.getLogger(__name__)

ONNX_DIRNAME = "onnx"
FP32_FILENAME = "model-fp32.onnx"
INT8_FILENAME = "model-int8.onnx"
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
# Texts of different lengths, so the traced graph cannot specialize on one batch or sequence size.
_EXAMPLES = (
    "Thanks for the article, it was helpful.",
    "You are a stupid idiot and nobody wants to read your comments here, go away.",
    "Ich stimme dem Autor nicht zu.",
)
# The fp32 export must reproduce torch's logits; float reordering alone stays far below this.
_FP32_TOLERANCE = 1e-3


def export_embedded_onnx(instance_dir: str | Path, weights_dir: str | Path | None = None) -> Path:
    """Write onnx/model-fp32.onnx and onnx/model-int8.onnx into the embedded model's folder; return onnx/.

    The files are written in a staging folder that is renamed into place, so a reader sees all of them
    or none; when another process renamed its (equivalent) folder first, that one is kept.
    """
    import numpy as np
    import onnx
    import onnxruntime
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    checkpoint = ensure_embedded_checkpoint(instance_dir, weights_dir)
    detoxify = load_embedded_model(checkpoint)
    model = detoxify.model.eval()
    target = checkpoint.checkpoint_path.parent / ONNX_DIRNAME
    staging = Path(tempfile.mkdtemp(prefix=f".{ONNX_DIRNAME}-", dir=target.parent))
    try:
        examples = detoxify.tokenizer(list(_EXAMPLES), return_tensors="pt", truncation=True, padding=True)
        inputs = {name: examples[name] for name in INPUT_NAMES}
        batch = torch.export.Dim("batch")
        sequence = torch.export.Dim("sequence", max=model.config.max_position_embeddings)
        traced = staging / "traced.onnx"
        with warnings.catch_warnings():
            # The exporter's notes about its own internals (pytree deprecations, axis names); not ours to act on.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model,
                (),
                str(traced),
                kwargs=inputs,
                input_names=list(INPUT_NAMES),
                output_names=["logits"],
                dynamic_shapes={name: {0: batch, 1: sequence} for name in INPUT_NAMES},
                dynamo=True,
                external_data=False,
                verbose=False,
            )
        # The exporter's recorded intermediate shapes disagree with ONNX shape inference, which the
        # quantizer runs; onnxruntime infers them again when it loads the model.
        exported = onnx.load(str(traced))
        del exported.graph.value_info[:]
        onnx.save(exported, str(traced))
        quantized = staging / "quantized.onnx"
        quantize_dynamic(
            str(traced),
            str(quantized),
            weight_type=QuantType.QInt8,
            per_channel=True,
            nodes_to_exclude=_feed_forward_outputs(exported),
        )
        folder = staging / ONNX_DIRNAME
        folder.mkdir()
        for source, name in ((traced, FP32_FILENAME), (quantized, INT8_FILENAME)):
            onnx.save(onnx.load(str(source)), str(folder / name), save_as_external_data=True, location=f"{name}.data")
            source.unlink()

        with torch.inference_mode():
            expected = model(**inputs).logits.numpy()
        session = onnxruntime.InferenceSession(str(folder / FP32_FILENAME), providers=["CPUExecutionProvider"])
        got = session.run(None, {name: tensor.numpy() for name, tensor in inputs.items()})[0]
        drift = float(np.abs(got - expected).max())
        if drift > _FP32_TOLERANCE:
            raise RuntimeError(f"the ONNX export's logits differ from torch's by {drift:.2e}")
        try:
            os.rename(folder, target)
        except OSError:
            if not (target / FP32_FILENAME).is_file():
                raise
            logger.info("another process exported %s first; using it", target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    logger.info("exported the embedded model %s to ONNX in %s", checkpoint.version, target)
    return target


def _feed_forward_outputs(model: object) -> list[str]:
    """Names of the MatMuls that read a Gelu's output: each layer's feed-forward output projection.

    Quantized, these moved the scores most (GELU outputs have a long tail that one int8 scale per
    tensor resolves badly), so the int8 model keeps them in fp32.
    """
    graph = model.graph  # type: ignore[attr-defined]
    producers = {output: node.op_type for node in graph.node for output in node.output}
    return [node.name for node in graph.node if node.op_type == "MatMul" and producers.get(node.input[0]) == "Gelu"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("instance_dir")
    parser.add_argument("--weights-dir")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    # The quantizer's advice to pre-process and the exporter's notes about optional ops go to the
    # root logger; the parent shows this process's output only when it fails.
    export_embedded_onnx(args.instance_dir, args.weights_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
