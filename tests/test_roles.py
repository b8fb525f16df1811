"""Role changes: one transaction each, and the group never left without an organiser, on each engine."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from bot.config import Settings
from bot.deps import Deps, build_deps
from bot.services import roles

ANA, BRUNO, CARLA = "U0ANA", "U0BRUNO", "U0CARLA"


@pytest.fixture
def deps(settings: Settings) -> Iterator[Deps]:
    deps = build_deps(settings)
    yield deps
    deps.engine.dispose()


def organiser_ids(deps: Deps) -> list[str]:
    return [person.slack_id for person in roles.organisers(deps)]


def remove_each_other(deps: Deps) -> dict[str, roles.RoleChange]:
    """Ana removes Bruno while Bruno removes Ana, both let go at the same moment; what each was told."""
    barrier = threading.Barrier(2)
    changes: dict[str, roles.RoleChange] = {}
    errors: list[BaseException] = []

    def remove(who: str, whom: str) -> None:
        try:
            barrier.wait()
            changes[who] = roles.remove_organisers(deps, slack_ids=[whom])
        except BaseException as error:  # surfaced below with the thread's failure
            errors.append(error)

    threads = [threading.Thread(target=remove, args=pair) for pair in ((ANA, BRUNO), (BRUNO, ANA))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return changes


def test_two_organisers_removing_each_other_at_once_leave_one(deps: Deps) -> None:
    """Each of two organisers removes the other at the same moment: one removal is made, the other
    is refused, and the group keeps exactly one organiser (tried several times, to meet the race)."""
    for _ in range(5):
        roles.add_organisers(deps, slack_ids=[ANA, BRUNO])
        changes = remove_each_other(deps)
        made = [who for who, change in changes.items() if change.changed]
        refused = [who for who, change in changes.items() if change.refused]
        assert len(made) == 1 and len(refused) == 1, changes
        (remaining,) = organiser_ids(deps)
        assert remaining == made[0], "the organiser whose removal went through is the one left"
        # The organiser check of every request sees the change at once.
        assert deps.people.is_organiser(remaining)
        assert not deps.people.is_organiser(refused[0])


def test_removing_every_organiser_at_once_is_refused_and_changes_nothing(deps: Deps) -> None:
    roles.add_organisers(deps, slack_ids=[ANA, BRUNO])
    change = roles.remove_organisers(deps, slack_ids=[ANA, CARLA, BRUNO])
    assert change.refused == (ANA, BRUNO) and change.changed == () and change.unchanged == (CARLA,)
    assert organiser_ids(deps) == [ANA, BRUNO]


def test_role_changes_say_what_changed(deps: Deps) -> None:
    first = roles.add_organisers(deps, slack_ids=[ANA, BRUNO, ANA])
    assert first.asked == (ANA, BRUNO) and first.changed == (ANA, BRUNO)
    again = roles.add_organisers(deps, slack_ids=[BRUNO, CARLA])
    assert again.changed == (CARLA,) and again.unchanged == (BRUNO,)
    assert deps.people.is_organiser(CARLA)

    removed = roles.remove_organisers(deps, slack_ids=[CARLA, "U0NOBODY"])
    assert removed.changed == (CARLA,) and removed.unchanged == ("U0NOBODY",) and not removed.refused
    assert organiser_ids(deps) == [ANA, BRUNO]
    assert not deps.people.is_organiser(CARLA)

    members = roles.set_members(deps, slack_ids=[CARLA, BRUNO], member=False)
    assert members.changed == (CARLA, BRUNO)
    assert roles.set_members(deps, slack_ids=[CARLA], member=True).changed == (CARLA,)
    decided = {person.slack_id: person.is_member for person in roles.members_set_by_organisers(deps)}
    assert decided == {BRUNO: False, CARLA: True}
