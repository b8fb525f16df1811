"""Who counts as a member: the one rule, read in Python and in SQL alike, on each engine."""

from __future__ import annotations

from itertools import product

from sqlalchemy import select
from sqlmodel import col

from store.db import make_engine, session_factory
from store.models import Membership, Person


def test_python_and_sql_agree_on_who_is_a_member(migrated_url: str) -> None:
    engine = make_engine(migrated_url)
    cases = list(product(Membership, (False, True)))
    with session_factory(engine)() as session:
        for n, (membership, guest) in enumerate(cases):
            session.add(Person(slack_id=f"U{n:03d}", membership=membership, is_guest=guest))
        session.commit()
        both = select(col(Person.slack_id), Person.is_member)
        in_sql = {slack_id: member for slack_id, member in session.execute(both)}
        in_python = {person.slack_id: person.is_member for person in session.scalars(select(Person))}
    assert in_sql == in_python
    assert all(isinstance(value, bool) for value in in_sql.values())
    expected = {
        (Membership.AUTO, False): True,  # a full workspace user
        (Membership.AUTO, True): False,  # a Slack guest
        (Membership.MEMBER, False): True,
        (Membership.MEMBER, True): True,  # a guest an organiser added
        (Membership.NOT_MEMBER, False): False,  # a full user an organiser removed
        (Membership.NOT_MEMBER, True): False,
    }
    assert {cases[int(slack_id[1:])]: member for slack_id, member in in_python.items()} == expected
    engine.dispose()
