"""`tci-bot shell`: a local Slack workspace in the terminal, driving the real bot.

The shell's parts: what it shows of the bot's doings (`_screen`), the forms it fills in field by field
(`_forms`), and the conversation that sends each typed line to the bot or runs the shell's own commands
(`_conversation`).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from bot.config import Settings
from bot.demo import DEMO_DATABASE, as_the_bot_made_it, seed_demo
from bot.localslack.local import LocalBot
from bot.localslack.workspace import AnswerRefused
from bot.logs import configure_logging
from bot.shell._conversation import Shell

__all__ = ["Shell", "run_shell", "shell_database_url"]

SHELL_DATABASE = "shell.db"


def shell_database_url(data_dir: Path, *, demo: bool) -> str:
    """The shell's own SQLite file: the demo's, or `shell.db`, kept between runs; never DATABASE_URL."""
    return f"sqlite:///{data_dir / (DEMO_DATABASE if demo else SHELL_DATABASE)}"


def _send(shell: Shell, line: str) -> bool:
    """Act on one typed line, saying so when Slack refused the bot's answer (a person would see an error)."""
    try:
        return shell.send(line)
    except AnswerRefused as refused:
        shell.console.print(f"[red]Slack refused the bot's answer: {escape(str(refused))}[/red]", highlight=False)
        return True


def run_shell(
    settings: Settings,
    *,
    demo: bool,
    who: str,
    socket_mode: bool = False,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Run the bot offline against a local workspace on its own database, reading what the person types.

    With `socket_mode` the bot takes the workspace's requests over Socket Mode instead of signed HTTP.
    """
    stdin = stdin or sys.stdin
    interactive = stdin.isatty()
    out = stdout or sys.stdout
    console = Console(
        file=out,
        highlight=False,
        emoji=False,
        force_terminal=None if interactive else False,
        soft_wrap=not out.isatty(),  # a transcript written to a file or a pipe keeps its lines whole
    )
    configure_logging(settings.log_level, file=settings.data_dir / "shell.log", fmt=settings.log_format)
    if demo:
        for leftover in settings.data_dir.glob(f"{DEMO_DATABASE}*"):
            leftover.unlink()
    settings = replace(settings, database_url=shell_database_url(settings.data_dir, demo=demo))
    with LocalBot(settings, socket_mode=socket_mode) as bot:
        if demo:
            seed_demo(bot.service.deps)  # type: ignore[union-attr]
            as_the_bot_made_it(bot.service.deps)  # type: ignore[union-attr]
            bot.wait_idle(timeout=30)
        shell = Shell(bot, console, who, (line.rstrip("\n") for line in stdin), interactive)
        data = "demo data" if demo else "the shell's own data"
        over = " over Socket Mode" if socket_mode else ""
        console.print(
            f"[bold]{escape(settings.group_name)}[/bold]: a local workspace with the bot{over} ({data} in "
            f"{escape(settings.database_label.removeprefix('sqlite:///'))}; files it sends are saved in "
            f"{escape(str(shell.files_dir))}). You are {shell.user.real_name} ({who}). "
            "Type :help for help, :quit to leave.",
            highlight=False,
        )
        try:
            shell.show_missed()
            while True:
                shell.show_pending()
                line = shell.ask(f"{shell.user.name}> ")
                if line is None or not _send(shell, line):
                    break
            shell.show_pending()
        except KeyboardInterrupt:
            console.print("\n[dim]Left the local workspace.[/dim]")
    return 0
