"""`flask moderation train` and `flask moderation eval`: offline commands, added to the `moderation` group.

They need the `train` extra; without it they say so instead of failing with an ImportError.
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from engagement.moderation.moderator import prepare_input
from engagement.moderation.pipeline import AuthorHistory, WordLists

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


def make_eval_command(load_word_lists: Callable[[], WordLists]) -> click.Command:
    """`eval`, screening with the word lists `load_word_lists()` reads from the app's database (in the app
    context). Reading them is the services' job, so the command line layer hands the reader in."""

    @click.command("eval")
    @with_appcontext
    @click.option("--data", "data_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
                  help="CSV with a `text` column, 0/1 label columns named after a score (toxicity, spam, insult...) "
                       "and optionally `source` or other grouping columns.")
    @click.option("--group", "group_column", default=None,
                  help="Also report each value of this column (e.g. source, lang) after all rows.")
    @click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
    @click.option("--write-validation-split", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="First write the toxicity training's validation split to this CSV (keep it outside the repository).")
    @click.option("--write-spam-validation", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="First write the spam trainer's held-out rows (spam, source, topic) to this CSV.")
    @click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                  help="Labeled data folder used with the --write-... options.")
    def eval_command(
        data_path: Path,
        group_column: str | None,
        as_json: bool,
        write_validation_split: Path | None,
        write_spam_validation: Path | None,
        data_dir: Path | None,
    ) -> None:
        """Score a labeled CSV through the whole pipeline, as a fresh author's post would be, and print the report.

        The word lists are the ones in the app's database; the author has no history (role user, nothing approved,
        rejected or repeated), so history phases never decide here."""
        evaluation = _training_module("eval", "evaluation")
        if write_validation_split is not None:
            written = evaluation.write_validation_split(write_validation_split, data_dir)
            click.echo(f"wrote the validation split to {written}", err=as_json)
        if write_spam_validation is not None:
            written = evaluation.write_spam_validation(write_spam_validation, data_dir)
            click.echo(f"wrote the spam validation rows to {written}", err=as_json)
        word_lists = load_word_lists()
        moderator = current_app.extensions["engagement"]
        rows = evaluation.read_eval_csv(data_path, [group_column] if group_column else ())
        if group_column is not None and rows and group_column not in rows[0]:
            raise click.ClickException(f"{data_path} has no `{group_column}` column")

        def moderate_batch(texts: list[str]) -> list[Any]:
            items = [prepare_input(text, author=AuthorHistory(), word_lists=word_lists) for text in texts]
            return moderator.moderate_batch(items)

        report = evaluation.evaluate_pipeline(moderate_batch, rows, group_column, data_path.name)
        if as_json:
            click.echo(json.dumps(evaluation.pipeline_report_json(report), indent=2))
            return
        scorer = moderator.scorer
        spam = moderator.spam_model
        models = f"{scorer.name} {scorer.version}" + (f" + spam {spam.version}" if spam is not None else "")
        title = f"pipeline ({', '.join(moderator.pipeline.names)}) with {models} on {data_path.name}"
        click.echo(evaluation.format_pipeline_report(report, title))

    return eval_command


def offline_commands(load_word_lists: Callable[[], WordLists]) -> tuple[click.Command, ...]:
    return train_command, make_eval_command(load_word_lists)


def _show_progress() -> None:
    # Training reports through logging; make it visible on the terminal when nothing else does.
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

