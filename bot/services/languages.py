"""Which language each person reads the bot in, and the group's language for what goes to a channel.

A person's language is their own choice (`/tci language es`, or the menu in App Home), else their Slack
locale when the bot speaks it (Slack's `pt-BR` is Portuguese, `es-LA` Spanish, `fr-CA` French), else the
group's `GROUP_LANGUAGE`. What goes to a channel is in the group's language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from slack_sdk import WebClient
from sqlmodel import Session

from bot.deps import Deps
from bot.language import i18n
from store import people as people_store

FOLLOW_SLACK = "slack"  # `/tci language slack`: no choice of one's own, follow Slack's language


def group_language(deps: Deps) -> str:
    """The group's language as the bot speaks it (English when GROUP_LANGUAGE is not one it speaks)."""
    return i18n.supported(deps.settings.group_language) or i18n.SOURCE_LANGUAGE


def of_person(deps: Deps, client: WebClient, slack_id: str) -> str:
    """The language `slack_id` reads the bot in."""
    chosen, slack_locale = deps.people.languages(client, slack_id)
    return i18n.supported(chosen) or i18n.supported(slack_locale) or group_language(deps)


def by_language(deps: Deps, session: Session, slack_ids: Iterable[str]) -> dict[str, list[str]]:
    """These people by the language each reads the bot in, as the store knows it (no Slack call), once each.

    For direct messages written inside a change's transaction, where Slack must not be asked: someone the
    store has no choice or locale for reads the group's language. A plain notice to people the bot may
    never have met (a new organiser) is written as `outbox.Said` instead, and put in the reader's language
    when it is sent, when Slack can be asked.
    """
    group = group_language(deps)
    readers: dict[str, list[str]] = defaultdict(list)
    for slack_id in dict.fromkeys(slack_ids):
        person = people_store.get_person(session=session, slack_id=slack_id)
        chosen, locale = (person.language, person.slack_locale) if person else (None, None)
        readers[i18n.supported(chosen) or i18n.supported(locale) or group].append(slack_id)
    return readers


def choose(deps: Deps, slack_id: str, asked: str) -> str | None:
    """Record the language someone chose (or FOLLOW_SLACK); the language they now read, or None if not spoken."""
    if asked.strip().lower() == FOLLOW_SLACK:
        chosen = None
    else:
        chosen = i18n.supported(asked)
        if chosen is None:
            return None
    with deps.sessions() as session:
        people_store.set_language(session=session, slack_id=slack_id, language=chosen)
    deps.people.forget_language(slack_id)
    return chosen or FOLLOW_SLACK
