"""/practice through the real Bolt app: signed requests in, Web API calls out, the store afterwards."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.config import Settings
from bot.localslack import Delivery, LocalUser
from bot.localslack.local import GROUP_CHANNEL, GUEST, MEMBER, ORGANISER, LocalBot
from bot.views import practices as views
from handlers import practices as handler
from store import practices as store
from store.models import Practice, PracticeStatus
from tests.helpers import private_answer, settle, wait_delivery

TOPIC = "Knowledge and skill development"
PINGS = "<!channel> <!here> <!everyone> <!subteam^S0TEAM|@clusters> <@U0MEM> & @channel"


def now() -> datetime:
    return datetime.now(UTC)


def make_practice(bot: LocalBot, *, author: str = MEMBER.id, moderated: bool = False, **overrides: Any) -> Practice:
    values: dict[str, Any] = {
        "title": "Digital skills academy for cluster SMEs",
        "kind": "Initiative",
        "topic": TOPIC,
        "summary": "A training programme on digitization for the small firms of the cluster.",
        "organisation": "Basque ICT cluster",
        "country": "ES",
        "evidence": "120 SMEs trained in 2025; 30% adopted a cloud ERP within a year.",
        "link": "https://example.org/academy",
    }
    values.update(overrides)
    with deps(bot).sessions() as session:
        return store.create_practice(
            session=session, draft=store.PracticeDraft(**values), author=author, now=now(), moderated=moderated
        )


def deps(bot: LocalBot) -> Any:
    assert bot.service is not None
    return bot.service.deps


def stored(bot: LocalBot, practice_id: int) -> Practice | None:
    with deps(bot).sessions() as session:
        return store.get_practice(session=session, practice_id=practice_id)


def all_practices(bot: LocalBot) -> list[Practice]:
    with deps(bot).sessions() as session:
        return store.list_practices(session=session, statuses=tuple(PracticeStatus), limit=1000).practices


def texts(blocks: list[dict[str, Any]] | None) -> str:
    return json.dumps(blocks or [], ensure_ascii=False)


def cards(bot: LocalBot) -> list[dict[str, Any]]:
    """The cards in the group channel, once the bot has sent what it owes."""
    assert bot.wait_idle()
    return [m for m in bot.emulator.messages(GROUP_CHANNEL) if m.get("bot_id")]


def dm_to(bot: LocalBot, user: str, contains: str) -> Delivery:
    channel = bot.emulator.im_channel(user)
    return wait_delivery(
        bot.emulator,
        lambda d: d.kind == "message" and d.channel == channel and contains in (d.text or "") + texts(d.blocks),
    )


def press(
    bot: LocalBot,
    user: str,
    action_id: str,
    value: str,
    *,
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
) -> None:
    assert bot.workspace is not None
    response = bot.workspace.press_button(user, action_id=action_id, value=value, message=message, view=view)
    assert response.status == 200
    bot.wait_idle()


def command(bot: LocalBot, user: str, text: str = "") -> Any:
    assert bot.workspace is not None
    response = bot.workspace.slash_command(user, "/practice", text)
    assert response.status == 200
    bot.wait_idle()
    return response.json()


def open_form(bot: LocalBot, user: str = MEMBER.id, text: str = "") -> dict[str, Any]:
    command(bot, user, text)
    opened = wait_delivery(bot.emulator, lambda d: d.kind == "view_open" and d.user == user)
    assert opened.view is not None
    return opened.view


FORM = {
    "title": "Cluster digital maturity check",
    "kind": "Tool",
    "topic": "SME digital transformation toward Industry 4.0",
    "organisation": "Portuguese production technologies cluster",
    "country": "Portugal",
    "summary": "A one-hour self-assessment SMEs take with a cluster adviser.",
    "evidence": "340 assessments since 2024; 55 firms started a follow-up project.",
    "link": "https://example.org/maturity",
}


def form_state(**overrides: str) -> dict[str, dict[str, dict[str, Any]]]:
    values = {**FORM, **overrides}
    state: dict[str, dict[str, dict[str, Any]]] = {}
    for block_id, text in values.items():
        if block_id in ("kind", "topic"):
            option = {"value": text, "text": {"type": "plain_text", "text": text}} if text else None
            state[block_id] = {"value": {"type": "static_select", "selected_option": option}}
        else:
            state[block_id] = {"value": {"type": "plain_text_input", "value": text or None}}
    return state


def submit(bot: LocalBot, user: str, view: dict[str, Any], **overrides: str) -> dict[str, Any]:
    assert bot.workspace is not None
    body = bot.workspace.submit_view(user, view, form_state(**overrides)).json()
    bot.wait_idle()
    return body


# Sharing --------------------------------------------------------------------------------------


def test_a_member_shares_a_practice_and_its_card_is_posted(local_bot: LocalBot) -> None:
    view = open_form(local_bot)
    assert view["callback_id"] == "practice_form"
    shown = texts(view["blocks"])
    for choice in (*deps(local_bot).settings.practice_kinds, *deps(local_bot).settings.practice_topics):
        assert json.dumps(choice, ensure_ascii=False) in shown, choice
    body = submit(local_bot, MEMBER.id, view)
    assert body["response_action"] == "update" and "is shared in" in texts(body["view"]["blocks"])
    [practice] = all_practices(local_bot)
    assert practice.title == FORM["title"] and practice.country == "PT" and practice.kind == "Tool"
    assert practice.author == MEMBER.id and practice.status == PracticeStatus.PUBLISHED
    [card] = cards(local_bot)
    shown = texts(card["blocks"])
    for part in ("Cluster digital maturity check", "Tool", "Portugal", "340 assessments", "Useful · 0", "thread"):
        assert part in shown, part
    assert (practice.card_channel, practice.card_ts) == (GROUP_CHANNEL, card["ts"])


def test_the_form_says_what_is_wrong_field_by_field_and_saves_nothing(local_bot: LocalBot) -> None:
    view = open_form(local_bot)
    body = submit(local_bot, MEMBER.id, view, title="", summary="x" * 5000, link="javascript:alert(1)", topic="Gossip")
    assert body["response_action"] == "errors"
    errors = body["errors"]
    assert "needed" in errors["title"] and "3,000" in errors["summary"] and "5,000" in errors["summary"]
    assert "https://" in errors["link"] and "topic" in errors["topic"]
    body = submit(local_bot, MEMBER.id, view, summary="   ", kind="", country="Atlantis")
    assert {"summary", "kind", "country"} <= set(body["errors"])
    assert all_practices(local_bot) == [] and cards(local_bot) == []


def test_useful_button_counts_once_per_person_on_the_card(local_bot: LocalBot) -> None:
    view = open_form(local_bot)
    submit(local_bot, MEMBER.id, view)
    [card] = cards(local_bot)
    practice = all_practices(local_bot)[0]
    press(local_bot, GUEST.id, views.USEFUL, str(practice.id), message=card)
    assert "Useful · 1" in texts(cards(local_bot)[0]["blocks"])
    press(local_bot, ORGANISER.id, views.USEFUL, str(practice.id), message=card)
    assert "Useful · 2" in texts(cards(local_bot)[0]["blocks"])
    press(local_bot, GUEST.id, views.USEFUL, str(practice.id), message=card)
    assert "Useful · 1" in texts(cards(local_bot)[0]["blocks"]), "a second press takes the mark back"
    press(local_bot, MEMBER.id, views.USEFUL, str(practice.id), message=card)
    private_answer(local_bot.emulator, MEMBER.id, "You shared this practice, so it takes no Useful mark from you")
    assert "Useful · 1" in texts(cards(local_bot)[0]["blocks"]), "the author's own press counts for nothing"
    assert len(cards(local_bot)) == 1, "updated in place"
    command(local_bot, GUEST.id, str(practice.id))
    details = private_answer(local_bot.emulator, GUEST.id, FORM["title"])
    assert "Useful · 1" in texts(details.blocks) and views.EDIT not in texts(details.blocks)


# Finding --------------------------------------------------------------------------------------


def test_list_filters_by_topic_kind_and_country_and_pages(local_bot: LocalBot) -> None:
    for i in range(23):
        make_practice(local_bot, title=f"Practice {i:02d}", country="DE" if i % 2 else "IS")
    make_practice(
        local_bot, title="A policy from Brazil", kind="Policy", country="BR", topic="Entrepreneurship and start-ups"
    )
    command(local_bot, MEMBER.id, "list")
    first = private_answer(local_bot.emulator, MEMBER.id, "The newest practices (24)")
    assert "page 1 of 3" in (first.text or "")
    assert texts(first.blocks).index("A policy from Brazil") < texts(first.blocks).index("Practice 22")
    older = next(e for b in first.blocks or [] if b["type"] == "actions" for e in b["elements"])
    press(local_bot, MEMBER.id, views.PAGE, older["value"])
    second = private_answer(local_bot.emulator, MEMBER.id, "page 2 of 3")
    turns = {e["action_id"]: e["value"] for b in second.blocks or [] if b["type"] == "actions" for e in b["elements"]}
    assert set(turns) == {views.PAGE, views.PAGE_NEWER}, "a middle page turns both ways, each button its own id"
    seen = len(local_bot.emulator.deliveries)
    press(local_bot, MEMBER.id, views.PAGE_NEWER, turns[views.PAGE_NEWER])
    wait_delivery(
        local_bot.emulator,
        lambda d: d in local_bot.emulator.deliveries[seen:] and d.user == MEMBER.id and "page 1 of 3" in (d.text or ""),
    )

    command(local_bot, MEMBER.id, "list brazil")
    brazil = private_answer(local_bot.emulator, MEMBER.id, "Practices from *Brazil* (1)")
    assert "A policy from Brazil" in texts(brazil.blocks)
    command(local_bot, MEMBER.id, "list policy")
    private_answer(local_bot.emulator, MEMBER.id, "of kind *Policy* (1)")
    command(local_bot, MEMBER.id, "list entrepreneurship")
    private_answer(local_bot.emulator, MEMBER.id, "about *Entrepreneurship and start-ups* (1)")
    command(local_bot, MEMBER.id, "list Iceland")
    private_answer(local_bot.emulator, MEMBER.id, "Practices from *Iceland* (12)")
    command(local_bot, MEMBER.id, "list gossip")
    answer = private_answer(local_bot.emulator, MEMBER.id, "I don't know a kind, topic or country")
    assert "/practice search" in (answer.text or "")


def test_a_country_is_found_by_its_name_in_any_language_and_named_in_the_readers(local_bot: LocalBot) -> None:
    make_practice(local_bot, title="Mittelstand digital", country="DE")
    make_practice(local_bot, title="Hackathon in Valencia", country="ES")
    command(local_bot, MEMBER.id, "list Deutschland")
    german = private_answer(local_bot.emulator, MEMBER.id, "Practices from *Germany* (1)")
    assert "Mittelstand digital" in texts(german.blocks) and "Valencia" not in texts(german.blocks)
    lucia = LocalUser(id="U0LUCIA", name="lucia", real_name="Lucía", tz="Europe/Madrid", locale="es-ES")
    local_bot.emulator.add_user(lucia)
    command(local_bot, lucia.id, "list España")
    spanish = private_answer(local_bot.emulator, lucia.id, "*España* (1)")
    assert "Hackathon in Valencia" in texts(spanish.blocks) and ":flag-es: España" in texts(spanish.blocks)


def test_search_ranks_title_matches_first_and_shows_the_words_found(local_bot: LocalBot) -> None:
    body_match = make_practice(
        local_bot, title="Regional voucher scheme", summary="Vouchers that pay for robotics advice."
    )
    title_match = make_practice(local_bot, title="Robotics testbed for SMEs", summary="A shared testbed.")
    make_practice(local_bot, title="Hidden", summary="robotics", moderated=True)
    command(local_bot, MEMBER.id, "search robotics")
    found = private_answer(local_bot.emulator, MEMBER.id, "Practices matching *robotics*")
    shown = texts(found.blocks)
    assert shown.index(f"#{title_match.id} ") < shown.index(f"#{body_match.id} ")
    assert "pay for *robotics* advice" in shown, "the passage with the words found, in bold"
    assert "Hidden" not in shown, "pending practices are not found"
    command(local_bot, MEMBER.id, "search robotics vouchers")
    both = private_answer(local_bot.emulator, MEMBER.id, "Practices matching *robotics vouchers*")
    assert f"#{body_match.id} " in texts(both.blocks) and f"#{title_match.id} " not in texts(both.blocks)
    command(local_bot, MEMBER.id, "search quantum robotics")
    private_answer(local_bot.emulator, MEMBER.id, "No practice has all of")
    command(local_bot, MEMBER.id, "search robotics-testbed SMEs")
    private_answer(local_bot.emulator, MEMBER.id, "*robotics-testbed SMEs*")  # the words as typed
    command(local_bot, MEMBER.id, "search zzzz")
    private_answer(local_bot.emulator, MEMBER.id, "No practice matches *zzzz*")
    command(local_bot, MEMBER.id, "search ???")
    private_answer(local_bot.emulator, MEMBER.id, "Search for what?")
    command(local_bot, MEMBER.id, "search payload formats")  # a command's text is never taken for a payload
    private_answer(local_bot.emulator, MEMBER.id, "matches *payload formats*")


def test_mine_shows_every_status_and_others_cannot_see_pending_ones(local_bot: LocalBot) -> None:
    waiting = make_practice(local_bot, title="Waiting one", moderated=True)
    make_practice(local_bot, title="Somebody else's", author=GUEST.id)
    command(local_bot, MEMBER.id, "mine")
    mine = private_answer(local_bot.emulator, MEMBER.id, "Practices you shared (1)")
    assert "Waiting one" in texts(mine.blocks) and "waiting for an organiser" in texts(mine.blocks)
    assert "Somebody else" not in texts(mine.blocks)
    command(local_bot, GUEST.id, str(waiting.id))
    private_answer(local_bot.emulator, GUEST.id, f"There is no practice #{waiting.id}")
    command(local_bot, ORGANISER.id, str(waiting.id))
    private_answer(local_bot.emulator, ORGANISER.id, "Waiting one")


# Changing -------------------------------------------------------------------------------------


def test_the_author_edits_and_the_card_follows(local_bot: LocalBot) -> None:
    view = open_form(local_bot)
    submit(local_bot, MEMBER.id, view)
    practice = all_practices(local_bot)[0]
    command(local_bot, MEMBER.id, f"edit {practice.id}")
    edit_view = wait_delivery(
        local_bot.emulator, lambda d: d.kind == "view_open" and "Edit practice" in json.dumps(d.view)
    ).view
    assert edit_view is not None and "Portugal" in texts(edit_view["blocks"])
    body = submit(local_bot, MEMBER.id, edit_view, title="Cluster digital maturity check, second edition")
    assert "Changes saved" in texts(body["view"]["blocks"])
    assert stored(local_bot, practice.id or 0).title.endswith("second edition")  # type: ignore[union-attr]
    [card] = cards(local_bot)
    assert "second edition" in texts(card["blocks"]) and local_bot.emulator.calls_to("chat.update")


def test_others_cannot_edit_or_delete_and_nothing_changes(local_bot: LocalBot) -> None:
    practice = make_practice(local_bot, author=GUEST.id)
    for text in (f"edit {practice.id}", f"delete {practice.id}"):
        command(local_bot, MEMBER.id, text)
        private_answer(local_bot.emulator, MEMBER.id, "Only the person who shared a practice")
    press(local_bot, MEMBER.id, views.DELETE_CONFIRM, str(practice.id))
    press(local_bot, MEMBER.id, views.EDIT, str(practice.id))
    forged = {
        "id": "V0FORGED",
        "type": "modal",
        "callback_id": "practice_form",
        "private_metadata": json.dumps({"practice_id": practice.id}),
        "blocks": [],
    }
    body = submit(local_bot, MEMBER.id, forged, title="Taken over")
    assert "Only the person who shared" in json.dumps(body)
    assert stored(local_bot, practice.id or 0) == practice
    assert not local_bot.emulator.calls_to("views.open")


def test_delete_asks_first_then_removes_the_row_and_the_card(local_bot: LocalBot) -> None:
    view = open_form(local_bot)
    submit(local_bot, MEMBER.id, view)
    practice = all_practices(local_bot)[0]
    command(local_bot, MEMBER.id, f"delete {practice.id}")
    question = private_answer(local_bot.emulator, MEMBER.id, "Delete Cluster digital maturity check?")
    assert "confirm" in texts(question.blocks) and stored(local_bot, practice.id or 0) is not None
    press(local_bot, MEMBER.id, views.DELETE_KEEP, str(practice.id))
    assert stored(local_bot, practice.id or 0) is not None
    press(local_bot, ORGANISER.id, views.DELETE_CONFIRM, str(practice.id))
    assert stored(local_bot, practice.id or 0) is None
    assert cards(local_bot) == [], "the card left the channel"
    private_answer(local_bot.emulator, ORGANISER.id, "Deleted")


# Moderation -----------------------------------------------------------------------------------


@pytest.fixture
def moderated_bot(settings: Settings) -> Any:
    bot = LocalBot(replace(settings, moderation=True)).start()
    try:
        yield bot
    finally:
        bot.stop()


def test_with_moderation_a_practice_waits_and_organisers_approve_it(moderated_bot: LocalBot) -> None:
    bot = moderated_bot
    view = open_form(bot)
    body = submit(bot, MEMBER.id, view)
    assert "waits for an organiser" in texts(body["view"]["blocks"])
    [practice] = all_practices(bot)
    assert practice.status == PracticeStatus.PENDING and cards(bot) == []
    dm_to(bot, ORGANISER.id, "waits for approval")

    command(bot, MEMBER.id, "queue")
    assert "Only the group's organisers" in json.dumps(command(bot, MEMBER.id, "queue"))
    press(bot, MEMBER.id, views.APPROVE, str(practice.id))
    private_answer(bot.emulator, MEMBER.id, "Only the group's organisers")
    assert stored(bot, practice.id or 0).status == PracticeStatus.PENDING  # type: ignore[union-attr]

    command(bot, ORGANISER.id, "queue")
    queued = private_answer(bot.emulator, ORGANISER.id, "1 practice waiting for approval")
    assert views.APPROVE in texts(queued.blocks)
    bot.workspace.open_home(ORGANISER.id)  # type: ignore[union-attr]
    bot.wait_idle()
    home = bot.emulator.home_view(ORGANISER.id)
    assert home is not None and "Waiting for approval (1)" in texts(home["blocks"])

    press(bot, ORGANISER.id, views.APPROVE, str(practice.id))
    private_answer(bot.emulator, ORGANISER.id, "Approved")
    assert stored(bot, practice.id or 0).status == PracticeStatus.PUBLISHED  # type: ignore[union-attr]
    assert len(cards(bot)) == 1
    dm_to(bot, MEMBER.id, "was approved")
    press(bot, ORGANISER.id, views.APPROVE, str(practice.id))
    private_answer(bot.emulator, ORGANISER.id, "already decided")
    assert len(cards(bot)) == 1, "approved once, posted once"


def test_rejecting_asks_a_reason_that_reaches_the_author(moderated_bot: LocalBot) -> None:
    bot = moderated_bot
    practice = make_practice(bot, moderated=True)
    press(bot, ORGANISER.id, views.REJECT, str(practice.id))
    reason_view = wait_delivery(bot.emulator, lambda d: d.kind == "view_open" and d.user == ORGANISER.id).view
    assert reason_view is not None and reason_view["callback_id"] == handler.REJECT_CALLBACK
    ws = bot.workspace
    assert ws is not None
    empty = ws.submit_view(
        ORGANISER.id, reason_view, {"reason": {"value": {"type": "plain_text_input", "value": None}}}
    )
    assert empty.json()["response_action"] == "errors"
    forged = ws.submit_view(MEMBER.id, reason_view, {"reason": {"value": {"type": "plain_text_input", "value": "no"}}})
    assert "Only the group's organisers" in json.dumps(forged.json())
    assert stored(bot, practice.id or 0).status == PracticeStatus.PENDING  # type: ignore[union-attr]
    reason = "Please add figures <!channel>"
    ws.submit_view(ORGANISER.id, reason_view, {"reason": {"value": {"type": "plain_text_input", "value": reason}}})
    bot.wait_idle()
    rejected = stored(bot, practice.id or 0)
    assert rejected is not None and rejected.status == PracticeStatus.REJECTED and rejected.reject_reason == reason
    told = dm_to(bot, MEMBER.id, "was not published")
    assert "Please add figures &lt;!channel&gt;" in (told.text or "") and cards(bot) == []

    # The author changes it, and it goes back for approval.
    command(bot, MEMBER.id, f"edit {practice.id}")
    edit_view = wait_delivery(bot.emulator, lambda d: d.kind == "view_open" and d.user == MEMBER.id).view
    assert edit_view is not None
    submit(bot, MEMBER.id, edit_view, evidence="Now with figures: 120 firms.")
    assert stored(bot, practice.id or 0).status == PracticeStatus.PENDING  # type: ignore[union-attr]


# Evidence -------------------------------------------------------------------------------------


def test_organisers_export_csv_and_json_to_their_direct_messages(local_bot: LocalBot) -> None:
    make_practice(local_bot, title='=HYPERLINK("http://evil")', summary=PINGS)
    make_practice(local_bot, title="Second, with a comma", moderated=True)
    assert "Only the group's organisers" in json.dumps(command(local_bot, MEMBER.id, "export csv"))
    command(local_bot, ORGANISER.id, "export csv")
    private_answer(local_bot.emulator, ORGANISER.id, "Exported 1 practice")
    upload = wait_delivery(local_bot.emulator, lambda d: d.kind == "file" and d.raw["filename"].endswith(".csv"))
    assert upload.channel == local_bot.emulator.im_channel(ORGANISER.id)
    rows = list(csv.DictReader(io.StringIO(upload.raw["content"].decode("utf-8"))))
    assert [row["title"] for row in rows] == ['\'=HYPERLINK("http://evil")'] and rows[0]["summary"] == PINGS
    command(local_bot, ORGANISER.id, "export json all")
    upload = wait_delivery(local_bot.emulator, lambda d: d.kind == "file" and d.raw["filename"].endswith(".json"))
    data = json.loads(upload.raw["content"])
    assert sorted(item["status"] for item in data) == ["pending", "published"]
    command(local_bot, ORGANISER.id, "export xlsx")
    private_answer(local_bot.emulator, ORGANISER.id, "Say which format")


def test_stats_counts_and_sends_a_chart(local_bot: LocalBot) -> None:
    command(local_bot, MEMBER.id, "stats")
    private_answer(local_bot.emulator, MEMBER.id, "No practice is published yet")
    for country in ("ES", "ES", "DE", "BR"):
        make_practice(local_bot, country=country)
    make_practice(local_bot, kind="Policy", topic="Entrepreneurship and start-ups", country="CA")
    command(local_bot, MEMBER.id, "stats")
    answer = private_answer(local_bot.emulator, MEMBER.id, "5 published practices")
    shown = texts(answer.blocks)
    for part in ("By topic", "By kind", "By country", "By month", "Spain", "Canada", TOPIC):
        assert part in shown, part
    chart = wait_delivery(local_bot.emulator, lambda d: d.kind == "file" and d.raw["filename"].endswith(".png"))
    assert chart.raw["content"].startswith(b"\x89PNG") and chart.channel == local_bot.emulator.im_channel(MEMBER.id)


# Doors in: the shortcut and App Home ------------------------------------------------------------


def test_share_as_practice_shortcut_fills_the_form_from_a_message(local_bot: LocalBot) -> None:
    ws = local_bot.workspace
    assert ws is not None
    text = (
        "*Open data hackathon in Reykjavik*\nWe ran it with <@U0ORG> &amp; 40 firms. <https://example.is/hack|Report>"
    )
    ts = local_bot.emulator.post_user_message(GROUP_CHANNEL, GUEST.id, text)
    response = ws.message_shortcut(
        GUEST.id,
        callback_id=handler.SHORTCUT,
        message={"ts": ts, "text": text, "user": GUEST.id},
        channel=GROUP_CHANNEL,
    )
    assert response.status == 200
    opened = wait_delivery(local_bot.emulator, lambda d: d.kind == "view_open" and d.user == GUEST.id).view
    assert opened is not None
    initial = {b["block_id"]: b["element"].get("initial_value") for b in opened["blocks"]}
    assert initial["title"] == "Open data hackathon in Reykjavik"
    assert "We ran it with @U0ORG & 40 firms. Report (https://example.is/hack)" in initial["summary"]
    assert initial["link"] == "https://example.is/hack"
    assert any(s.callback_id == handler.SHORTCUT for s in deps(local_bot).registry.shortcuts)


def test_app_home_shows_the_newest_practices_and_a_share_button(local_bot: LocalBot) -> None:
    make_practice(local_bot, title="Newest practice")
    ws = local_bot.workspace
    assert ws is not None
    ws.open_home(MEMBER.id)
    local_bot.wait_idle()
    home = local_bot.emulator.home_view(MEMBER.id)
    assert home is not None
    shown = texts(home["blocks"])
    assert "Newest practice" in shown and views.SHARE in shown and "Waiting for approval" not in shown
    press(local_bot, MEMBER.id, views.SHARE, "new", view=home)
    opened = wait_delivery(local_bot.emulator, lambda d: d.kind == "view_open" and d.user == MEMBER.id)
    assert opened.view is not None and opened.view["callback_id"] == "practice_form"


# Nobody is pinged through the bot --------------------------------------------------------------


def test_mentions_in_every_field_never_ping(local_bot: LocalBot) -> None:
    view = open_form(local_bot, GUEST.id)
    submit(
        local_bot,
        GUEST.id,
        view,
        title=f"Title {PINGS}"[:150],
        organisation=f"Org {PINGS}",
        summary=f"Summary {PINGS}",
        evidence=f"Evidence {PINGS}",
    )
    practice = all_practices(local_bot)[0]
    for text in ("list", "search summary", str(practice.id), "mine"):
        command(local_bot, GUEST.id, text)
    local_bot.workspace.open_home(MEMBER.id)  # type: ignore[union-attr]
    press(local_bot, MEMBER.id, views.USEFUL, str(practice.id), message=cards(local_bot)[0])
    settle(local_bot.emulator)
    posted = [
        json.dumps({k: call.params.get(k) for k in ("text", "blocks", "view")}, ensure_ascii=False)
        for call in local_bot.emulator.calls
        if call.method in ("chat.postMessage", "chat.update", "chat.postEphemeral", "views.publish")
    ] + [json.dumps(d.raw, ensure_ascii=False) for d in local_bot.emulator.deliveries if d.kind == "response"]
    assert len(posted) >= 6
    for payload in posted:
        for ping in ("<!channel>", "<!here>", "<!everyone>", "<!subteam^", "<@U0MEM>"):
            assert ping not in payload, (ping, payload[:300])
    assert any("&lt;!channel&gt;" in payload for payload in posted), "shown as written, escaped"
    assert stored(local_bot, practice.id or 0).summary == f"Summary {PINGS}"  # type: ignore[union-attr]
    assert now() - timedelta(minutes=5) < practice.created_at


def test_buttons_on_a_practice_in_full_edit_delete_and_details(local_bot: LocalBot) -> None:
    practice = make_practice(local_bot)
    command(local_bot, MEMBER.id, str(practice.id))
    full = private_answer(local_bot.emulator, MEMBER.id, practice.title)
    shown = texts(full.blocks)
    assert views.EDIT in shown and views.DELETE in shown, "the author may change it"
    press(local_bot, MEMBER.id, views.EDIT, str(practice.id))
    opened = wait_delivery(local_bot.emulator, lambda d: d.kind == "view_open" and d.user == MEMBER.id).view
    assert opened is not None and json.loads(opened["private_metadata"])["practice_id"] == practice.id
    press(local_bot, MEMBER.id, views.DELETE, str(practice.id))
    private_answer(local_bot.emulator, MEMBER.id, f"Delete {practice.title}?")
    assert stored(local_bot, practice.id or 0) is not None, "nothing is deleted before the confirmation"
    press(local_bot, GUEST.id, views.DETAILS, str(practice.id))
    details = wait_delivery(local_bot.emulator, lambda d: d.kind == "view_open" and d.user == GUEST.id).view
    assert details is not None and "120 SMEs trained" in texts(details["blocks"])
    assert views.EDIT not in texts(details["blocks"])


def test_help_lists_subcommands_by_role(local_bot: LocalBot) -> None:
    member_help = json.dumps(command(local_bot, MEMBER.id, "help"))
    organiser_help = json.dumps(command(local_bot, ORGANISER.id, "help"))
    for word in ("search", "list", "mine", "stats", "edit", "delete"):
        assert f"/practice {word}" in member_help, word
    assert "/practice queue" not in member_help and "/practice queue" in organiser_help
    assert "/practice export" in organiser_help
    unknown = json.dumps(command(local_bot, MEMBER.id, "frobnicate"))
    assert "I don't know `/practice frobnicate`" in unknown


def test_approving_from_app_home_refreshes_the_tab(settings: Settings) -> None:
    with LocalBot(replace(settings, moderation=True)) as bot:
        practice = make_practice(bot, moderated=True, title="From home")
        assert bot.workspace is not None
        bot.workspace.open_home(ORGANISER.id)
        bot.wait_idle()
        home = bot.emulator.home_view(ORGANISER.id)
        assert home is not None and views.APPROVE in texts(home["blocks"])
        press(bot, ORGANISER.id, views.APPROVE, str(practice.id), view=home)
        refreshed = bot.emulator.home_view(ORGANISER.id)
        assert refreshed is not None and "Approved *From home*" in texts(refreshed["blocks"])
        assert "Waiting for approval (0)" in texts(refreshed["blocks"])
        assert len(cards(bot)) == 1
