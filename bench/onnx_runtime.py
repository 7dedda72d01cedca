"""The embedded model on each runtime: speed, agreement with Detoxify, and a fresh worker's memory.

    OMP_NUM_THREADS=1 .venv/bin/python bench/onnx_runtime.py [--sample 400] [--repeats 200]

Prints, in one run: ms per text alone and in batches of 16 for Detoxify (torch), ONNX fp32 and ONNX
int8; the largest and mean absolute score difference from Detoxify on a deterministic sample of the
validation split (the fixed texts of tests/moderation/test_onnx_runtime.py where the data is absent);
and the resident memory (VmRSS, peak VmHWM) of a fresh process after create_app() with each runtime,
and of one that only loads the scorer. Texts are normalized as the pipeline normalizes them. One
thread per runtime (ENGAGEMENT_MODERATION_THREADS=1, the default).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from engagement.moderation.normalize import normalize_for_scoring  # noqa: E402
from engagement.moderation.scoring import load_scorer  # noqa: E402
from engagement.moderation.training import datasets  # noqa: E402

RUNTIMES = {"detoxify (torch)": "detoxify", "onnx fp32": "onnx", "onnx int8": "onnx-int8"}
INSTANCE = REPOSITORY / "instance"

_MEMORY = textwrap.dedent(
    """
    import json, sys
    def memory():
        fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
        return {key: int(fields[key].split()[0]) // 1024 for key in ("VmRSS", "VmHWM")}
    runtime, what, folder = sys.argv[1:4]
    if what == "app":
        from engagement import create_app
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/db.sqlite", "JWT_SECRET": "s" * 40,
                          "MODERATION_RUNTIME": runtime})
        app.extensions["engagement"].scorer.score(["You are a stupid idiot.", "Thanks for the article."])
    else:
        from engagement.moderation.scoring import load_scorer
        load_scorer({"MODERATION_RUNTIME": runtime}, sys.argv[4]).score(["You are a stupid idiot."])
    print(json.dumps({**memory(), "torch": "torch" in sys.modules}))
    """
)


def sample_texts(size: int) -> tuple[list[str], str]:
    data_dir = datasets.default_data_dir()
    if all((data_dir / source).is_dir() for source in datasets.SOURCES):
        _, validation = datasets.split_rows(datasets.load_rows(data_dir))
        rows = random.Random(14).sample(validation, min(size, len(validation)))
        return [row["text"] for row in rows], f"{len(rows)} validation rows"
    sys.path.insert(0, str(REPOSITORY / "tests" / "moderation"))
    from test_onnx_runtime import TEXTS

    return [normalize_for_scoring(text) for text in TEXTS], f"{len(TEXTS)} fixed texts (no data at {data_dir})"


def timed(scorer, texts: list[str], batch: int) -> float:
    """ms per text, scoring the texts in batches of `batch` (after one warm-up batch)."""
    scorer.score(texts[:batch])
    started = time.perf_counter()
    for i in range(0, len(texts), batch):
        scorer.score(texts[i : i + batch])
    return (time.perf_counter() - started) * 1000 / len(texts)


def memory(runtime: str, what: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run(
            [sys.executable, "-c", _MEMORY, runtime, what, folder, str(INSTANCE)],
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
        )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sample", type=int, default=400, help="validation rows compared and timed")
    parser.add_argument("--repeats", type=int, default=200, help="texts of the sample timed per runtime and batch size")
    args = parser.parse_args()
    texts, described = sample_texts(args.sample)
    scorers = {label: load_scorer({"MODERATION_RUNTIME": runtime}, INSTANCE) for label, runtime in RUNTIMES.items()}
    reference = [s for i in range(0, len(texts), 16) for s in scorers["detoxify (torch)"].score(texts[i : i + 16])]
    print(f"embedded model {scorers['onnx fp32'].version}; {described}; one thread; {os.cpu_count()} CPUs, shared")
    print()
    print("| runtime | ms/text alone | ms/text, batches of 16 | max abs diff | mean abs diff | texts > 0.01 off |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, scorer in scorers.items():
        served = [s for i in range(0, len(texts), 16) for s in scorer.score(texts[i : i + 16])]
        diffs = [[abs(a[k] - b[k]) for k in a] for a, b in zip(reference, served, strict=True)]
        flat = [d for row in diffs for d in row]
        off = sum(1 for row in diffs if max(row) > 0.01)
        alone = timed(scorer, texts[: args.repeats], 1)
        batched = timed(scorer, texts[: args.repeats], 16)
        print(f"| {label} | {alone:.2f} | {batched:.2f} | {max(flat):.6f} | {statistics.fmean(flat):.6f} | {off} of {len(texts)} |")
    print()
    print("| runtime | process | VmRSS MB | VmHWM MB | torch imported |")
    print("|---|---|---:|---:|---|")
    for label, runtime in RUNTIMES.items():
        for what, described_process in (("app", "create_app() + score"), ("scorer", "load_scorer() + score only")):
            figures = memory(runtime, what)
            print(f"| {label} | {described_process} | {figures['VmRSS']} | {figures['VmHWM']} | {figures['torch']} |")


if __name__ == "__main__":
    main()
