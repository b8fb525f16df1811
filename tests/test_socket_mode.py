"""Socket Mode end to end: `tci-bot run` with SLACK_APP_TOKEN against the emulator's Socket Mode server.

Requests arrive as envelopes and are acknowledged over the socket; the connection is refreshed, reset
without a close frame, or goes silent, and the bot connects again within about 15 s; /healthz and
/metrics tell whether Slack is heard; refused tokens end the start in one line.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from bot.config import ConfigError, Settings, load_settings
from bot.localslack import SlackEmulator
from bot.localslack.local import GROUP_CHANNEL, MEMBER, ORGANISER, PEOPLE, LocalBot
from bot.localslack.socket_mode import REFRESH_REQUESTED
from bot.localslack.workspace import NOT_ACKNOWLEDGED, LocalWorkspace
from bot.runtime import SocketTiming
from bot.views import practices as practice_views
from tests.helpers import settle, wait_delivery
from tests.processes import bot_process
from tests.test_cli import SECRET, clean_env, free_port, tci_bot
from tests.test_observability import scrape, value
from tests.test_practices import form_state

RECOVERY_SECONDS = 15.0  # a connection that died is replaced within this
FAST = SocketTiming(ping_interval=0.5, grace=1.0)  # for the tests that wait out the grace in-process


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    """The local Slack, with the group's channel."""
    with SlackEmulator(users=PEOPLE.values()) as emu:
        emu.add_channel(GROUP_CHANNEL, "learning-group")
        yield emu


@pytest.fixture
def port() -> int:
    """The HTTP port of the bot under test (its /healthz and /metrics)."""
    return free_port()


@pytest.fixture
def running(tmp_path: Path, emulator: SlackEmulator, port: int) -> Iterator[subprocess.Popen[str]]:
    """`tci-bot run` in Socket Mode, with no signing secret, healthy and connected."""
    with bot_process(tmp_path, emulator, f"sqlite:///{tmp_path / 'bot.db'}", socket_mode=True, PORT=str(port)) as bot:
        assert emulator.socket_mode.wait_opened(1)
        yield bot


@pytest.fixture
def workspace(emulator: SlackEmulator) -> LocalWorkspace:
    """People of the workspace, whose requests go over Socket Mode."""
    return LocalWorkspace(emulator=emulator, channel=GROUP_CHANNEL, socket_mode=True)


def health(port: int) -> tuple[int, dict[str, Any]]:
    """/healthz's status and body."""
    try:
        with urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return int(response.status), json.loads(response.read())
    except HTTPError as error:
        return int(error.code), json.loads(error.read())


def within(seconds: float, condition: Callable[[], bool]) -> float:
    """Wait until `condition` holds; return how long it took, failing after `seconds`."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, f"not within {seconds} s"
        time.sleep(0.05)
    return time.monotonic() - started


def answers_help(workspace: LocalWorkspace) -> bool:
    """Whether the bot answers /tci help in its acknowledgement."""
    response = workspace.slash_command(MEMBER.id, "/tci", "help")
    return response.status == 200 and "/tci whoami" in (response.json() or {}).get("text", "")


# the protocol ---------------------------------------------------------------------------------------


def test_apps_connections_open_takes_the_app_token_and_issues_one_use_urls(emulator: SlackEmulator) -> None:
    client = WebClient(base_url=emulator.base_url)
    for token in (emulator.bot_token, "xapp-1-A0LOCAL-1-wrong"):
        with pytest.raises(SlackApiError) as refused:
            client.apps_connections_open(app_token=token)
        assert refused.value.response["error"] == "invalid_auth"
    url = client.apps_connections_open(app_token=emulator.app_token)["url"]
    assert url.startswith("ws://127.0.0.1:") and "ticket=" in url
    with connect(url) as ws:
        hello = json.loads(ws.recv(timeout=5))
    assert hello["type"] == "hello" and hello["num_connections"] == 1
    assert hello["connection_info"] == {"app_id": emulator.app_id} and "host" in hello["debug_info"]
    with pytest.raises(InvalidStatus):
        connect(url)  # a ticket opens one connection
    emulator.revoke_app_token()
    with pytest.raises(SlackApiError) as revoked:
        client.apps_connections_open(app_token=emulator.app_token)
    assert revoked.value.response["error"] == "token_revoked"


def test_an_envelope_waits_three_seconds_for_its_acknowledgement(emulator: SlackEmulator) -> None:
    server = emulator.socket_mode
    url = WebClient(base_url=emulator.base_url).apps_connections_open(app_token=emulator.app_token)["url"]
    with connect(url) as ws:
        ws.recv(timeout=5)  # hello
        started = time.monotonic()
        assert server.deliver("events_api", {"type": "event_callback"}, 0.3) is None, "nothing acknowledged it"
        assert 0.3 <= time.monotonic() - started < 1
        envelope = json.loads(ws.recv(timeout=5))
        assert envelope["type"] == "events_api" and envelope["accepts_response_payload"] is False
        assert (envelope["retry_attempt"], envelope["retry_reason"]) == (0, "")
        ws.send(json.dumps({"envelope_id": envelope["envelope_id"]}))  # too late: no one waits for it any more
    response = LocalWorkspace(emulator=emulator, socket_mode=True).slash_command(MEMBER.id, "/tci", "help")
    assert response.status == NOT_ACKNOWLEDGED, "no connection took it"


# requests over the socket ---------------------------------------------------------------------------


def test_a_slash_command_is_acknowledged_with_its_envelope_id_and_answer(
    running: subprocess.Popen[str], emulator: SlackEmulator, workspace: LocalWorkspace, port: int
) -> None:
    assert health(port) == (200, {"status": "ok", "database": "ok", "slack": "connected"})
    response = workspace.slash_command(MEMBER.id, "/tci", "help")
    assert response.status == 200 and "/tci whoami" in response.json()["text"]
    [exchange] = emulator.socket_mode.exchanges
    assert exchange.envelope["type"] == "slash_commands" and exchange.envelope["accepts_response_payload"]
    assert exchange.ack is not None and exchange.ack["envelope_id"] == exchange.envelope["envelope_id"]
    assert exchange.seconds < 3
    samples, _ = scrape(f"http://127.0.0.1:{port}")
    assert value(samples, "tci_bot_slack_connected") == 1
    assert value(samples, "tci_bot_slack_requests_total", kind="command", status="200") == 1


def test_a_mention_is_answered_once_in_its_thread_however_often_it_comes(
    running: subprocess.Popen[str], emulator: SlackEmulator, workspace: LocalWorkspace
) -> None:
    event = {
        "type": "app_mention",
        "user": MEMBER.id,
        "text": "<@U0BOT> when is the next meeting?",
        "channel": GROUP_CHANNEL,
        "ts": "1800000000.000100",
        "event_ts": "1800000000.000100",
    }
    for retry in (None, 1):
        assert workspace.event(event, event_id="Ev0SOCKET", retry_num=retry).status == 200
    retried = emulator.socket_mode.exchanges[-1].envelope
    assert (retried["retry_attempt"], retried["retry_reason"]) == (1, "timeout")
    wait_delivery(emulator, lambda d: d.kind == "message" and d.thread_ts == "1800000000.000100")
    settle(emulator)
    replies = [d for d in emulator.deliveries if d.kind == "message" and d.thread_ts == "1800000000.000100"]
    assert len(replies) == 1 and replies[0].channel == GROUP_CHANNEL


def test_a_form_and_a_button_work_over_the_socket(
    running: subprocess.Popen[str], emulator: SlackEmulator, workspace: LocalWorkspace
) -> None:
    title = "Cluster digital maturity check"
    assert workspace.slash_command(MEMBER.id, "/practice").status == 200
    opened = wait_delivery(emulator, lambda d: d.kind == "view_open" and d.user == MEMBER.id)
    assert opened.view is not None
    submitted = workspace.submit_view(MEMBER.id, opened.view, form_state(title=title))
    assert submitted.status == 200 and "is shared in" in submitted.body, "the answer is in the acknowledgement"
    assert emulator.socket_mode.exchanges[-1].envelope["accepts_response_payload"] is True

    def card() -> dict[str, Any] | None:
        cards = [m for m in emulator.messages(GROUP_CHANNEL) if m["bot_id"] and title in json.dumps(m["blocks"])]
        return cards[0] if cards else None

    within(10, lambda: card() is not None)
    message = card()
    assert message is not None
    [useful] = [
        element
        for block in message["blocks"]
        for element in block.get("elements") or []
        if isinstance(element, dict) and element.get("action_id") == practice_views.USEFUL
    ]
    pressed = workspace.press_button(  # someone else than its author finds it useful
        ORGANISER.id, action_id=practice_views.USEFUL, value=useful["value"], message=message, channel=GROUP_CHANNEL
    )
    assert pressed.status == 200
    assert emulator.socket_mode.exchanges[-1].envelope["accepts_response_payload"] is False
    within(10, lambda: "Useful · 1" in json.dumps((card() or {}).get("blocks"), ensure_ascii=False))


# the connection -------------------------------------------------------------------------------------


def test_the_bot_reconnects_when_slack_asks_for_a_refresh(
    running: subprocess.Popen[str], emulator: SlackEmulator, workspace: LocalWorkspace, port: int
) -> None:
    server = emulator.socket_mode
    assert server.refresh("warning") == 1
    assert server.wait_opened(2, timeout=5), "a warning is a disconnect too"
    within(5, lambda: server.listening == 1)  # the bot closed the old connection once the new one was open
    assert server.refresh(REFRESH_REQUESTED) == 1
    assert server.wait_opened(3, timeout=5)
    within(5, lambda: server.listening == 1)
    assert answers_help(workspace)
    assert health(port)[0] == 200, "a refresh is no outage"


def test_the_bot_reconnects_after_a_reset_without_a_close_frame(
    running: subprocess.Popen[str], emulator: SlackEmulator, workspace: LocalWorkspace, port: int
) -> None:
    server = emulator.socket_mode
    assert server.cut_connections() == 1
    took = within(RECOVERY_SECONDS, lambda: server.connections_opened == 2)
    assert took < SocketTiming().ping_interval * 2 + 1, "a reset is noticed at once"
    assert answers_help(workspace)
    assert health(port)[0] == 200


def test_the_bot_reconnects_after_the_connection_goes_silent(settings: Settings) -> None:
    """Open but silent, as a connection is when the network between drops it: four pings go unanswered.

    Then a check, and up to 3 s for the client's blocked read to let the socket go: with the pings of
    `tci-bot run` (every 2 s) about 14 s at most, here (every 0.5 s) about 7 s.
    """
    with LocalBot(settings, socket_mode=True, socket_timing=FAST) as bot:
        server = bot.emulator.socket_mode
        assert server.silence_connections() == 1
        within(10, lambda: server.listening == 1)
        assert server.connections_opened == 2
        assert bot.workspace is not None and answers_help(bot.workspace)


def test_health_says_slack_is_disconnected_past_the_grace(settings: Settings) -> None:
    with LocalBot(settings, socket_mode=True, socket_timing=FAST) as bot:
        port = int(bot.base_url.rsplit(":", 1)[1])
        assert health(port) == (200, {"status": "ok", "database": "ok", "slack": "connected"})
        server = bot.emulator.socket_mode
        bot.emulator.fail_for("apps.connections.open", 3)  # Slack is unreachable for a while
        server.cut_connections()
        within(5, lambda: health(port)[0] == 503)
        assert health(port)[1] == {"status": "unavailable", "database": "ok", "slack": "disconnected"}
        assert value(scrape(bot.base_url)[0], "tci_bot_slack_connected") == 0
        within(RECOVERY_SECONDS, lambda: health(port)[0] == 200)
        assert server.connections_opened == 2
        assert value(scrape(bot.base_url)[0], "tci_bot_slack_connected") == 1
        assert bot.workspace is not None and answers_help(bot.workspace)


def test_health_says_slack_is_disconnected_while_the_connection_is_silent(settings: Settings) -> None:
    """The client may not have noticed yet; /healthz says what was heard, not what the client believes."""
    with LocalBot(settings, socket_mode=True, socket_timing=SocketTiming(ping_interval=5, grace=1)) as bot:
        port = int(bot.base_url.rsplit(":", 1)[1])
        bot.emulator.socket_mode.silence_connections()
        within(8, lambda: health(port)[1].get("slack") == "disconnected")
        assert health(port)[0] == 503


def test_the_metric_is_absent_in_http_mode(local_bot: LocalBot) -> None:
    _, helps = scrape(local_bot.base_url)
    assert "tci_bot_slack_connected" not in helps


# start and stop -------------------------------------------------------------------------------------


def test_sigterm_ends_the_socket_mode_bot_cleanly(
    tmp_path: Path, running: subprocess.Popen[str], workspace: LocalWorkspace, port: int
) -> None:
    assert answers_help(workspace)
    running.send_signal(signal.SIGTERM)
    assert running.wait(timeout=30) == 0
    assert "Traceback" not in (tmp_path / f"bot-{port}.log").read_text()


def run_refused(tmp_path: Path, emulator: SlackEmulator, **tokens: str) -> list[str]:
    """Run `tci-bot run` with these tokens; check it ends with no traceback and return its error lines."""
    env = clean_env(
        tmp_path,
        GROUP_CHANNEL=GROUP_CHANNEL,
        SLACK_API_BASE_URL=emulator.base_url,
        PORT=str(free_port()),
        LOG_LEVEL="WARNING",
        **tokens,
    )
    result = tci_bot("run", env=env, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    for token in tokens.values():
        assert token not in result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


@pytest.mark.parametrize("revoked", [False, True], ids=["wrong", "revoked"])
def test_a_refused_app_token_ends_run_in_one_line(tmp_path: Path, emulator: SlackEmulator, revoked: bool) -> None:
    app_token = emulator.app_token if revoked else "xapp-1-A0LOCAL-1-refused"
    if revoked:
        emulator.revoke_app_token()
    [line] = run_refused(tmp_path, emulator, SLACK_BOT_TOKEN=emulator.bot_token, SLACK_APP_TOKEN=app_token)
    error = "token_revoked" if revoked else "invalid_auth"
    assert line.startswith(f"error: Slack refused SLACK_APP_TOKEN ({error}): check that it is the app-level token")


@pytest.mark.parametrize("mode", ["socket", "http"])
def test_a_refused_bot_token_ends_run_in_one_line(tmp_path: Path, emulator: SlackEmulator, mode: str) -> None:
    second = {"SLACK_APP_TOKEN": emulator.app_token} if mode == "socket" else {"SLACK_SIGNING_SECRET": SECRET}
    [line] = run_refused(tmp_path, emulator, SLACK_BOT_TOKEN="xoxb-refused-token", **second)
    assert line.startswith("error: Slack refused SLACK_BOT_TOKEN (invalid_auth): copy the Bot User OAuth Token")
    assert not emulator.calls_to("apps.connections.open"), "the bot token is checked first"


def test_the_signing_secret_is_optional_in_socket_mode_only() -> None:
    slack = {"SLACK_BOT_TOKEN": "xoxb-1", "GROUP_CHANNEL": "C0GROUP"}
    assert load_settings({**slack, "SLACK_APP_TOKEN": "xapp-1-abc"}).signing_secret.reveal() == ""
    with pytest.raises(ConfigError) as error:
        load_settings(slack)
    [problem] = error.value.problems
    assert problem.startswith("SLACK_SIGNING_SECRET is missing")
