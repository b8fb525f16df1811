"""What operators watch: /metrics through the real bot, and the logs as one JSON object a line."""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families
from slack_sdk import WebClient
from slack_sdk.socket_mode.request import SocketModeRequest
from sqlalchemy.engine import make_url

from bot.localslack import SlackEmulator
from bot.localslack.local import GROUP_CHANNEL, MEMBER, ORGANISER, PEOPLE, LocalBot
from bot.localslack.workspace import LocalWorkspace
from bot.logs import configure_logging
from bot.metrics import Metrics
from bot.runtime import MeteredSocketModeHandler
from bot.server import WebApp
from bot.views import meetings as meeting_views
from store import schedule
from store.models import PostStatus
from tests.test_cli import SECRET, clean_env, free_port
from tests.test_meetings import make_meeting
from tests.test_scheduler import announcement, plan, wait_until

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(base_url: str) -> tuple[Samples, dict[str, str]]:
    """GET /metrics, check its content type, and return every sample and each family's HELP text."""
    with urlopen(f"{base_url}/metrics", timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == CONTENT_TYPE_LATEST
        text = response.read().decode()
    samples: Samples = {}
    helps: dict[str, str] = {}
    for family in text_string_to_metric_families(text):
        helps[family.name] = family.documentation
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples, helps


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value; 0 when the bot has not reported it."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def metric(bot: LocalBot, name: str, **labels: str) -> float:
    return value(scrape(bot.base_url)[0], name, **labels)


def get(url: str) -> int:
    try:
        with urlopen(url, timeout=5) as response:
            return int(response.status)
    except HTTPError as error:
        return int(error.code)


def get_or_none(url: str) -> int | None:
    """The status, or None while nothing listens yet."""
    try:
        return get(url)
    except OSError:
        return None


def test_requests_and_scheduled_posts_are_counted(local_bot: LocalBot) -> None:
    ws, emulator, deps = local_bot.workspace, local_bot.emulator, local_bot.service.deps  # type: ignore[union-attr]
    assert ws is not None and deps is not None
    assert ws.slash_command(MEMBER.id, "/tci", "help").status == 200
    meeting = make_meeting(local_bot)
    pressed = ws.press_button(MEMBER.id, action_id=meeting_views.RSVP_IN_PERSON, value=str(meeting.id))
    assert pressed.status == 200
    assert local_bot.wait_idle()  # the press's work is done before the next request from the same person
    form = urlencode({"command": "/tci", "text": "whoami", "user_id": MEMBER.id, "team_id": "T0LOCAL"})
    forged = {"X-Slack-Signature": "v0=" + "0" * 64}
    assert ws.post(form, "application/x-www-form-urlencoded", headers=forged).status == 401
    assert ws.post("{not json", "application/json").status == 400, "signed junk is refused, never a 500"
    # Opening App Home is an event; its views.publish is refused once with 429: counted, not waited out
    # and sent again, and the person is told that Slack is busy.
    emulator.fail_next("views.publish", status=429, retry_after=0)
    assert ws.open_home(MEMBER.id).status == 200
    wait_until(lambda: any(d.user == MEMBER.id and "Slack is busy" in (d.text or "") for d in emulator.deliveries[:]))
    assert emulator.home_view(MEMBER.id) is None and len(emulator.calls_to("views.publish")) == 1
    plan(local_bot, announcement("announce:metrics", deps.clock(), "Counted"))
    assert get(f"{local_bot.base_url}/healthz") == 200
    assert get(f"{local_bot.base_url}/wp-login.php") == 404
    assert get(f"{local_bot.base_url}/slack/events") == 405
    wait_until(lambda: metric(local_bot, "tci_bot_scheduled_post_outcomes_total", kind="announcement", outcome="sent"))
    assert local_bot.wait_idle()

    samples, helps = scrape(local_bot.base_url)
    slack = "tci_bot_slack_requests_total"
    assert value(samples, slack, kind="command", status="200") == 1
    assert value(samples, slack, kind="block_action", status="200") == 1
    assert value(samples, slack, kind="other", status="401") == 1, "a bad signature is counted as 401, unread"
    assert value(samples, slack, kind="event", status="200") == 1
    assert value(samples, slack, kind="other", status="400") == 1
    refused = "tci_bot_slack_requests_refused_total"
    assert value(samples, refused, reason="unsigned") == 1 and value(samples, refused, reason="malformed") == 1
    assert (refused, frozenset({("reason", "stale")})) in samples, "every reason starts at 0"
    assert value(samples, "tci_bot_slack_ack_seconds_count", kind="command") == 1
    assert value(samples, "tci_bot_slack_ack_seconds_count", kind="other") == 2, "refusals are timed too"
    assert value(samples, "tci_bot_slack_ack_seconds_bucket", kind="block_action", le="+Inf") == 1
    assert value(samples, "tci_bot_slack_ack_seconds_sum", kind="command") > 0
    http = "tci_bot_http_requests_total"
    assert value(samples, http, path="/healthz", status="200") == 1
    assert value(samples, http, path="other", status="404") == 1, "unknown paths share one label"
    assert value(samples, http, path="/slack/events", status="405") == 1
    assert not [key for key in samples if key[0] == http and ("path", "/wp-login.php") in key[1]]
    posts = "tci_bot_scheduled_post_outcomes_total"
    assert value(samples, posts, kind="announcement", outcome="sent") == 1
    assert value(samples, posts, kind="announcement", outcome="failed") == 0
    assert (posts, frozenset({("kind", "digest"), ("outcome", "skipped")})) in samples, "every series starts at 0"
    assert value(samples, "tci_bot_slack_rate_limited_total", client="listeners") == 1
    assert value(samples, "tci_bot_slack_rate_limited_total", client="scheduler") == 0
    assert value(samples, "tci_bot_database_up") == 1
    assert value(samples, "process_resident_memory_bytes") > 0 and "python_info" in helps
    ours = {name for name in helps if name.startswith("tci_bot_") and not name.endswith("_created")}
    assert ours == {
        "tci_bot_slack_requests",
        "tci_bot_slack_requests_refused",
        "tci_bot_slack_ack_seconds",
        "tci_bot_http_requests",
        "tci_bot_scheduled_post_outcomes",
        "tci_bot_slack_rate_limited",
        "tci_bot_database_up",
        "tci_bot_scheduled_posts",
    }
    assert all(helps[name] for name in ours), "every family has its HELP text"
    # The scrape before this one is counted too.
    assert value(scrape(local_bot.base_url)[0], http, path="/metrics", status="200") >= 2


def test_a_post_refused_for_good_and_a_429_are_counted(local_bot: LocalBot) -> None:
    emulator, deps = local_bot.emulator, local_bot.service.deps  # type: ignore[union-attr]
    emulator.fail_next("chat.postMessage", status=429, retry_after=0)
    emulator.fail_next("chat.postMessage", status=200, error="channel_not_found")
    plan(local_bot, announcement("announce:lost", deps.clock(), channel="C0GONE"))
    posts = "tci_bot_scheduled_post_outcomes_total"
    wait_until(lambda: metric(local_bot, posts, kind="announcement", outcome="failed") == 1)
    samples, _ = scrape(local_bot.base_url)
    assert value(samples, posts, kind="announcement", outcome="sent") == 0
    assert value(samples, "tci_bot_slack_rate_limited_total", client="scheduler") == 1
    with deps.sessions() as session:
        assert schedule.status_counts(session=session)[PostStatus.FAILED] == 1


def test_the_backlog_gauge_matches_the_store(local_bot: LocalBot) -> None:
    deps = local_bot.service.deps  # type: ignore[union-attr]
    now = deps.clock()
    plan(
        local_bot,
        announcement("announce:now", now, "Now"),
        *(announcement(f"announce:later{i}", now + timedelta(days=i + 1)) for i in range(3)),
    )
    wait_until(lambda: metric(local_bot, "tci_bot_scheduled_posts", status="sent") == 1)

    def stored() -> dict[str, float]:
        with deps.sessions() as session:
            counts = schedule.status_counts(session=session)
        return {status.value: counts.get(status.value, 0) for status in PostStatus}

    def gauge() -> dict[str, float]:
        samples, _ = scrape(local_bot.base_url)
        return {status.value: value(samples, "tci_bot_scheduled_posts", status=status.value) for status in PostStatus}

    # The scheduler plans the digest and the call for practices on its own: compare once the store is still.
    wait_until(lambda: stored() == gauge() == stored())
    assert gauge()["sent"] == 1
    assert gauge()["pending"] >= 3, "the three later announcements (and the digest and call for practices)"


@pytest.fixture
def sqlite_bot(local_bot: LocalBot) -> LocalBot:
    if not local_bot.settings.is_sqlite:
        pytest.skip("the outage is made by taking the SQLite file away; the SQLite run covers it")
    return local_bot


def test_metrics_answer_while_the_database_is_unreachable(sqlite_bot: LocalBot, tmp_path: Path) -> None:
    deps = sqlite_bot.service.deps  # type: ignore[union-attr]
    # Only the scrape and the health check touch the store from here: a scheduler job connecting while the
    # file is moved away or back would open (or create) another file than the one the test puts back.
    sqlite_bot.service.scheduler.stop()  # type: ignore[union-attr]
    database = Path(make_url(sqlite_bot.settings.database_url).database or "")
    aside = tmp_path / "aside"
    aside.mkdir()
    deps.engine.dispose()
    moved = [path for path in database.parent.glob(f"{database.name}*") if path.is_file()]
    for path in moved:
        path.rename(aside / path.name)
    database.mkdir()  # a folder where the file was: every connection fails with "unable to open database file"
    try:
        samples, helps = scrape(sqlite_bot.base_url)
        assert value(samples, "tci_bot_database_up") == 0
        assert "tci_bot_scheduled_posts" not in helps, "the backlog is left out, the rest is served"
        assert "tci_bot_slack_requests" in helps and value(samples, "process_resident_memory_bytes") > 0
        assert get(f"{sqlite_bot.base_url}/healthz") == 503
    finally:
        database.rmdir()
        for path in moved:
            (aside / path.name).rename(path)
    samples, helps = scrape(sqlite_bot.base_url)
    assert value(samples, "tci_bot_database_up") == 1 and "tci_bot_scheduled_posts" in helps


def test_a_metrics_token_is_required_when_set() -> None:
    token = "m" * 24
    metrics = Metrics()
    app = WebApp(None, lambda: True, metrics=metrics, metrics_token=token)

    def call(authorization: str | None) -> tuple[str, list[tuple[str, str]], bytes]:
        environ = {"PATH_INFO": "/metrics", "REQUEST_METHOD": "GET"}
        if authorization is not None:
            environ["HTTP_AUTHORIZATION"] = authorization
        answered: list[Any] = []
        body = b"".join(app(environ, lambda status, headers: answered.append((status, headers))))
        return answered[0][0], answered[0][1], body

    status, headers, _ = call(None)
    assert status == "401 Unauthorized" and ("WWW-Authenticate", 'Bearer realm="metrics"') in headers
    assert call(f"Bearer {token}x")[0] == "401 Unauthorized"
    assert call(f"Basic {token}")[0] == "401 Unauthorized"
    status, headers, body = call(f"Bearer {token}")
    assert status == "200 OK" and b"tci_bot_http_requests_total" in body
    assert ("Content-Type", CONTENT_TYPE_LATEST) in headers
    assert b'tci_bot_http_requests_total{path="/metrics",status="401"} 3.0' in metrics.exposition()


class FakeSocket:
    """The part of a Socket Mode client that acknowledgements go through."""

    def __init__(self) -> None:
        self.logger = logging.getLogger("tests.socket")
        self.sent: list[Any] = []

    def send_socket_mode_response(self, response: Any) -> None:
        self.sent.append(response)


def test_socket_mode_requests_are_counted(local_bot: LocalBot) -> None:
    service = local_bot.service
    assert service is not None and service.app is not None
    handler = MeteredSocketModeHandler(
        service.app,
        service.deps.metrics,
        app_token="xapp-1-local",
        web_client=WebClient(base_url=local_bot.emulator.base_url),
    )
    try:
        socket = FakeSocket()
        payload = {"command": "/tci", "text": "help", "user_id": MEMBER.id, "channel_id": GROUP_CHANNEL}
        payload |= {"team_id": "T0LOCAL", "response_url": "", "trigger_id": "t"}
        handler.handle(socket, SocketModeRequest(type="slash_commands", envelope_id="e1", payload=payload))  # type: ignore[arg-type]
        (ack,) = socket.sent
        assert ack.envelope_id == "e1" and "/tci whoami" in ack.payload["text"]
    finally:
        handler.close()
    assert metric(local_bot, "tci_bot_slack_requests_total", kind="command", status="200") == 1


# logs ---------------------------------------------------------------------------------------------


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """Put the logging configuration back as it was after a test that configures it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    noisy = {name: logging.getLogger(name).level for name in ("apscheduler", "slack_sdk", "slack_bolt", "cheroot")}
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, noisy_level in noisy.items():
            logging.getLogger(name).setLevel(noisy_level)
        logging.captureWarnings(False)


def test_json_logs_are_one_object_a_line_with_the_traceback(
    restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", fmt="json")
    log = logging.getLogger("bot.sender")
    log.info("posted %s\nto %s", "announce:1", GROUP_CHANNEL, extra={"post_id": 7})
    try:
        {}["missing"]
    except KeyError:
        log.exception("could not build scheduled post %s", "announce:2")
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2, "a message with a line break stays on one line"
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == f"posted announce:1\nto {GROUP_CHANNEL}" and first["post_id"] == 7
    assert (first["level"], first["logger"]) == ("INFO", "bot.sender")
    assert first["timestamp"].endswith("+00:00"), "ISO 8601 in UTC"
    assert second["level"] == "ERROR" and second["message"] == "could not build scheduled post announce:2"
    assert second["exception"].startswith("Traceback") and "KeyError: 'missing'" in second["exception"]


def test_run_with_json_logs_writes_json_lines_and_never_the_token(tmp_path: Path) -> None:
    port = free_port()
    with SlackEmulator(users=PEOPLE.values()) as emulator:
        env = clean_env(
            tmp_path,
            SLACK_BOT_TOKEN=emulator.bot_token,
            SLACK_SIGNING_SECRET=SECRET,
            GROUP_CHANNEL=GROUP_CHANNEL,
            SLACK_API_BASE_URL=emulator.base_url,
            PORT=str(port),
            ORGANISER_IDS=ORGANISER.id,
            LOG_FORMAT="json",
            LOG_LEVEL="DEBUG",
            METRICS_TOKEN="t" * 20,
        )
        log = tmp_path / "bot.log"
        with log.open("w") as stderr:
            process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=tmp_path, stderr=stderr)
        try:
            deadline = time.monotonic() + 30
            while get_or_none(f"http://127.0.0.1:{port}/healthz") != 200:
                assert process.poll() is None and time.monotonic() < deadline, "the bot did not become healthy"
                time.sleep(0.1)
            workspace = LocalWorkspace(
                events_url=f"http://127.0.0.1:{port}/slack/events", signing_secret=SECRET, emulator=emulator
            )
            assert workspace.slash_command(MEMBER.id, "/tci", "whoami").status == 200
            scrape_request = Request(
                f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {'t' * 20}"}
            )
            with urlopen(scrape_request, timeout=5) as response:
                assert b'tci_bot_slack_requests_total{kind="command",status="200"} 1.0' in response.read()
            assert get(f"http://127.0.0.1:{port}/metrics") == 401, "METRICS_TOKEN is required once set"
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        errors = log.read_text()
    lines = [line for line in errors.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"timestamp", "level", "logger", "message"} <= set(record) for record in records)
    messages = [record["message"] for record in records]
    assert "the bot is running (HTTP mode)" in messages and "stopped" in messages
    assert emulator.bot_token not in errors and SECRET not in errors and "t" * 20 not in errors
