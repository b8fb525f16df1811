"""The `tci-bot` command line."""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TextIO

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


def _fail(message: str, *, code: int = 1) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tci-bot", prog_name="tci-bot", message="%(prog)s %(version)s")
def main() -> None:
    """Run and operate the learning group's Slack bot."""


@main.command()
def run() -> None:
    """Serve Slack: HTTP on $PORT, or Socket Mode when SLACK_APP_TOKEN is set; the scheduler runs inside."""
    from bot.runtime import BotService, StartupError

    settings = _settings(require_slack=True)
    configure_logging(settings.log_level, fmt=settings.log_format)
    try:
        BotService(settings).run_until_signalled()
    except StartupError as error:
        _fail(str(error))


@main.command()
@click.option(
    "--demo", is_flag=True, help="Start from a fresh demo database (demo.db in the data folder) with example data."
)
@click.option(
    "--as",
    "who",
    default="member",
    show_default=True,
    type=click.Choice(["organiser", "member", "guest"]),
    help="Who you are at the start.",
)
@click.option("--socket-mode", is_flag=True, help="Send the bot Slack's requests over Socket Mode, not signed HTTP.")
def shell(demo: bool, who: str, socket_mode: bool) -> None:
    """Talk to the bot offline, in a local workspace in the terminal (no Slack needed).

    The shell keeps its own SQLite file in the data folder (shell.db, or demo.db with --demo) and never
    uses DATABASE_URL: the group's database gets none of its local people, and what the group's
    scheduler owes is never posted into the local workspace.
    """
    from bot.shell import run_shell

    settings = _settings(require_slack=False)
    sys.exit(run_shell(settings, demo=demo, who=who, socket_mode=socket_mode))


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
    built = build_manifest(registry, settings, url=url)
    name = built["display_information"]["name"]
    if name != f"{settings.group_name} bot":
        click.echo(f"the app's name is cut at a word to Slack's 35 characters: {name!r}", err=True)
    click.echo(json.dumps(built, indent=2))


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


def _with_engine(action: Callable[[Any], None], *, settings: Settings | None = None) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from store.db import make_engine

    settings = settings or _settings(require_slack=False)
    configure_logging(settings.log_level, fmt=settings.log_format)
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
    """Show the database's revision and the newest this version knows; creates nothing."""
    from store import migrate

    settings = _settings(require_slack=False)
    if _missing_sqlite(settings):
        click.echo(f"no database at {settings.database_label}: `tci-bot db upgrade` creates it")
        return

    def action(engine: Any) -> None:
        click.echo(f"database: {migrate.current_revision(engine) or 'empty'}; newest: {migrate.head_revision(engine)}")

    _with_engine(action, settings=settings)


_DEMO_HELP = "Read the demo data that `tci-bot shell --demo` keeps (demo.db in the data folder), not DATABASE_URL."


def _data_settings(*, demo: bool) -> Settings:
    """The settings to read the store with: the configured database, or with `demo` the shell's demo database."""
    from dataclasses import replace

    from bot.shell import shell_database_url

    settings = _settings(require_slack=False)
    if not demo:
        return settings
    settings = replace(settings, database_url=shell_database_url(settings.data_dir, demo=True))
    if _missing_sqlite(settings):
        _fail(f"there is no demo data at {settings.database_label}: `tci-bot shell --demo` makes it")
    return settings


POST_STATUSES = ("pending", "sending", "sent", "failed", "skipped", "cancelled")


@main.command("schedule")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    metavar="|".join(POST_STATUSES),
    help="Only posts with this status (repeatable).",
)
@click.option(
    "--kind", "kinds", multiple=True, metavar="KIND", help="Only posts of this kind, e.g. reminder (repeatable)."
)
@click.option("--all", "everything", is_flag=True, help="Every post, however old (default: those due from a day ago).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000), help="At most this many.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a table.")
@click.option("--demo", is_flag=True, help=_DEMO_HELP)
def schedule_command(
    statuses: tuple[str, ...], kinds: tuple[str, ...], everything: bool, limit: int, as_json: bool, demo: bool
) -> None:
    """List planned posts (reminders, announcements, digests) with their status, for operators."""
    from datetime import UTC, datetime, timedelta

    from store import schedule
    from store.models import PostKind

    bad = [status for status in statuses if status not in POST_STATUSES]
    if bad:
        _fail(f"--status should be one of {', '.join(POST_STATUSES)} (not {', '.join(bad)})", code=2)
    known = [kind.value for kind in PostKind]
    unknown = [kind for kind in kinds if kind not in known]
    if unknown:
        _fail(f"--kind should be one of {', '.join(known)} (not {', '.join(unknown)})", code=2)
    settings = _data_settings(demo=demo)
    since = None if everything or statuses else datetime.now(UTC) - timedelta(days=1)

    def action(engine: Any) -> None:
        from sqlmodel import Session

        _require_current_schema(engine)
        with Session(engine) as session:
            rows = schedule.posts(session=session, statuses=statuses, kinds=kinds, since=since, limit=limit)
            counts = schedule.status_counts(session=session)
        if as_json:
            for row in rows:
                click.echo(json.dumps(_post_record(row), ensure_ascii=False))
            return
        _print_posts(rows, settings, counts, since)

    _require_existing_sqlite(settings)
    _with_engine(action, settings=settings)


def _post_record(row: Any) -> dict[str, Any]:
    """A scheduled post as plain values."""
    fields = ("id", "key", "kind", "channel", "meeting_id", "status", "attempts", "last_error", "posted_channel")
    record = {name: getattr(row, name) for name in fields}
    for name in ("due_at", "sent_at"):
        value = getattr(row, name)
        record[name] = value.isoformat() if value else None
    record["posted_ts"] = row.posted_ts
    return record


def _print_posts(rows: list[Any], settings: Settings, counts: dict[str, int], since: Any) -> None:
    """The posts as a table, due times in GROUP_TIMEZONE, with how many stand at each status."""
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)  # piped: no folding
    table = Table(title=f"Scheduled posts (times in {settings.group_timezone})", title_justify="left")
    for column in ("id", "due", "kind", "to", "status", "tries", "note"):
        table.add_column(column, overflow="fold", no_wrap=column in ("id", "due"))
    for row in rows:
        due = row.due_at.astimezone(settings.tz).strftime("%a %d %b %Y %H:%M %Z")
        note = row.last_error or (f"posted {row.posted_channel} {row.posted_ts}" if row.posted_ts else row.key)
        table.add_row(str(row.id), due, row.kind, row.channel or "-", row.status, str(row.attempts), note)
    if rows:
        console.print(table)
    else:
        console.print(
            "No scheduled posts match" + (" (those due from a day ago; --all for every one)." if since else ".")
        )
    summary = ", ".join(f"{counts.get(status, 0)} {status}" for status in POST_STATUSES)
    console.print(f"In the store: {summary}.")


_FORMAT_HELP = "The file's format."
_OUT_HELP = "The file to write; - writes to standard output. Default: {what}-<date>.<format> in the current folder."
PRACTICE_STATUSES = ("published", "pending", "rejected", "all")


@main.group(invoke_without_command=True)
@click.option("--all", "everything", is_flag=True, help="Write every export, of every status, into one folder.")
@click.option("--format", "fmt", default="csv", show_default=True, metavar="csv|json", help="The files' format.")
@click.option(
    "--out", "out_dir", default=None, metavar="FOLDER", help="With --all: the folder. Default: export-<date>."
)
@click.option("--demo", is_flag=True, help=_DEMO_HELP)
@click.pass_context
def export(ctx: click.Context, everything: bool, fmt: str, out_dir: str | None, demo: bool) -> None:
    """Write practices or registrations as CSV or JSON; --all writes both, whole, into one folder."""
    ctx.obj = {"demo": demo}
    if ctx.invoked_subcommand is not None:
        if everything or out_dir is not None:
            _fail("--all writes every export: give it alone (`tci-bot export --all`), or name one export", code=2)
        return
    if not everything:
        click.echo(ctx.get_help())
        ctx.exit(2)
    _export_all(fmt, out_dir, demo=demo)


def _demo_wanted(ctx: click.Context, demo: bool) -> bool:
    """Whether an export reads the demo data: `--demo` given after its name or before it."""
    return demo or bool((ctx.obj or {}).get("demo"))


def _export_all(fmt: str, out_dir: str | None, *, demo: bool) -> None:
    """Write all practices and all registrations into `out_dir`, each file whole or not at all."""
    from datetime import datetime

    from bot.services import export as exporter
    from store.models import PracticeStatus

    if fmt not in exporter.FORMATS:
        _fail(f"--format should be one of {', '.join(exporter.FORMATS)} (not {fmt!r})", code=2)
    settings = _data_settings(demo=demo)
    folder = Path(out_dir or f"export-{datetime.now(settings.tz):%Y-%m-%d}")
    if folder.exists() and not folder.is_dir():
        _fail(f"cannot write into {folder}: it is not a folder")
    writers: dict[str, Callable[[Any, TextIO], int]] = {
        "practices": lambda engine, out: exporter.write_practices(engine, fmt, out, statuses=tuple(PracticeStatus)),
        "registrations": lambda engine, out: exporter.write_registrations(engine, fmt, out),
        "feedback": lambda engine, out: exporter.write_feedback(engine, fmt, out),
        "recaps": lambda engine, out: exporter.write_recaps(engine, fmt, out),
        "actions": lambda engine, out: exporter.write_actions(engine, fmt, out),
    }
    one = {"practices": "practice", "registrations": "registration", "recaps": "recap", "actions": "action"}

    def action(engine: Any) -> None:
        _require_current_schema(engine)
        folder.mkdir(parents=True, exist_ok=True)
        for what, write in writers.items():
            path = folder / f"{what}.{fmt}"
            _check_writable(path)
            count = _write_file(engine, write, path)
            click.echo(f"wrote {count} {what if count != 1 else one.get(what, what)} to {path}", err=True)

    _require_existing_sqlite(settings)
    _with_engine(action, settings=settings)


@export.command("practices")
@click.option("--format", "fmt", default="csv", show_default=True, metavar="csv|json", help=_FORMAT_HELP)
@click.option("--out", "out_path", default=None, metavar="FILE", help=_OUT_HELP.format(what="practices"))
@click.option(
    "--status",
    default="published",
    show_default=True,
    metavar="|".join(PRACTICE_STATUSES),
    help="Which practices: those with this status, or all.",
)
@click.option("--demo", is_flag=True, help=_DEMO_HELP)
@click.pass_context
def export_practices(ctx: click.Context, fmt: str, out_path: str | None, status: str, demo: bool) -> None:
    """Write every practice (published ones unless --status says otherwise)."""
    from bot.services import export as exporter
    from store.models import PracticeStatus

    if status not in PRACTICE_STATUSES:
        _fail(f"--status should be one of {', '.join(PRACTICE_STATUSES)} (not {status!r})", code=2)
    statuses = tuple(PracticeStatus) if status == "all" else (PracticeStatus(status),)
    _export(
        "practices",
        fmt,
        out_path,
        lambda engine, out: exporter.write_practices(engine, fmt, out, statuses=statuses),
        demo=_demo_wanted(ctx, demo),
    )


@export.command("registrations")
@click.option("--format", "fmt", default="csv", show_default=True, metavar="csv|json", help=_FORMAT_HELP)
@click.option("--out", "out_path", default=None, metavar="FILE", help=_OUT_HELP.format(what="registrations"))
@click.option("--demo", is_flag=True, help=_DEMO_HELP)
@click.pass_context
def export_registrations(ctx: click.Context, fmt: str, out_path: str | None, demo: bool) -> None:
    """Write every registration to every meeting, with the person's name and membership."""
    from bot.services import export as exporter

    def write(engine: Any, out: TextIO) -> int:
        return exporter.write_registrations(engine, fmt, out)

    _export("registrations", fmt, out_path, write, demo=_demo_wanted(ctx, demo))


def _export(what: str, fmt: str, out_path: str | None, write: Callable[[Any, TextIO], int], *, demo: bool) -> None:
    """Check the format and the database, write the export whole or not at all, and say how many rows."""
    from datetime import datetime

    from bot.services.export import FORMATS, export_filename

    if fmt not in FORMATS:
        _fail(f"--format should be one of {', '.join(FORMATS)} (not {fmt!r})", code=2)
    settings = _data_settings(demo=demo)
    if out_path is None:
        out_path = export_filename(what, fmt, datetime.now(settings.tz))

    def action(engine: Any) -> None:
        _require_current_schema(engine)
        if out_path == "-":
            count = _write_stdout(engine, write)
            where = "standard output"
        else:
            count = _write_file(engine, write, Path(out_path))
            where = out_path
        click.echo(f"wrote {count} {what if count != 1 else what[:-1]} to {where}", err=True)

    if out_path != "-":
        _check_writable(Path(out_path))
    _require_existing_sqlite(settings)
    _with_engine(action, settings=settings)


def _require_existing_sqlite(settings: Settings) -> None:
    """Refuse a SQLite file that is not there, rather than create an empty one by connecting to it."""
    if _missing_sqlite(settings):
        _fail(f"there is no database at {settings.database_label}: check DATABASE_URL, or run `tci-bot db upgrade`")


def _missing_sqlite(settings: Settings) -> bool:
    """Whether the database is a SQLite file that is not there (connecting to it would create it)."""
    from sqlalchemy.engine import make_url

    if not settings.is_sqlite:
        return False
    database = make_url(settings.database_url).database or ""
    return database not in ("", ":memory:") and not Path(database).expanduser().exists()


def _check_writable(path: Path) -> None:
    """Fail before touching the database when the export could not be written where asked."""
    if path.is_dir():
        _fail(f"cannot write {path}: it is a folder; give a file name")
    if path.exists() and not path.is_file():
        _fail(f"cannot write {path}: it is not a regular file (--out - writes to standard output)")
    folder = path.parent
    if not folder.is_dir():
        _fail(f"cannot write {path}: there is no folder {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        _fail(f"cannot write {path}: the folder {folder} is not writable")


def _write_stdout(engine: Any, write: Callable[[Any, TextIO], int]) -> int:
    """Write UTF-8 to standard output whatever the terminal's encoding (csv writes its own line ends)."""
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:  # standard output was replaced by a text-only stream: write to it as it is
        return write(engine, sys.stdout)
    sys.stdout.flush()
    stream = io.TextIOWrapper(binary, encoding="utf-8", newline="")
    try:
        count = write(engine, stream)
        stream.flush()
    except BrokenPipeError:
        # The reader stopped early (`| head`): stop quietly, as command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    stream.detach()
    return count


def _write_file(engine: Any, write: Callable[[Any, TextIO], int], path: Path) -> int:
    """Write to a temporary file beside `path`, then rename it: a failed export leaves no half a file."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        # O_EXCL: never write through a file someone else put there; 0o666 lets the umask decide, as open() does.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        _fail(f"cannot write {path}: {error.strerror or error}")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as out:
            count = write(engine, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            _fail(f"cannot write {path}: {error.strerror or error}")
        raise
    return count


def _require_current_schema(engine: Any) -> None:
    """Refuse a database that is not at the newest revision; nothing is read from it."""
    from store import migrate

    if not migrate.is_current(engine):
        _fail(
            f"the database is at revision {migrate.current_revision(engine) or 'none'} but this version "
            f"needs {migrate.HEAD_REVISION}: run `tci-bot db upgrade` first"
        )


def entry() -> None:
    """Run the command line (used by `python -m bot`)."""
    main(prog_name="tci-bot")
