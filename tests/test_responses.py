"""Answers to a response_url travel over connections kept open, and still arrive when Slack closed one."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.localslack.local import MEMBER, LocalBot
from bot.responses import KeptRespond, ResponseUrls, keep_connections
from tests.helpers import private_answer


def test_a_members_answers_reach_slack_over_one_kept_connection(local_bot: LocalBot) -> None:
    ws = local_bot.workspace
    assert ws is not None and local_bot.service is not None
    responses = local_bot.service.deps.responses
    slack = local_bot.emulator.root_url
    before = responses.connections_made(slack)
    for _ in range(3):
        ws.slash_command(MEMBER.id, "/meetings", "")
        local_bot.wait_idle()
    answers = [d for d in local_bot.emulator.deliveries if d.kind == "response" and d.user == MEMBER.id]
    assert len(answers) == 3 and all("No meetings are planned" in (d.text or "") for d in answers), [
        d.text for d in answers
    ]
    assert responses.connections_made(slack) - before == 1, "the three answers went over one connection"
    ws.slash_command(MEMBER.id, "/meetings", "#99999")
    local_bot.wait_idle()
    assert private_answer(local_bot.emulator, MEMBER.id, "99999")


class _Closing(BaseHTTPRequestHandler):
    """Answers 200 and then closes the connection without saying so, as a server timing out an idle one."""

    protocol_version = "HTTP/1.1"
    server: _Recording

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.bodies.append(body)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
        self.close_connection = True


class _Recording(ThreadingHTTPServer):
    daemon_threads = True
    bodies: list[bytes]


@pytest.fixture
def closing_server() -> Iterator[_Recording]:
    server = _Recording(("127.0.0.1", 0), _Closing)
    server.bodies = []
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_an_answer_after_slack_closed_the_connection_arrives_once(closing_server: _Recording) -> None:
    url = f"http://127.0.0.1:{closing_server.server_address[1]}/respond/T1"
    responses = ResponseUrls()
    respond = KeptRespond(response_url=url, responses=responses)
    first = respond(text="first", response_type="ephemeral")
    second = respond({"text": "second", "replace_original": True})
    responses.close()
    assert (first.status_code, first.body, second.status_code) == (200, "ok", 200)
    assert closing_server.bodies == [
        b'{"text": "first", "response_type": "ephemeral"}',
        b'{"text": "second", "replace_original": true}',
    ]


def test_a_client_going_through_a_proxy_keeps_bolts_own_respond() -> None:
    bolts = Respond(response_url="https://hooks.slack.com/commands/T1/1/x")
    for client, kept in ((WebClient(proxy="http://proxy.example.org:3128"), False), (WebClient(), True)):
        context = BoltContext(response_url=bolts.response_url, respond=bolts)
        keep_connections(context, client, ResponseUrls())
        assert isinstance(context.respond, KeptRespond) is kept
