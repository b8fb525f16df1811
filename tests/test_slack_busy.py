"""Slack busy or slow: no listener waits on it, a failed lookup gives no rights, forms open within 3 s or say so.

Through the real Bolt app and the emulator: 429s with Retry-After and 5xx on the calls a request
makes, users.info failing, a connection dropped after Slack took a call, and a trigger_id too old
to open a form.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from bot import arrival
from bot.app import make_client
from bot.config import Settings
from bot.deps import build_deps
from bot.localslack import LocalUser
from bot.localslack.local import GUEST, MEMBER, ORGANISER, LocalBot
from bot.views import meetings as meeting_views
from bot.views import practices as practice_views
from handlers.errors import TOO_LATE
from store import meetings as meetings_store
from store import people as people_store
from store.models import Person
from tests.helpers import private_answer, wait_delivery
from tests.test_meetings import make_meeting
from tests.test_practices import make_practice

BUSY_20 = "Slack is busy just now, so nothing was changed; try again in 20 s."
BUSY_NO_WAIT = "Slack is busy just now, so nothing was changed; try again in a few seconds."
BURST = 18


@pytest.fixture
def bot(local_bot: LocalBot) -> LocalBot:
    """The local bot, with the arrival of each request recorded as `create_app` records it."""
    app = local_bot.service.app  # type: ignore[union-attr]
    assert app is not None
    # bot.app registers the middleware; until it does, the test registers it the same way.
    if not any(getattr(m, "func", None) is arrival.record_arrival for m in app._middleware_list):
        app.use(arrival.record_arrival)
    return local_bot


def person(bot: LocalBot, slack_id: str) -> Person | None:
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        return people_store.get_person(session=session, slack_id=slack_id)


def rate_limited(bot: LocalBot) -> float:
    metrics = bot.service.deps.metrics  # type: ignore[union-attr]
    return metrics.registry.get_sample_value("tci_bot_slack_rate_limited_total", {"client": "listeners"}) or 0.0


def press(bot: LocalBot, user: str, action_id: str, value: str) -> None:
    assert bot.workspace is not None
    response = bot.workspace.press_button(user, action_id=action_id, value=value)
    assert response.status == 200 and "Traceback" not in response.body


def told(bot: LocalBot, user: str, contains: str, *, since: int, timeout: float = 5.0) -> str:
    """Wait for a private answer to `user` containing `contains`, among the deliveries after the first `since`."""
    found: list[str] = []

    def seen() -> bool:
        found[:] = [
            d.text or ""
            for d in list(bot.emulator.deliveries)[since:]
            if d.kind in ("response", "ephemeral") and d.user == user and contains in (d.text or "")
        ]
        return bool(found)

    assert bot.emulator.wait_for(seen, timeout=timeout), f"{user} was not told {contains!r}"
    return found[0]


def whoami(bot: LocalBot, user: str) -> str:
    assert bot.workspace is not None
    since = len(bot.emulator.deliveries)
    assert bot.workspace.slash_command(user, "/tci", "whoami").status == 200
    return told(bot, user, "You are", since=since)


# No listener thread sleeps on a Retry-After ------------------------------------------------------


def test_a_burst_of_presses_meeting_429s_holds_up_nobody(bot: LocalBot) -> None:
    emulator, ws = bot.emulator, bot.workspace
    assert ws is not None
    meeting = make_meeting(bot, capacity=None)
    whoami(bot, MEMBER.id)  # known already: the burst's 429s are all the presses'
    people = [LocalUser(id=f"U0BURST{i:02d}", name=f"person{i}", real_name=f"Person {i}") for i in range(BURST)]
    for someone in people:
        emulator.add_user(someone)
    emulator.fail_next("users.info", status=429, retry_after=20, count=BURST)

    for someone in people:
        press(bot, someone.id, meeting_views.RSVP_IN_PERSON, str(meeting.id))
    asked = time.monotonic()
    assert ws.slash_command(MEMBER.id, "/meetings").status == 200
    private_answer(emulator, MEMBER.id, "Essen workshop", timeout=20)
    assert time.monotonic() - asked < 3.0, "an unrelated /meetings is answered at once, not after Retry-After"

    for someone in people:
        private_answer(emulator, someone.id, "registered to come in person", timeout=10)
    assert bot.wait_idle()
    limited = [call for call in emulator.calls_to("users.info") if call.status == 429]
    assert len(limited) == BURST, "each 429 met once: none was waited out and sent again"
    assert rate_limited(bot) == BURST, "every 429 is counted"
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        assert meetings_store.counts(session=session, meeting_id=meeting.id or 0).in_person == BURST
    # Not looked up, so recorded with the least rights, and looked up again at the next request.
    first = person(bot, people[0].id)
    assert first is not None and first.is_guest and not first.is_member and not first.is_organiser
    assert first.profile_checked_at is None
    assert "a *member* of the group" in whoami(bot, people[0].id)
    again = person(bot, people[0].id)
    assert again is not None and again.is_member and again.profile_checked_at is not None


def test_a_call_the_request_needs_meeting_429_is_answered_at_once(bot: LocalBot, caplog: Any) -> None:
    emulator, ws = bot.emulator, bot.workspace
    assert ws is not None
    whoami(bot, ORGANISER.id)  # looked up already: the form's views.open is the only call left
    emulator.fail_next("views.open", status=429, retry_after=20)
    caplog.set_level(logging.INFO)

    asked = time.monotonic()
    assert ws.slash_command(ORGANISER.id, "/announce").status == 200
    private_answer(emulator, ORGANISER.id, BUSY_20)
    assert time.monotonic() - asked < 3.0, "told at once, not after 20 s"
    assert bot.wait_idle()
    assert len(emulator.calls_to("views.open")) == 1, "not sent again"
    assert not [d for d in emulator.deliveries if d.kind == "view_open"]
    said = [r for r in caplog.records if "Slack did not take a call" in r.getMessage()]
    assert len(said) == 1 and "429" in said[0].getMessage() and "Retry-After 20 s" in said[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info], "one line, no traceback"

    emulator.fail_next("views.open", status=503)
    assert ws.slash_command(ORGANISER.id, "/announce").status == 200
    private_answer(emulator, ORGANISER.id, BUSY_NO_WAIT)
    assert bot.wait_idle()
    assert len(emulator.calls_to("views.open")) == 2, "a 5xx is not sent again either"

    assert ws.slash_command(ORGANISER.id, "/announce").status == 200
    wait_delivery(emulator, lambda d: d.kind == "view_open" and d.user == ORGANISER.id)


# The listeners' client: reads once more on a lost connection, writes never -----------------------


class DroppingServer:
    """A Web API that reads each request, as if Slack took it, and closes the connection without an answer."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.methods: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with connection:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = connection.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                request_line = data.split(b"\r\n", 1)[0].decode(errors="replace")
                self.methods.append(request_line.split(" ")[1].rsplit("/", 1)[-1] if " " in request_line else "")

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def dropping() -> Iterator[DroppingServer]:
    server = DroppingServer()
    try:
        yield server
    finally:
        server.close()


def test_the_listeners_client_sends_a_read_once_more_and_a_write_once(
    settings: Settings, dropping: DroppingServer
) -> None:
    if not settings.is_sqlite:
        pytest.skip("the Web API client does not depend on the engine")
    deps = build_deps(replace(settings, api_base_url=f"http://127.0.0.1:{dropping.port}/api/"))
    client = make_client(deps)
    try:
        with pytest.raises(OSError):
            client.users_info(user=MEMBER.id)
        with pytest.raises(OSError):
            client.chat_postMessage(channel="C0GROUP", text="Hello")
    finally:
        deps.engine.dispose()
    assert dropping.methods == ["users.info", "users.info", "chat.postMessage"]


def test_the_listeners_client_raises_a_429_at_once_and_counts_it(bot: LocalBot) -> None:
    emulator, client = bot.emulator, bot.service.client  # type: ignore[union-attr]
    emulator.fail_next("users.info", status=429, retry_after=20)
    emulator.fail_next("chat.postMessage", status=500)
    began = time.monotonic()
    with pytest.raises(SlackApiError) as limited:
        client.users_info(user=MEMBER.id)
    assert limited.value.response.status_code == 429
    with pytest.raises(SlackApiError) as failed:
        client.chat_postMessage(channel="C0GROUP", text="Hello")
    assert failed.value.response.status_code == 500
    assert time.monotonic() - began < 2.0, "no Retry-After waited out"
    assert len(emulator.calls_to("users.info")) == 1 and len(emulator.calls_to("chat.postMessage")) == 1
    assert rate_limited(bot) == 1


# A person's role never comes from a failed lookup ------------------------------------------------


def test_a_guest_whose_lookup_fails_does_not_move_ahead_of_a_waiting_member(bot: LocalBot) -> None:
    emulator = bot.emulator
    meeting = make_meeting(bot, capacity=1)
    value = str(meeting.id)
    whoami(bot, MEMBER.id)  # known to the group as a member before Slack starts failing
    press(bot, ORGANISER.id, meeting_views.RSVP_IN_PERSON, value)
    private_answer(emulator, ORGANISER.id, "registered to come in person")
    assert bot.wait_idle()

    emulator.fail_next("users.info", status=503, count=100)
    press(bot, GUEST.id, meeting_views.RSVP_IN_PERSON, value)
    private_answer(emulator, GUEST.id, "number 1 in line")
    assert bot.wait_idle()
    guest = person(bot, GUEST.id)
    assert guest is not None and guest.is_guest and not guest.is_member and not guest.is_organiser
    assert guest.profile_checked_at is None, "looked up again at the next request"

    press(bot, MEMBER.id, meeting_views.RSVP_IN_PERSON, value)
    private_answer(emulator, MEMBER.id, "number 1 in line")
    assert bot.wait_idle()
    press(bot, ORGANISER.id, meeting_views.RSVP_NOT_COMING, value)
    private_answer(emulator, ORGANISER.id, "not coming")
    assert bot.wait_idle()
    with bot.service.deps.sessions() as session:  # type: ignore[union-attr]
        assert meetings_store.waitlist_position(session=session, meeting_id=meeting.id or 0, slack_id=MEMBER.id) is None
        assert meetings_store.waitlist_position(session=session, meeting_id=meeting.id or 0, slack_id=GUEST.id) == 1
        assert meetings_store.counts(session=session, meeting_id=meeting.id or 0).in_person == 1


def test_a_known_person_keeps_their_role_when_users_info_fails(bot: LocalBot) -> None:
    emulator, deps = bot.emulator, bot.service.deps  # type: ignore[union-attr]
    assert "an *organiser*, and a *member*" in whoami(bot, ORGANISER.id)
    assert "not an organiser, and a *member*" in whoami(bot, MEMBER.id)
    old = deps.clock() - timedelta(hours=13)  # profiles older than this are asked for again
    with deps.sessions() as session:
        for slack_id in (ORGANISER.id, MEMBER.id):
            stale = people_store.get_person(session=session, slack_id=slack_id)
            assert stale is not None
            stale.profile_checked_at = old
            session.add(stale)
        session.commit()
    asked = len(emulator.calls_to("users.info"))

    emulator.fail_next("users.info", status=429, retry_after=20, count=2)
    assert "an *organiser*, and a *member*" in whoami(bot, ORGANISER.id)
    assert "not an organiser, and a *member*" in whoami(bot, MEMBER.id)
    assert len(emulator.calls_to("users.info")) == asked + 2, "both were asked for, and Slack refused"
    for slack_id in (ORGANISER.id, MEMBER.id):
        kept = person(bot, slack_id)
        assert kept is not None and not kept.is_guest and kept.profile_checked_at == old


# Forms open within the 3 s of their trigger_id, or say to press again ----------------------------


def test_a_form_that_cannot_open_in_time_asks_to_press_again(bot: LocalBot, monkeypatch: pytest.MonkeyPatch) -> None:
    emulator, ws = bot.emulator, bot.workspace
    assert ws is not None
    whoami(bot, ORGANISER.id)

    # Slack's own answer: the trigger expired on the way.
    emulator.fail_next("views.open", status=200, error="expired_trigger_id")
    since = len(emulator.deliveries)
    assert ws.slash_command(ORGANISER.id, "/announce").status == 200
    told(bot, ORGANISER.id, TOO_LATE, since=since)
    assert bot.wait_idle()
    assert len(emulator.calls_to("views.open")) == 1

    # Our side: the work reached views.open three seconds after the request arrived (the listeners'
    # clock runs 3 s ahead of the one that recorded the arrival). Slack is not even asked.
    real = time.monotonic
    monkeypatch.setattr(
        arrival, "monotonic", lambda: real() + (3.0 if threading.current_thread().name.startswith("listener") else 0.0)
    )
    practice = make_practice(bot)
    since = len(emulator.deliveries)
    press(bot, GUEST.id, practice_views.DETAILS, str(practice.id))
    told(bot, GUEST.id, TOO_LATE, since=since)
    assert ws.slash_command(ORGANISER.id, "/announce").status == 200
    told(bot, ORGANISER.id, TOO_LATE, since=since)
    assert bot.wait_idle()
    assert len(emulator.calls_to("views.open")) == 1, "a trigger that old is not tried"
    assert not [d for d in emulator.deliveries if d.kind == "view_open"]

    monkeypatch.setattr(arrival, "monotonic", real)
    press(bot, GUEST.id, practice_views.DETAILS, str(practice.id))
    details = wait_delivery(emulator, lambda d: d.kind == "view_open" and d.user == GUEST.id).view
    assert details is not None and "120 SMEs trained" in str(details["blocks"])
