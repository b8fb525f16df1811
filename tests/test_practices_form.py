"""The practice form: every field's problem in the first answer, and a form that follows the fields' declaration."""

from __future__ import annotations

import json

from bot.localslack.local import GUEST, MEMBER, LocalBot
from bot.views import practice_form
from store import practices as store
from tests.helpers import wait_delivery
from tests.test_practices import FORM, all_practices, cards, command, deps, make_practice, open_form, stored, submit

# One wrong value for every field of the form, and what the person is told beside that field.
EVERY_FIELD_WRONG = {
    "title": ("", "Title is needed."),
    "kind": ("", "Choose one of the group's kinds from the list."),
    "topic": ("Gossip", "Choose one of the group's topics from the list."),
    "organisation": ("o" * 201, "At most 200 characters, please (this has 201)."),
    "country": ("Atlantis", "I don't know that country."),
    "summary": ("s" * 3001, "At most 3,000 characters, please (this has 3,001)."),
    "evidence": ("e" * 3001, "At most 3,000 characters, please (this has 3,001)."),
    "link": ("javascript:alert(1)", "The link must be a web address starting with https://"),
}


def assert_every_field_told(answer: dict[str, object]) -> None:
    assert answer["response_action"] == "errors", answer
    errors = answer["errors"]
    assert isinstance(errors, dict)
    assert set(errors) == set(EVERY_FIELD_WRONG), "every field's problem comes in the first answer"
    for block_id, (_, told) in EVERY_FIELD_WRONG.items():
        assert told in errors[block_id], (block_id, errors[block_id])


def test_a_form_with_every_field_wrong_hears_of_each_in_the_first_answer(local_bot: LocalBot) -> None:
    view = open_form(local_bot)
    answer = submit(local_bot, MEMBER.id, view, **{name: value for name, (value, _) in EVERY_FIELD_WRONG.items()})
    assert_every_field_told(answer)
    assert all_practices(local_bot) == [] and cards(local_bot) == [], "nothing is saved or posted"
    # Put right, the same form is saved at once.
    assert submit(local_bot, MEMBER.id, view)["response_action"] == "update"
    [practice] = all_practices(local_bot)
    assert practice.title == FORM["title"] and practice.country == "PT"


def test_an_edit_with_every_field_wrong_hears_of_each_and_changes_nothing(local_bot: LocalBot) -> None:
    practice = make_practice(local_bot)
    command(local_bot, MEMBER.id, f"edit {practice.id}")
    opened = wait_delivery(local_bot.emulator, lambda d: d.kind == "view_open" and d.user == MEMBER.id).view
    assert opened is not None
    answer = submit(local_bot, MEMBER.id, opened, **{name: value for name, (value, _) in EVERY_FIELD_WRONG.items()})
    assert_every_field_told(answer)
    assert stored(local_bot, practice.id or 0) == practice


def test_the_form_shows_each_declared_field_with_its_label_hint_and_limit(local_bot: LocalBot) -> None:
    view = open_form(local_bot, GUEST.id)
    shown = {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}
    assert list(shown) == list(store.EDITABLE), "every field, in the declared order"
    settings = deps(local_bot).settings
    for spec in store.FIELDS:
        block = shown[spec.name]
        assert block["label"]["text"] == spec.label and block["optional"] is not spec.required
        element = block["element"]
        if spec.choices:
            offered = [option["value"] for option in element["options"]]
            assert offered == list(practice_form.choices(spec, settings)) and offered
        else:
            assert block["hint"]["text"] == spec.hint and element["max_length"] == spec.limit
            assert element.get("multiline", False) is spec.multiline


def test_editing_fills_the_form_from_the_declared_fields(local_bot: LocalBot) -> None:
    practice = make_practice(local_bot, country="IS", link="https://example.is/report")
    command(local_bot, MEMBER.id, f"edit {practice.id}")
    opened = wait_delivery(local_bot.emulator, lambda d: d.kind == "view_open" and d.user == MEMBER.id).view
    assert opened is not None and json.loads(opened["private_metadata"])["practice_id"] == practice.id
    filled = {}
    for block in opened["blocks"]:
        element = block["element"]
        filled[block["block_id"]] = element.get("initial_value") or (element.get("initial_option") or {}).get("value")
    expected = {name: getattr(practice, name) for name in store.EDITABLE} | {"country": "Iceland"}
    assert filled == expected


def test_a_link_typed_without_its_scheme_is_taken_as_https(local_bot: LocalBot) -> None:
    view = open_form(local_bot)
    answer = submit(local_bot, MEMBER.id, view, link="www.example.org/practice")
    assert answer["response_action"] == "update", answer
    [practice] = all_practices(local_bot)
    assert practice.link == "https://www.example.org/practice"
    assert "https://www.example.org/practice" in json.dumps(answer["view"]), "the saved form shows the link it took"
