"""Several `tci-bot run` processes on one port (SHARE_PORT=on) and one PostgreSQL database.

The kernel spreads the connections among the processes that listen; when one stops, the others go on
answering on the same port, so a process can be restarted while Slack's requests keep being answered.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from bot.localslack import LocalWorkspace, SlackEmulator
from bot.localslack.local import GROUP_CHANNEL, MEMBER, PEOPLE
from tests.processes import bot_process
from tests.test_cli import SECRET, free_port
from tests.test_scheduler import wait_until

HELP = "/meetings"  # the help lists the commands
SERVING = "serving HTTP on port"


def test_two_processes_answer_on_one_port_and_one_goes_on_when_the_other_stops(
    migrated_url: str, tmp_path: Path
) -> None:
    if migrated_url.startswith("sqlite"):
        pytest.skip("several processes share a PostgreSQL database; SQLite is the one-process store")
    with SlackEmulator(users=list(PEOPLE.values())) as emulator:
        emulator.add_channel(GROUP_CHANNEL, "learning-group")
        port = str(free_port())
        shared = {"PORT": port, "SHARE_PORT": "on", "LOG_LEVEL": "INFO"}
        with (
            bot_process(tmp_path, emulator, migrated_url, log_name="one.log", **shared) as one,
            bot_process(tmp_path, emulator, migrated_url, log_name="two.log", **shared) as two,
        ):
            # The health check on the port is answered by whichever listens: each says so in its own log.
            for log in ("one.log", "two.log"):
                wait_until(lambda log=log: SERVING in (tmp_path / log).read_text(), timeout=30)
            workspace = LocalWorkspace(
                events_url=f"http://127.0.0.1:{port}/slack/events",
                signing_secret=SECRET,
                emulator=emulator,
                channel=GROUP_CHANNEL,
            )
            for _ in range(20):
                answer = workspace.slash_command(MEMBER.id, "/tci", "help")
                assert answer.status == 200 and HELP in answer.body
            assert one.poll() is None and two.poll() is None, "both listen on the port"

            one.send_signal(signal.SIGTERM)
            assert one.wait(timeout=30) == 0
            for _ in range(10):
                answer = workspace.slash_command(MEMBER.id, "/tci", "help")
                assert answer.status == 200 and HELP in answer.body, "the other process answers alone"
            assert two.poll() is None
