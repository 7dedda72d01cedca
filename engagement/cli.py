"""Flask commands: ``token issue``, ``data prune``, ``moderation ...``."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable
from datetime import timezone

import click
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import inspect as sa_inspect

from engagement.auth import issue_token
from engagement.extensions import db
from engagement.jwt_keys import algorithm_for
from engagement.models.users import Role
from engagement.jobs import run_worker
from engagement.models import ModerationTerm
from engagement.moderation.pipeline import WordLists
from engagement.moderation.training.cli import offline_commands
from engagement.services.calibration import calibrate_thresholds, rescore_held_texts
from engagement.services.retention import prune_old_records
from engagement.services.wordlists import current_word_lists

logger = logging.getLogger(__name__)


def commit_each_batch(batches: Iterable[dict[str, int]], keep: bool = True) -> Counter[str]:
    """Run a batched service, committing after each batch it yields (rolling back when not ``keep``);
    returns the summed counts. Services never commit: the command that runs them owns the transactions."""
    totals: Counter[str] = Counter()
    for counts in batches:
        if keep:
            db.session.commit()
        else:
            db.session.rollback()
        totals.update(counts)
    return totals


token_cli = AppGroup("token", help="Issue bearer tokens for development and service accounts.")


@token_cli.command("issue")
@click.option("--sub", required=True, help="The user id (<= 64 characters).")
@click.option("--role", type=click.Choice([role.value for role in Role]), default="user", show_default=True)
@click.option("--name", default=None, help="Display name carried in the token.")
@click.option("--ttl", type=int, default=3600, show_default=True, help="Lifetime in seconds.")
@click.option("--private-key", type=click.File("rb"), default=None,
              help="Sign with this PEM private key (RS256 for RSA, ES256 for P-256) instead of ENGAGEMENT_JWT_SECRET.")
@click.option("--kid", default=None, help="The key id to put in the header (the key's kid in the JWKS).")
def issue_token_command(sub: str, role: str, name: str | None, ttl: int, private_key, kid: str | None) -> None:
    """Print a signed token for SUB."""
    config = current_app.config
    claims = {"kid": kid, "issuer": config["JWT_ISSUER"] or None, "audience": config["JWT_AUDIENCE"] or None}
    try:
        if private_key is not None:
            key = load_pem_private_key(private_key.read(), password=None)
            algorithm = algorithm_for(key.public_key())
        elif config["JWT_SECRET"]:
            key, algorithm = config["JWT_SECRET"], "HS256"
        else:
            raise click.UsageError("ENGAGEMENT_JWT_SECRET is not set: sign with --private-key.")
        click.echo(issue_token(key, sub, role, name, ttl, algorithm=algorithm, **claims))
    except (ValueError, TypeError) as error:
        raise click.BadParameter(str(error)) from None


data_cli = AppGroup("data", help="Data retention.")


@data_cli.command("prune")
@click.option("--share-event-days", type=click.IntRange(min=1), default=None,
              help="Keep share events this many days. [default: ENGAGEMENT_RETENTION_SHARE_EVENT_DAYS]")
@click.option("--idempotency-days", type=click.IntRange(min=1), default=None,
              help="Keep idempotency records this many days. [default: ENGAGEMENT_RETENTION_IDEMPOTENCY_DAYS]")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
def prune_command(share_event_days: int | None, idempotency_days: int | None, dry_run: bool) -> None:
    """Delete share events and idempotency records past their retention (run it daily, e.g. from cron)."""
    config = current_app.config
    batches = prune_old_records(
        share_event_days or config["RETENTION_SHARE_EVENT_DAYS"],
        idempotency_days or config["RETENTION_IDEMPOTENCY_DAYS"],
        dry_run=dry_run,
    )
    counts = commit_each_batch(batches, keep=not dry_run)
    if not dry_run:
        logger.info("pruned %s", dict(counts))
    verb = "would delete" if dry_run else "deleted"
    click.echo(f"{verb} {counts['share_events']} share event(s), {counts['idempotency_records']} idempotency record(s)")


moderation_cli = AppGroup("moderation", help="Train, evaluate and operate the comment moderation model.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(token_cli)
    app.cli.add_command(data_cli)
    app.cli.add_command(moderation_cli)


@click.command("warmup")
@with_appcontext
def warmup_command() -> None:
    """Load the configured model and print its labels, version and timings."""
    moderator = current_app.extensions["engagement"]
    started = time.perf_counter()
    moderator.load()
    loaded = time.perf_counter() - started
    scorer = moderator.scorer
    started = time.perf_counter()
    moderator.moderate("Thanks for the thoughtful article.")
    click.echo(f"model:    {scorer.name}\nversion:  {scorer.version}\nlabels:   {', '.join(scorer.labels)}")
    click.echo(f"load:     {loaded:.2f} s\nfirst score: {(time.perf_counter() - started) * 1000:.1f} ms")
    click.echo(f"thresholds ({moderator.policy.source}): " + ", ".join(f"{k}={v}" for k, v in sorted(moderator.policy.hold_thresholds.items())))


@click.command("calibrate")
@with_appcontext
@click.option("--target-precision", type=click.FloatRange(0.0, 1.0), default=0.8, show_default=True)
@click.option("--min-flagged", type=int, default=5, show_default=True, help="Support needed for a suggestion.")
def calibrate_command(target_precision: float, min_flagged: int) -> None:
    """Compare hold thresholds with moderators' approve/reject decisions; suggests, changes nothing."""
    current_app.extensions["engagement"].load()
    rows = calibrate_thresholds(target_precision, min_flagged)
    if not rows:
        click.echo("No moderator decisions with scores yet: nothing to calibrate.")
        return
    fmt = "{:<16} {:>9} {:>9} {:>8} {:>9} {:>7} {:>10}"
    click.echo(fmt.format("label", "threshold", "decisions", "rejected", "precision", "recall", "suggested"))
    for row in rows:
        show = lambda value: "-" if value is None else f"{value:.3f}"  # noqa: E731
        click.echo(fmt.format(row.label, show(row.threshold), row.decisions, row.rejected, show(row.precision), show(row.recall), show(row.suggested_threshold)))
    click.echo(
        f"\nsuggested = the lowest threshold reaching precision {target_precision} on >= {min_flagged} texts."
        "\nTo apply, an admin sets ENGAGEMENT_HOLD_THRESHOLDS and restarts; then run `moderation rescore`."
    )


@click.command("rescore")
@with_appcontext
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]), default=None, help="Only texts created since (UTC).")
def rescore_command(since) -> None:
    """Score held texts again after a model or threshold change; publish those now clean (audited)."""
    current_app.extensions["engagement"].load()
    counts = commit_each_batch(rescore_held_texts(since.replace(tzinfo=timezone.utc) if since else None))
    click.echo(f"scored {counts['scored']}: published {counts['published']}, still held {counts['still_held']}")


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Exit once the queue is empty (for tests and cron).")
@click.option("--sweep-after", type=int, default=60, show_default=True, help="Re-enqueue texts waiting this many seconds.")
def worker_command(burst: bool, sweep_after: int) -> None:
    """Score queued texts (queue mode) in batches; run as many as you like, on as many machines."""
    run_worker(current_app._get_current_object(), burst=burst, sweep_after=sweep_after)


def eval_word_lists() -> WordLists:
    """`moderation eval`'s word lists, as the app's database holds them; an unmigrated database is named as such."""
    if not sa_inspect(db.engine).has_table(ModerationTerm.__tablename__):
        raise click.ClickException(
            f"the database ({db.engine.url.render_as_string(hide_password=True)}) has no word lists table; "
            "migrate it first: flask --app wsgi db upgrade"
        )
    word_lists = current_word_lists()
    # Scoring takes minutes: end the transaction now, so the eval holds no SQLite lock while it runs.
    db.session.remove()
    return word_lists


for _command in (
    warmup_command, calibrate_command, rescore_command, worker_command, *offline_commands(eval_word_lists)
):
    moderation_cli.add_command(_command)
