"""The bot as an operator runs it: `tci-bot run` in a process of its own, against an emulator in the test's."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.request import urlopen

from bot.localslack import SlackEmulator
from bot.localslack.local import GROUP_CHANNEL
from tests.test_cli import SECRET, clean_env, free_port


@contextmanager
def bot_process(
    tmp_path: Path,
    emulator: SlackEmulator,
    database_url: str,
    *,
    socket_mode: bool = False,
    log_name: str = "",
    **extra: str,
) -> Iterator[subprocess.Popen[str]]:
    """`tci-bot run` as an operator starts it, until the test is done with it.

    `extra` is more of its environment; it serves on a free port unless `PORT` is among them.
    Its requests are signed with tests.test_cli.SECRET; with `socket_mode` it has the emulator's app token
    instead of a signing secret and takes its requests over Socket Mode. Its log is `log_name` (by default
    bot-<port>.log) in `tmp_path`.
    """
    port = int(extra.pop("PORT", "") or free_port())
    slack = {"SLACK_APP_TOKEN": emulator.app_token} if socket_mode else {"SLACK_SIGNING_SECRET": SECRET}
    env = clean_env(
        tmp_path,
        SLACK_BOT_TOKEN=emulator.bot_token,
        **slack,
        GROUP_CHANNEL=GROUP_CHANNEL,
        SLACK_API_BASE_URL=emulator.base_url,
        DATABASE_URL=database_url,
        PORT=str(port),
        ORGANISER_IDS="U0ORG",
        **{"LOG_LEVEL": "WARNING", **extra},
    )
    log_path = tmp_path / (log_name or f"bot-{port}.log")
    log = log_path.open("w")
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=tmp_path, stderr=log, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "the bot did not become healthy"
                time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        log.close()
