"""Tests for the local Slack emulator and the signed-request workspace client."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from bot.localslack import Delivery, LocalUser, LocalWorkspace, SlackEmulator

TOKEN = "xoxb-local-token"
SECRET = "local-signing-secret"
ANA = LocalUser(id="U0ANA", name="ana", real_name="Ana García", tz="Europe/Madrid")
RAJ = LocalUser(id="U0RAJ", name="raj", real_name="Raj Patel", tz="Asia/Kolkata", is_restricted=True)


def modal(title: str = "Report", blocks: int = 1) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "report",
        "title": {"type": "plain_text", "text": title},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f"b{i}"}} for i in range(blocks)],
    }


@pytest.fixture
def emu() -> Iterator[SlackEmulator]:
    with SlackEmulator(users=[ANA, RAJ]) as emulator:
        yield emulator


@pytest.fixture
def client(emu: SlackEmulator) -> WebClient:
    return WebClient(token=TOKEN, base_url=emu.base_url)


class Recorder:
    """Record requests on a local HTTP endpoint and answer 200."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], str]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                recorder.requests.append((dict(self.headers), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/slack/events"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class BoltServer:
    """Serve a Bolt app over HTTP on a free local port."""

    def __init__(self, app: App) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                headers = {k.lower(): [v] for k, v in self.headers.items()}
                resp = app.dispatch(BoltRequest(body=body, headers=headers))
                payload = resp.body.encode()
                self.send_response(resp.status)
                for name, values in resp.headers.items():
                    for value in values:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/slack/events"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_post_update_delete_history_roundtrip(emu: SlackEmulator, client: WebClient) -> None:
    seen: list[Delivery] = []
    emu.subscribe(seen.append)
    metadata = {"event_type": "report_posted", "event_payload": {"id": 7}}
    first = client.chat_postMessage(channel="C0GROUP", text="hello", metadata=metadata)
    second = client.chat_postMessage(channel="C0GROUP", text="reply", thread_ts=first["ts"])
    third = client.chat_postMessage(channel="C0GROUP", blocks=[{"type": "divider"}], text="blocks")
    assert float(first["ts"]) < float(second["ts"]) < float(third["ts"])
    assert first["message"]["metadata"] == metadata

    client.chat_update(channel="C0GROUP", ts=first["ts"], text="hello, edited")
    client.chat_delete(channel="C0GROUP", ts=third["ts"])
    assert [(m["text"], m["thread_ts"]) for m in emu.messages("C0GROUP")] == [
        ("hello, edited", None),
        ("reply", first["ts"]),
    ]
    history = client.conversations_history(channel="C0GROUP", include_all_metadata=True)
    assert [m["ts"] for m in history["messages"]] == [first["ts"]]
    assert history["messages"][0]["metadata"] == metadata
    assert "metadata" not in client.conversations_history(channel="C0GROUP")["messages"][0]
    assert [d.kind for d in seen] == ["message", "message", "message", "update", "delete"]
    link = client.chat_getPermalink(channel="C0GROUP", message_ts=first["ts"])["permalink"]
    assert link.startswith("https://")

    with pytest.raises(SlackApiError) as err:
        client.chat_update(channel="C0GROUP", ts="1.000001", text="x")
    assert err.value.response["error"] == "message_not_found"


def test_post_message_validation_and_dm(emu: SlackEmulator, client: WebClient) -> None:
    dm = client.chat_postMessage(channel="U0ANA", text="psst")
    assert dm["channel"] == "DU0ANA" == emu.im_channel("U0ANA")
    assert client.conversations_open(users="U0ANA")["channel"]["id"] == "DU0ANA"
    for params, error in [
        ({"text": "x"}, "channel_not_found"),
        ({"channel": "C1"}, "no_text"),
        ({"channel": "C1", "text": "x", "blocks": [{"type": "divider"}] * 51}, "invalid_blocks"),
        ({"channel": "C1", "text": "x" * 40_001}, "msg_too_long"),
    ]:
        with pytest.raises(SlackApiError) as err:
            client.api_call("chat.postMessage", json=params)
        assert err.value.response["error"] == error


def test_ephemeral(emu: SlackEmulator, client: WebClient) -> None:
    resp = client.chat_postEphemeral(channel="C0GROUP", user="U0ANA", text="only you")
    assert resp["message_ts"]
    delivery = emu.deliveries[-1]
    assert (delivery.kind, delivery.user, delivery.channel, delivery.text) == (
        "ephemeral",
        "U0ANA",
        "C0GROUP",
        "only you",
    )
    assert emu.messages("C0GROUP") == []


def test_views_open_trigger_rules(emu: SlackEmulator, client: WebClient) -> None:
    trigger = emu.new_trigger_id("U0ANA")
    view = client.views_open(trigger_id=trigger, view=modal())["view"]
    assert view["id"].startswith("V") and view["hash"] and view["state"] == {"values": {}}
    assert view["root_view_id"] == view["id"] and view["callback_id"] == "report"
    assert emu.view(view["id"])["title"]["text"] == "Report"
    assert emu.deliveries[-1].kind == "view_open" and emu.deliveries[-1].user == "U0ANA"

    for trigger_id, error in [(trigger, "expired_trigger_id"), ("made-up", "invalid_trigger_id")]:
        with pytest.raises(SlackApiError) as err:
            client.views_open(trigger_id=trigger_id, view=modal())
        assert err.value.response["error"] == error

    late = emu.new_trigger_id("U0ANA")
    emu.forms.triggers[late] = ("U0ANA", time.monotonic() - 3.5)
    with pytest.raises(SlackApiError) as err:
        client.views_open(trigger_id=late, view=modal())
    assert err.value.response["error"] == "expired_trigger_id"

    with pytest.raises(SlackApiError) as err:
        client.views_open(trigger_id=emu.new_trigger_id("U0ANA"), view=modal(title="x" * 25))
    assert err.value.response["error"] == "invalid_arguments"
    assert err.value.response["response_metadata"]["messages"]

    pushed = client.views_push(trigger_id=emu.new_trigger_id("U0ANA"), view=modal("Step 2"))["view"]
    assert pushed["previous_view_id"] == view["id"] and pushed["root_view_id"] == view["id"]


def test_views_update_hash_conflict_and_publish(emu: SlackEmulator, client: WebClient) -> None:
    view = client.views_open(trigger_id=emu.new_trigger_id("U0ANA"), view=modal())["view"]
    updated = client.views_update(view_id=view["id"], hash=view["hash"], view=modal("Updated"))["view"]
    assert updated["id"] == view["id"] and updated["hash"] != view["hash"]
    with pytest.raises(SlackApiError) as err:
        client.views_update(view_id=view["id"], hash=view["hash"], view=modal("Stale"))
    assert err.value.response["error"] == "hash_conflict"
    assert emu.view(view["id"])["title"]["text"] == "Updated"

    home = client.views_publish(user_id="U0ANA", view={"type": "home", "blocks": []})["view"]
    assert emu.home_view("U0ANA") == emu.view(home["id"])
    assert emu.deliveries[-1].kind == "home"


def test_users_info(client: WebClient) -> None:
    ana = client.users_info(user="U0ANA")["user"]
    assert ana["tz"] == "Europe/Madrid" and ana["tz_offset"] in (3600, 7200) and not ana["is_bot"]
    raj = client.users_info(user="U0RAJ")["user"]
    assert raj["tz_offset"] == 19800 and raj["is_restricted"] and not raj["is_ultra_restricted"]
    assert client.users_info(user="U0BOT")["user"]["is_bot"]
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="U0NOBODY")
    assert err.value.response["error"] == "user_not_found"


def test_files_upload_v2(emu: SlackEmulator, client: WebClient) -> None:
    content = b"day,hours\nmon,8\n"
    resp = client.files_upload_v2(
        channel="C0GROUP", content=content, filename="week.csv", title="Week", initial_comment="here"
    )
    file_id = resp["file"]["id"]
    assert emu.files[file_id] == {
        "name": "week.csv",
        "title": "Week",
        "content": content,
        "channel": "C0GROUP",
    }
    delivery = emu.deliveries[-1]
    assert delivery.kind == "file" and delivery.text == "here" and delivery.raw["content"] == content


def test_auth(emu: SlackEmulator) -> None:
    info = WebClient(token=TOKEN, base_url=emu.base_url).auth_test()
    assert (info["user_id"], info["bot_id"], info["team_id"]) == ("U0BOT", "B0BOT", "T0LOCAL")
    with pytest.raises(SlackApiError) as err:
        WebClient(token="xoxb-wrong", base_url=emu.base_url).auth_test()
    assert err.value.response["error"] == "invalid_auth" and err.value.response.status_code == 200
    with pytest.raises(SlackApiError) as err:
        WebClient(token=TOKEN, base_url=emu.base_url).api_call("nope.nope")
    assert err.value.response["error"] == "unknown_method"


def test_rate_limit_fault_retried(emu: SlackEmulator) -> None:
    client = WebClient(token=TOKEN, base_url=emu.base_url, retry_handlers=[RateLimitErrorRetryHandler(1)])
    emu.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    assert client.chat_postMessage(channel="C0GROUP", text="hi")["ok"]
    assert time.monotonic() - started >= 1.0
    assert [c.status for c in emu.calls_to("chat.postMessage")] == [429, 200]


def test_server_error_fault_retried(emu: SlackEmulator) -> None:
    client = WebClient(
        token=TOKEN,
        base_url=emu.base_url,
        retry_handlers=[ServerErrorRetryHandler(2, FixedValueRetryIntervalCalculator(0.01))],
    )
    emu.fail_next("chat.postMessage", status=500, count=2)
    assert client.chat_postMessage(channel="C0GROUP", text="hi")["ok"]
    calls = emu.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [500, 500, 200]
    assert calls[0].response == {"ok": False, "error": "internal_error"}


def test_per_channel_rate_limit(emu: SlackEmulator, client: WebClient) -> None:
    emu.set_rate_limit("chat.postMessage", per_channel_per_second=1)
    client.chat_postMessage(channel="C1", text="a")
    client.chat_postMessage(channel="C2", text="a")
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="b")
    assert err.value.response.status_code == 429 and err.value.response.headers["Retry-After"] == "1"
    assert [c.status for c in emu.calls_to("chat.postMessage")] == [200, 200, 429]
    assert len(emu.messages("C1")) == 1


def test_response_url(emu: SlackEmulator, client: WebClient) -> None:
    url = emu.response_url(channel="C0GROUP", user="U0ANA")
    assert WebhookClient(url).send(text="just you").body == "ok"
    assert (emu.deliveries[-1].kind, emu.deliveries[-1].user, emu.deliveries[-1].ts) == (
        "response",
        "U0ANA",
        None,
    )
    WebhookClient(url).send(text="everyone", response_type="in_channel")
    assert emu.deliveries[-1].ts and emu.messages("C0GROUP")[-1]["text"] == "everyone"

    ts = client.chat_postMessage(channel="C0GROUP", text="pick one")["ts"]
    on_message = emu.response_url(channel="C0GROUP", user="U0ANA", message_ts=ts)
    WebhookClient(on_message).send(text="picked", replace_original=True)
    assert emu.messages("C0GROUP")[-1]["text"] == "picked"
    WebhookClient(on_message).send_dict({"delete_original": True})
    assert ts not in [m["ts"] for m in emu.messages("C0GROUP")]


def test_wait_for(emu: SlackEmulator) -> None:
    threading.Timer(0.05, emu.post_user_message, args=("C0GROUP", "U0ANA", "hi")).start()
    assert emu.wait_for(lambda: len(emu.messages("C0GROUP")) == 1, timeout=2)
    assert not emu.wait_for(lambda: False, timeout=0.02)


def test_workspace_signs_requests(emu: SlackEmulator) -> None:
    recorder = Recorder()
    try:
        workspace = LocalWorkspace(events_url=recorder.url, signing_secret=SECRET, emulator=emu)
        workspace.slash_command("U0ANA", "/report", "today")
        workspace.mention("U0ANA", "status?", channel="C0GROUP")
        workspace.event({"type": "app_home_opened", "user": "U0ANA"}, retry_num=1, event_id="Ev123")
        workspace.post("{}", "application/json", timestamp=int(time.time()) - 3600)
    finally:
        recorder.close()

    verifier = SignatureVerifier(SECRET)
    for headers, body in recorder.requests[:3]:
        assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    stale_headers, stale_body = recorder.requests[3]
    assert not verifier.is_valid(
        stale_body, stale_headers["X-Slack-Request-Timestamp"], stale_headers["X-Slack-Signature"]
    )

    form = {k: v[0] for k, v in parse_qs(recorder.requests[0][1]).items()}
    assert form["command"] == "/report" and form["text"] == "today" and form["user_name"] == "ana"
    assert form["response_url"].startswith(emu.root_url) and form["trigger_id"]

    mention = json.loads(recorder.requests[1][1])
    assert mention["type"] == "event_callback" and mention["event_id"].startswith("Ev")
    assert mention["event"]["text"] == "<@U0BOT> status?"
    assert emu.messages("C0GROUP")[-1]["ts"] == mention["event"]["ts"]
    retry_headers, retry_body = recorder.requests[2]
    assert retry_headers["X-Slack-Retry-Num"] == "1" and retry_headers["X-Slack-Retry-Reason"] == "http_timeout"
    assert json.loads(retry_body)["event_id"] == "Ev123"


def test_workspace_drives_a_bolt_app(emu: SlackEmulator) -> None:
    app = App(signing_secret=SECRET, client=WebClient(token=TOKEN, base_url=emu.base_url))

    @app.command("/report")
    def report(ack: Any, respond: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        respond("pick a day", response_type="in_channel")

    @app.action("open")
    def open_modal(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=modal())

    @app.view("report")
    def submitted(ack: Any, view: dict[str, Any]) -> None:
        ack(response_action="update", view=modal(view["state"]["values"]["b"]["a"]["value"]))

    @app.event("message")
    def dm(event: dict[str, Any], say: Any) -> None:
        say(f"echo {event['text']}")

    server = BoltServer(app)
    try:
        workspace = LocalWorkspace(events_url=server.url, signing_secret=SECRET, emulator=emu)
        assert workspace.slash_command("U0ANA", "/report").status == 200
        assert emu.wait_for(lambda: any(d.kind == "response" for d in emu.deliveries))
        posted = emu.messages("C0GROUP")[-1]
        assert posted["text"] == "pick a day"

        assert workspace.press_button("U0ANA", action_id="open", value="x", message=posted).status == 200
        assert emu.wait_for(lambda: any(d.kind == "view_open" for d in emu.deliveries))
        view = next(d.view for d in emu.deliveries if d.kind == "view_open")
        assert view is not None
        values = {"b": {"a": {"type": "plain_text_input", "value": "Monday"}}}
        answer = workspace.submit_view("U0ANA", view, values).json()
        assert answer["response_action"] == "update" and answer["view"]["title"]["text"] == "Monday"

        assert workspace.direct_message("U0ANA", "ping").status == 200
        assert emu.wait_for(lambda: emu.messages("DU0ANA")[-1]["text"] == "echo ping")
        bad = workspace.post("{}", "application/json", signed=False)
        assert bad.status == 401
    finally:
        server.close()
