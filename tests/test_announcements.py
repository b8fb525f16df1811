"""/announce through the real Bolt app: the form, the pending list, edits, cancels, App Home, the message."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console

from bot.localslack.local import GROUP_CHANNEL, GUEST, MEMBER, ORGANISER, LocalBot
from bot.localslack.render import Renderer
from bot.shell import Shell
from bot.views import announcements as views
from bot.views import meetings as meeting_views
from handlers.routing import ACTION_REFUSAL
from store import meetings as meetings_store
from store import schedule
from store.meetings import MeetingDraft
from store.models import Meeting, MeetingKind, PostKind, PostStatus, ScheduledPost
from tests.helpers import private_answer, wait_delivery

MADRID = ZoneInfo("Europe/Madrid")  # the organiser's zone in the local workspace
PINGS = "Hello <!channel> <!here> <!everyone> <@U0MEM> & friends"
SOON = datetime.now(UTC).replace(microsecond=0, second=0, minute=0) + timedelta(days=20)


def now() -> datetime:
    return datetime.now(UTC)


def deps(bot: LocalBot) -> Any:
    assert bot.service is not None
    return bot.service.deps


def texts(value: Any) -> str:
    return json.dumps(value or [], ensure_ascii=False)


def rows(bot: LocalBot) -> list[ScheduledPost]:
    """Every announcement row, whatever its status."""
    with deps(bot).sessions() as session:
        return schedule.posts(session=session, kinds=[PostKind.ANNOUNCEMENT])


def row(bot: LocalBot, key: str) -> ScheduledPost:
    with deps(bot).sessions() as session:
        found = schedule.get_post(session=session, key=key)
    assert found is not None
    return found


def make_meeting(bot: LocalBot, **overrides: Any) -> Meeting:
    values: dict[str, Any] = {
        "title": "Essen workshop",
        "kind": MeetingKind.HYBRID,
        "starts_at": SOON,
        "ends_at": SOON + timedelta(hours=8),
        "timezone": "Europe/Berlin",
        "city": "Essen",
        "join_url": "https://meet.example.org/essen",
    }
    values.update(overrides)
    with deps(bot).sessions() as session:
        return meetings_store.create_meeting(
            session=session, draft=MeetingDraft(**values), created_by=ORGANISER.id, now=now()
        )


def command(bot: LocalBot, user: str, text: str = "") -> Any:
    assert bot.workspace is not None
    response = bot.workspace.slash_command(user, "/announce", text)
    assert response.status == 200
    bot.wait_idle()
    return response.json()


def open_form(bot: LocalBot, text: str = "") -> dict[str, Any]:
    command(bot, ORGANISER.id, text)
    opened = wait_delivery(bot.emulator, lambda d: d.kind == "view_open" and d.user == ORGANISER.id)
    assert opened.view is not None
    return opened.view


def form_state(
    text: str = "Reading group this Thursday", when: str = "", channel: str | None = GROUP_CHANNEL, meeting: str = ""
) -> dict[str, dict[str, dict[str, Any]]]:
    """The state Slack sends for the form; no channel means the select was left as it started."""
    state: dict[str, dict[str, dict[str, Any]]] = {
        "text": {"value": {"type": "plain_text_input", "value": text or None}},
        "when": {"value": {"type": "plain_text_input", "value": when or None}},
    }
    if channel is not None:
        state["channel"] = {"value": {"type": "conversations_select", "selected_conversation": channel}}
    option = {"value": meeting, "text": {"type": "plain_text", "text": meeting}} if meeting else None
    state["meeting"] = {"value": {"type": "static_select", "selected_option": option}}
    return state


def submit(bot: LocalBot, user: str, view: dict[str, Any], **fields: Any) -> dict[str, Any]:
    assert bot.workspace is not None
    body = bot.workspace.submit_view(user, view, form_state(**fields)).json()
    bot.wait_idle()
    return body


def press(bot: LocalBot, user: str, action_id: str, value: str, *, view: dict[str, Any] | None = None) -> None:
    assert bot.workspace is not None
    response = bot.workspace.press_button(user, action_id=action_id, value=value, view=view)
    assert response.status == 200
    bot.wait_idle()


def schedule_one(bot: LocalBot, **fields: Any) -> ScheduledPost:
    """Plan one announcement through the form, due in two days unless told otherwise."""
    fields.setdefault("when", local_text(now() + timedelta(days=2)))
    body = submit(bot, ORGANISER.id, open_form(bot), **fields)
    assert body["response_action"] == "update", body
    [planned] = [p for p in rows(bot) if p.status == PostStatus.PENDING]
    return planned


def local_text(moment: datetime) -> str:
    """A time as an organiser in Madrid would type it."""
    return f"{moment.astimezone(MADRID):%-d %b %Y %H:%M}"


# Writing one ----------------------------------------------------------------------------------


def test_an_organiser_schedules_an_announcement_for_tomorrow(local_bot: LocalBot) -> None:
    woken: list[int] = []
    original = deps(local_bot).wake
    deps(local_bot).wake = lambda: (woken.append(1), original())
    view = open_form(local_bot, PINGS)
    assert view["callback_id"] == views.CALLBACK_ID
    by_id = {block["block_id"]: block for block in view["blocks"]}
    assert by_id["text"]["element"]["initial_value"] == PINGS and by_id["text"]["element"]["multiline"]
    channel = by_id["channel"]["element"]
    assert channel["type"] == "conversations_select" and channel["initial_conversation"] == GROUP_CHANNEL
    assert channel["default_to_current_conversation"] is False
    assert set(channel["filter"]["include"]) == {"public", "private"}
    assert by_id["when"]["optional"] and "meeting" not in by_id, "no meeting to offer, so no empty select"

    # The channel select left as it started: the local workspace sends its first conversation, as Slack does.
    body = submit(local_bot, ORGANISER.id, view, text=PINGS, when="tomorrow 9:00", channel=None)
    assert body["response_action"] == "update", body
    said = texts(body["view"]["blocks"])
    assert "Scheduled for <!date^" in said and f"in <#{GROUP_CHANNEL}>" in said
    [planned] = rows(local_bot)
    tomorrow = now().astimezone(MADRID).date() + timedelta(days=1)
    assert planned.due_at == datetime.combine(tomorrow, time(9, 0), tzinfo=MADRID).astimezone(UTC)
    assert planned.status == PostStatus.PENDING and planned.kind == PostKind.ANNOUNCEMENT
    assert planned.channel == GROUP_CHANNEL and planned.meeting_id is None and planned.key.startswith("announce:")
    assert json.loads(planned.payload) == {"text": PINGS, "by": ORGANISER.id}
    assert woken, "the scheduler is woken to re-arm its alarm"


def test_an_empty_time_posts_now_and_natural_times_are_understood(local_bot: LocalBot) -> None:
    before = now()
    body = submit(local_bot, ORGANISER.id, open_form(local_bot), text="Doors open now")
    after = now()
    assert f"Posting now in <#{GROUP_CHANNEL}>" in texts(body["view"]["blocks"])
    [planned] = rows(local_bot)  # a scheduler may already have posted it: its status is not asserted
    assert before - timedelta(seconds=1) <= planned.due_at <= after
    body = submit(local_bot, ORGANISER.id, open_form(local_bot), text="Later", when="in 2 hours")
    assert body["response_action"] == "update"
    later = next(p for p in rows(local_bot) if json.loads(p.payload)["text"] == "Later")
    assert abs(later.due_at - (before + timedelta(hours=2))) < timedelta(minutes=1)


def test_times_and_text_that_are_wrong_are_refused_beside_the_field(local_bot: LocalBot) -> None:
    view = open_form(local_bot)
    past = submit(local_bot, ORGANISER.id, view, when=local_text(now() - timedelta(days=1)))
    assert past["response_action"] == "errors"
    assert "That time has passed" in past["errors"]["when"] and "leave it empty to post now" in past["errors"]["when"]
    nonsense = submit(local_bot, ORGANISER.id, view, when="when pigs fly")
    assert "could not read" in nonsense["errors"]["when"]
    far = submit(local_bot, ORGANISER.id, view, when=local_text(now() + timedelta(days=400)))
    assert "more than a year ahead" in far["errors"]["when"]
    long = submit(local_bot, ORGANISER.id, view, text="x" * 3001)
    assert "3,000" in long["errors"]["text"] and "3,001" in long["errors"]["text"]
    empty = submit(local_bot, ORGANISER.id, view, text="   ", channel="")
    assert {"text", "channel"} <= set(empty["errors"])
    assert rows(local_bot) == []


def test_members_and_guests_are_refused_and_nothing_opens(local_bot: LocalBot) -> None:
    for user in (MEMBER.id, GUEST.id):
        for text in ("", "Free pizza <!channel>", "list"):
            body = command(local_bot, user, text)
            assert "Only the group's organisers" in body["text"], (user, text)
    assert not local_bot.emulator.calls_to("views.open")
    help_text = texts(command(local_bot, MEMBER.id, "help"))
    assert "/announce list" not in help_text and "Organisers have more" in help_text
    assert "/announce list" in texts(command(local_bot, ORGANISER.id, "help"))


def test_a_forged_submission_by_a_member_changes_nothing(local_bot: LocalBot) -> None:
    view = open_form(local_bot)
    body = submit(local_bot, MEMBER.id, view, text="Taken over")
    assert body["response_action"] == "update" and ACTION_REFUSAL in texts(body["view"])
    assert rows(local_bot) == []
    planned = schedule_one(local_bot, text="The real one")
    forged = {**view, "private_metadata": json.dumps({"key": planned.key})}
    body = submit(local_bot, MEMBER.id, forged, text="Taken over", when="")
    assert ACTION_REFUSAL in texts(body["view"])
    assert row(local_bot, planned.key) == planned


def test_a_meeting_is_offered_and_its_id_stored(local_bot: LocalBot) -> None:
    meeting = make_meeting(local_bot)
    cancelled = make_meeting(local_bot, title="Cancelled one")
    with deps(local_bot).sessions() as session:
        meetings_store.cancel_meeting(session=session, meeting_id=cancelled.id or 0, now=now())
    view = open_form(local_bot)
    [block] = [b for b in view["blocks"] if b["block_id"] == "meeting"]
    assert block["optional"] and block["element"]["type"] == "static_select"
    labels = [o["text"]["text"] for o in block["element"]["options"]]
    assert labels == [f"#{meeting.id} Essen workshop · {SOON.astimezone(ZoneInfo('Europe/Berlin')):%a %-d %b %Y}"]
    planned = schedule_one(local_bot, meeting=str(meeting.id))
    assert planned.meeting_id == meeting.id
    body = submit(local_bot, ORGANISER.id, view, meeting="999999")
    assert "no longer exists" in body["errors"]["meeting"]


# Listing, editing, cancelling -------------------------------------------------------------------


def test_the_list_shows_pending_announcements_with_edit_and_cancel(local_bot: LocalBot) -> None:
    command(local_bot, ORGANISER.id, "list")
    empty = private_answer(local_bot.emulator, ORGANISER.id, "No announcement is waiting")
    assert "/announce" in (empty.text or "")
    meeting = make_meeting(local_bot)
    planned = schedule_one(local_bot, text=f"First line {PINGS}\nsecond line", meeting=str(meeting.id))
    command(local_bot, ORGANISER.id, "list")
    listed = private_answer(local_bot.emulator, ORGANISER.id, "Scheduled announcements (1)")
    shown = texts(listed.blocks)
    assert "First line Hello &lt;!channel&gt;" in shown and "second line" not in shown
    assert f"<#{GROUP_CHANNEL}>" in shown and "<!date^" in shown and "Essen workshop" in shown
    buttons = {e["action_id"]: e for b in listed.blocks or [] if b["type"] == "actions" for e in b["elements"]}
    assert buttons[views.EDIT]["value"] == planned.key and buttons[views.CANCEL]["value"] == planned.key
    assert buttons[views.CANCEL]["confirm"]["confirm"]["text"] == "Cancel it"
    assert "<!channel>" not in shown and "<!channel>" not in (listed.text or "")


def test_edit_changes_the_text_and_time_of_the_pending_row(local_bot: LocalBot) -> None:
    planned = schedule_one(local_bot, text="Old text")
    press(local_bot, ORGANISER.id, views.EDIT, planned.key)
    opened = wait_delivery(
        local_bot.emulator, lambda d: d.kind == "view_open" and "Edit announcement" in texts(d.view)
    ).view
    assert opened is not None and json.loads(opened["private_metadata"])["key"] == planned.key
    initial = {b["block_id"]: b["element"] for b in opened["blocks"]}
    assert initial["text"]["initial_value"] == "Old text"
    assert initial["channel"]["initial_conversation"] == GROUP_CHANNEL
    assert initial["when"]["initial_value"], "the time it is due, as the organiser would type it"
    woken: list[int] = []
    deps(local_bot).wake = lambda: woken.append(1)
    body = submit(local_bot, ORGANISER.id, opened, text="New text", when="in 3 hours", channel="C0OTHER")
    assert "Changes saved" in texts(body["view"]) and "<#C0OTHER>" in texts(body["view"])
    [edited] = rows(local_bot)
    assert edited.key == planned.key and edited.status == PostStatus.PENDING
    assert json.loads(edited.payload)["text"] == "New text" and edited.channel == "C0OTHER"
    assert abs(edited.due_at - (now() + timedelta(hours=3))) < timedelta(minutes=1) and woken
    # Saving it again unchanged is not mistaken for "already posted".
    at = local_text(now() + timedelta(hours=5))
    for _ in range(2):
        same = submit(local_bot, ORGANISER.id, opened, text="New text", when=at, channel="C0OTHER")
        assert "Changes saved" in texts(same["view"])
    assert len(rows(local_bot)) == 1 and row(local_bot, planned.key).status == PostStatus.PENDING


def test_changing_the_meeting_of_a_pending_announcement(local_bot: LocalBot) -> None:
    first, second = make_meeting(local_bot), make_meeting(local_bot, title="Online exchange")
    planned = schedule_one(local_bot, meeting=str(first.id))
    view = {
        **open_form(local_bot),
        "private_metadata": json.dumps({"key": planned.key}),
    }
    body = submit(
        local_bot, ORGANISER.id, view, text="Now with the other meeting", when="in 5 hours", meeting=str(second.id)
    )
    assert "Changes saved" in texts(body["view"])
    pending = [p for p in rows(local_bot) if p.status == PostStatus.PENDING]
    assert [(p.meeting_id, json.loads(p.payload)["text"]) for p in pending] == [
        (second.id, "Now with the other meeting")
    ]
    assert row(local_bot, planned.key).status == PostStatus.CANCELLED, "one announcement pending, never two"


def test_cancel_marks_the_row_cancelled_once(local_bot: LocalBot) -> None:
    planned = schedule_one(local_bot, text="Soon cancelled")
    press(local_bot, ORGANISER.id, views.CANCEL, planned.key)
    private_answer(local_bot.emulator, ORGANISER.id, "Cancelled")
    assert row(local_bot, planned.key).status == PostStatus.CANCELLED
    press(local_bot, ORGANISER.id, views.CANCEL, planned.key)
    private_answer(local_bot.emulator, ORGANISER.id, "already posted or cancelled")
    press(local_bot, MEMBER.id, views.CANCEL, planned.key)
    private_answer(local_bot.emulator, MEMBER.id, "Only the group's organisers")


def test_a_reminder_key_cannot_be_cancelled_or_edited_as_an_announcement(local_bot: LocalBot) -> None:
    reminder = schedule.PlannedPost(key="reminder:1:7d", kind=PostKind.REMINDER, channel=GROUP_CHANNEL, due_at=SOON)
    with deps(local_bot).sessions() as session:
        schedule.plan(session=session, posts=[reminder], now=now())
    press(local_bot, ORGANISER.id, views.CANCEL, reminder.key)
    private_answer(local_bot.emulator, ORGANISER.id, "already posted or cancelled")
    view = {**open_form(local_bot), "private_metadata": json.dumps({"key": reminder.key})}
    body = submit(local_bot, ORGANISER.id, view, text="Hijack", when="in 1 hour")
    assert "no longer exists" in texts(body["view"])
    assert row(local_bot, reminder.key).status == PostStatus.PENDING and row(local_bot, reminder.key).payload == ""


def test_editing_an_announcement_no_longer_pending_changes_nothing(local_bot: LocalBot) -> None:
    planned = schedule_one(local_bot, text="Original")
    press(local_bot, ORGANISER.id, views.EDIT, planned.key)
    opened = wait_delivery(
        local_bot.emulator, lambda d: d.kind == "view_open" and "Edit announcement" in texts(d.view)
    ).view
    assert opened is not None
    with deps(local_bot).sessions() as session:
        assert schedule.cancel(session=session, now=now(), keys=[planned.key]) == 1
    body = submit(local_bot, ORGANISER.id, opened, text="Too late", when="in 4 hours")
    assert body["response_action"] == "update"
    assert "That announcement was already posted or cancelled; nothing changed." in texts(body["view"])
    after = row(local_bot, planned.key)
    assert after.status == PostStatus.CANCELLED and json.loads(after.payload)["text"] == "Original"
    assert len(rows(local_bot)) == 1
    press(local_bot, ORGANISER.id, views.EDIT, planned.key)
    private_answer(local_bot.emulator, ORGANISER.id, "already posted or cancelled")


def test_the_terminal_workspace_fills_and_shows_the_channel_select(local_bot: LocalBot) -> None:
    out = io.StringIO()
    lines = [
        "/announce Hello",
        "",
        "",
        "in 2 hours",
        "/announce Second",
        "",
        "#nowhere",
        "in 3 hours",
        "learning-group",
    ]
    shell = Shell(local_bot, Console(file=out, force_terminal=False, width=200), "organiser", iter(lines), False)
    for line in iter(lambda: shell.ask("> "), None):
        if not shell.send(line):
            break
    shell.show_pending()
    transcript = out.getvalue()
    assert "Choose the channel to post in" in transcript, "an unknown channel is not chosen"
    assert transcript.count("Scheduled for") == 2 and "in #learning-group" in transcript
    planned = [p for p in rows(local_bot) if p.status == PostStatus.PENDING]
    assert [(json.loads(p.payload)["text"], p.channel) for p in planned] == [
        ("Hello", GROUP_CHANNEL),
        ("Second", GROUP_CHANNEL),
    ]
    rendered = Renderer(channels={GROUP_CHANNEL: "learning-group"}).blocks(open_form(local_bot)["blocks"])
    assert "[bold]Channel[/bold]: #learning-group" in rendered


# App Home -------------------------------------------------------------------------------------


def test_app_home_shows_scheduled_announcements_to_organisers_only(local_bot: LocalBot) -> None:
    planned = schedule_one(local_bot, text="For the home tab")
    ws = local_bot.workspace
    assert ws is not None
    ws.open_home(ORGANISER.id)
    ws.open_home(MEMBER.id)
    local_bot.wait_idle()
    home = local_bot.emulator.home_view(ORGANISER.id)
    assert home is not None
    shown = texts(home["blocks"])
    assert "Scheduled announcements (1)" in shown and "For the home tab" in shown
    assert views.OPEN in shown and views.EDIT in shown and views.CANCEL in shown
    member_home = local_bot.emulator.home_view(MEMBER.id)
    assert member_home is not None and "Scheduled announcements" not in texts(member_home["blocks"])
    assert views.OPEN not in texts(member_home["blocks"])

    press(local_bot, ORGANISER.id, views.OPEN, "new", view=home)
    opened = wait_delivery(local_bot.emulator, lambda d: d.kind == "view_open" and d.user == ORGANISER.id).view
    assert opened is not None and opened["callback_id"] == views.CALLBACK_ID
    press(local_bot, ORGANISER.id, views.CANCEL, planned.key, view=home)
    refreshed = local_bot.emulator.home_view(ORGANISER.id)
    assert refreshed is not None and "Scheduled announcements (0)" in texts(refreshed["blocks"])
    assert "Cancelled" in texts(refreshed["blocks"])


# The message the scheduler posts ----------------------------------------------------------------


def meeting(**overrides: Any) -> Meeting:
    values: dict[str, Any] = {
        "id": 7,
        "title": "Essen workshop",
        "kind": MeetingKind.HYBRID,
        "starts_at": SOON,
        "ends_at": SOON + timedelta(hours=8),
        "timezone": "Europe/Berlin",
        "city": "Essen",
        "join_url": "https://meet.example.org/essen",
    }
    return Meeting(**{**values, **overrides})


def test_announcement_message_escapes_the_text_and_shows_the_meeting_buttons() -> None:
    message = views.message({"text": PINGS, "by": ORGANISER.id}, meeting())
    shown = texts(message)
    for ping in ("<!channel>", "<!here>", "<!everyone>", "<@U0MEM>"):
        assert ping not in shown, ping
    assert "Hello &lt;!channel&gt;" in message["blocks"][0]["text"]["text"]
    assert "&lt;!channel&gt;" in message["text"]
    assert f"Announcement from <@{ORGANISER.id}>" in shown
    for action_id in (meeting_views.RSVP_IN_PERSON, meeting_views.RSVP_ONLINE, meeting_views.CALENDAR_FILE):
        assert action_id in shown
    cancelled = views.message({"text": "hi", "by": ORGANISER.id}, meeting(status="cancelled"))
    assert meeting_views.RSVP_IN_PERSON not in texts(cancelled) and "actions" not in texts(cancelled)
    alone = views.message({"text": "hi", "by": "<!channel>"}, None)
    assert [b["type"] for b in alone["blocks"]] == ["section"], "a strange author is left out, not mentioned"


def test_announcement_message_keeps_long_text_within_sections() -> None:
    text = ("Fish & chips <b> " * 150 + "\n") * 2
    message = views.message({"text": text, "by": ORGANISER.id}, None)
    sections = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    assert len(sections) >= 2 and all(len(s) <= 3000 for s in sections)
    joined = "".join(sections).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert joined == text, "split, never clipped, and shown as written"
    assert len(message["text"]) <= 3000


def test_an_announcement_for_now_is_posted_once_with_its_author_and_meeting(local_bot: LocalBot) -> None:
    meeting = make_meeting(local_bot)
    body = submit(local_bot, ORGANISER.id, open_form(local_bot), text=PINGS, when="", meeting=str(meeting.id))
    assert body["response_action"] == "update"
    posted = wait_delivery(
        local_bot.emulator,
        lambda d: d.kind == "message" and d.channel == GROUP_CHANNEL and "friends" in texts(d.blocks),
    )
    shown = texts(posted.blocks)
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown and "<!here>" not in shown
    assert f"<@{ORGANISER.id}>" in shown, "who announced it"
    assert "Attend online" in shown, "the meeting's buttons"
    assert local_bot.emulator.wait_for(lambda: row(local_bot, rows(local_bot)[0].key).status == PostStatus.SENT)
    local_bot.wait_idle()
    sent = [m for m in local_bot.emulator.messages(GROUP_CHANNEL) if "friends" in texts(m.get("blocks"))]
    assert len(sent) == 1
