"""The `tci-bot` command line."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from typing import Any

import click

from bot.config import ConfigError, Settings, load_settings
from bot.logs import configure_logging

logger = logging.getLogger(__name__)


def _settings(*, require_slack: bool) -> Settings:
    try:
        return load_settings(require_slack=require_slack)
    except ConfigError as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo("See .env.example for every setting and what it should look like.", err=True)
        sys.exit(2)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Run and operate the learning group's Slack bot."""


@main.command()
def run() -> None:
    """Serve Slack: HTTP on $PORT, or Socket Mode when SLACK_APP_TOKEN is set; the scheduler runs inside."""
    from bot.service import BotService, StartupError

    settings = _settings(require_slack=True)
    configure_logging(settings.log_level)
    try:
        BotService(settings).run_until_signalled()
    except StartupError as error:
        _fail(str(error))


@main.command()
@click.option("--demo", is_flag=True, help="Start from a fresh demo database with example data.")
@click.option(
    "--as",
    "who",
    default="member",
    show_default=True,
    type=click.Choice(["organiser", "member", "guest"]),
    help="Who you are at the start.",
)
def shell(demo: bool, who: str) -> None:
    """Talk to the bot offline, in a local workspace in the terminal (no Slack needed)."""
    from bot.shell import run_shell

    settings = _settings(require_slack=False)
    sys.exit(run_shell(settings, demo=demo, who=who))


@main.command()
@click.option(
    "--url",
    default=None,
    help="Public base URL of HTTP mode, e.g. https://bot.example.org (without it the manifest uses Socket Mode).",
)
def manifest(url: str | None) -> None:
    """Print the Slack app manifest (JSON) to paste when creating the app."""
    from bot.manifest import build_manifest

    if url is not None and not url.startswith(("https://", "http://")):
        _fail("--url should be the bot's public base URL, such as https://bot.example.org")
    settings = _settings(require_slack=False)
    registry = _registry(settings)
    click.echo(json.dumps(build_manifest(registry, settings, url=url), indent=2))


def _registry(settings: Settings) -> Any:
    """Build the app offline and return what its handlers registered."""
    from dataclasses import replace

    from bot.app import create_app
    from bot.config import Secret
    from bot.deps import build_deps

    offline = replace(
        settings, database_url="sqlite://", bot_token=Secret("xoxb-offline"), signing_secret=Secret("0" * 32)
    )
    deps = build_deps(offline)
    create_app(deps)
    return deps.registry


@main.group()
def db() -> None:
    """Manage the database."""


def _with_engine(action: Callable[[Any], None]) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from store.db import make_engine

    settings = _settings(require_slack=False)
    configure_logging(settings.log_level)
    engine = make_engine(settings.database_url)
    try:
        action(engine)
    except SQLAlchemyError as error:
        _fail(
            f"the database at {settings.database_label} refused: {error.__class__.__name__}: "
            f"{str(error).splitlines()[0]}"
        )
    finally:
        engine.dispose()


@db.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from store import migrate

    def action(engine: Any) -> None:
        migrate.upgrade(engine, revision)
        click.echo(f"database at revision {migrate.current_revision(engine)}")

    _with_engine(action)


@db.command()
def current() -> None:
    """Show the database's revision and the newest this version knows."""
    from store import migrate

    def action(engine: Any) -> None:
        click.echo(f"database: {migrate.current_revision(engine) or 'empty'}; newest: {migrate.head_revision(engine)}")

    _with_engine(action)


def entry() -> None:
    """Run the command line (used by `python -m bot`)."""
    main(prog_name="tci-bot")
