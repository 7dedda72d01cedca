"""`flask moderation train` and `flask moderation eval`: offline commands, added to the `moderation` group.

They need the `train` extra; without it they say so instead of failing with an ImportError.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from engagement.moderation.normalize import normalize_for_scoring

logger = logging.getLogger(__name__)

MISSING_EXTRA = "`flask moderation {command}` needs the training tools: pip install 'engagement[train]' ({error})."


def _training_module(command: str, name: str):
    """Import an offline module when its command runs: the API and the workers never need its dependencies."""
    try:
        return importlib.import_module(f"engagement.moderation.training.{name}")
    except ImportError as error:
        raise click.ClickException(MISSING_EXTRA.format(command=command, error=error)) from None


@click.command("train")
@with_appcontext
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Labeled data folder (default: $ENGAGEMENT_DATA_DIR or ../shared/data).")
@click.option("--weights-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the weights (default: engagement/moderation/weights).")
@click.option("--seed", type=int, default=13, show_default=True)
@click.option("--epochs", type=int, default=3, show_default=True)
@click.option("--trainable-layers", type=int, default=2, show_default=True,
              help="Top encoder layers trained whole, along with the pooler and classifier.")
@click.option("--adapted-layers", type=int, default=2, show_default=True,
              help="Encoder layers below those that get low-rank adapters; any left below stay frozen.")
@click.option("--adapter-rank", type=int, default=16, show_default=True)
@click.option("--threads", type=int, default=2, show_default=True, help="torch CPU threads.")
@click.option("--bfloat16/--float32", "bfloat16", default=None,
              help="Matrix products in bfloat16 or float32 (default: bfloat16 where oneDNN supports it on this CPU).")
def train_command(
    data_dir: Path | None,
    weights_dir: Path | None,
    seed: int,
    epochs: int,
    trainable_layers: int,
    adapted_layers: int,
    adapter_rank: int,
    threads: int,
    bfloat16: bool | None,
) -> None:
    """Train the embedded model on the shared data and write its weights and json."""
    datasets = _training_module("train", "datasets")
    train = _training_module("train", "train")
    _show_progress()
    meta = train.train_embedded_model(
        data_dir or datasets.default_data_dir(),
        weights_dir or train.WEIGHTS_DIR,
        seed=seed,
        epochs=epochs,
        trainable_layers=trainable_layers,
        adapted_layers=adapted_layers,
        adapter_rank=adapter_rank,
        threads=threads,
        bfloat16=bfloat16,
    )
    validation = meta["validation"]
    click.echo(f"wrote {meta['weights_file']} (version {meta['version']}, {meta['size_bytes']} bytes) "
               f"in {meta['training']['seconds']:.0f}s")
    click.echo(f"validation toxicity ROC-AUC {validation['labels']['toxicity']['roc_auc']}, "
               f"by source {validation['toxicity_roc_auc_by_source']}")
    click.echo(f"hold thresholds {meta['thresholds']}, reject threshold {meta['reject_threshold']}")


@click.command("eval")
@with_appcontext
@click.option("--data", "data_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="CSV with a `text` column, 0/1 label columns and optionally `source`.")
@click.option("--write-validation-split", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="First write the training's validation split to this CSV (keep it outside the repository).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Labeled data folder used with --write-validation-split.")
def eval_command(data_path: Path, write_validation_split: Path | None, data_dir: Path | None) -> None:
    """Score a labeled CSV with the configured model and policy, and print the report."""
    evaluation = _training_module("eval", "evaluation")
    if write_validation_split is not None:
        written = evaluation.write_validation_split(write_validation_split, data_dir)
        click.echo(f"wrote the validation split to {written}")
    moderation = current_app.extensions["engagement"]
    scorer = moderation.scorer
    policy = moderation.policy
    rows = evaluation.read_eval_csv(data_path)
    report = evaluation.evaluate(
        lambda texts: moderation.score_texts([normalize_for_scoring(text) or text for text in texts]),
        rows,
        policy.hold_thresholds,
        policy.reject_threshold,
    )
    click.echo(evaluation.format_report(report, f"{scorer.name} {scorer.version} on {data_path.name}"))


def _show_progress() -> None:
    # Training reports through logging; make it visible on the terminal when nothing else does.
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")


OFFLINE_COMMANDS = (train_command, eval_command)
