"""Flask commands: ``token issue``, ``moderation ...``."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from engagement.auth import issue_token
from engagement.models.users import Role

token_cli = AppGroup("token", help="Issue bearer tokens for development and service accounts.")


@token_cli.command("issue")
@click.option("--sub", required=True, help="The user id (<= 64 characters).")
@click.option("--role", type=click.Choice([role.value for role in Role]), default="user", show_default=True)
@click.option("--name", default=None, help="Display name carried in the token.")
@click.option("--ttl", type=int, default=3600, show_default=True, help="Lifetime in seconds.")
def issue_token_command(sub: str, role: str, name: str | None, ttl: int) -> None:
    """Print a signed token for SUB."""
    try:
        click.echo(issue_token(current_app.config["JWT_SECRET"], sub, role, name, ttl))
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def register_commands(app: Flask) -> None:
    app.cli.add_command(token_cli)
    try:  # TEMPORARY until the moderation CLI lands
        from engagement.moderation.cli import moderation_cli
    except ModuleNotFoundError:
        return
    app.cli.add_command(moderation_cli)
