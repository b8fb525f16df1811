"""The reader's own settings in App Home: each box saved as it is ticked, the Home published again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.language.i18n import N_, _
from bot.services import personal as service
from bot.views import personal as views
from handlers.buttons import WritingWork, register_action
from handlers.home import publish_home
from store.models import Person


def register(app: App, deps: Deps) -> None:
    """Register the settings' boxes and their App Home section."""
    register_action(app, deps, views.REMINDERS, changed(deps, _reminders), "choose one's reminders", writes=True)
    register_action(app, deps, views.DIGEST, changed(deps, _digest), "choose the digest by DM", writes=True)
    register_action(app, deps, views.LISTED, changed(deps, _listed), "choose to be named to members", writes=True)
    deps.home_sections.append(home_section)


def _reminders(deps: Deps, user_id: str, ticked: set[str]) -> str:
    person = service.keep_reminders(deps, user_id, ticked)
    if not person.reminders:
        return _("Saved: no meeting reminders by direct message. Tick one to have them again.")
    return _("Saved: your meeting reminders by direct message.")


def _choice(setting: str, on_said: str, off_said: str) -> Callable[[Deps, str, set[str]], str]:
    """A box that turns one of the person's settings on or off, and what each way says (marked with N_)."""

    def save(deps: Deps, user_id: str, ticked: set[str]) -> str:
        on = views.ON in ticked
        service.set_choices(deps, user_id, **{setting: on})
        return _(on_said if on else off_said)

    return save


_digest = _choice(
    "digest_dm",
    N_("Saved: the weekly digest comes to your direct messages too."),
    N_("Saved: the weekly digest stays in the group channel."),
)
_listed = _choice(
    "listed",
    N_("Saved: other members see your name among those coming to a meeting."),
    N_("Saved: only organisers see your name among those coming."),
)


def changed(deps: Deps, save: Callable[[Deps, str, set[str]], str]) -> WritingWork:
    """A settings box: saved before the tick is acknowledged, then the Home shows it with what was saved."""

    def work(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> Callable[[], None]:
        user_id = body["user"]["id"]
        said = save(deps, user_id, views.ticked((body.get("actions") or [{}])[0]))
        return lambda: publish_home(client, deps, user_id, notice=said)

    return work


def home_section(person: Person, deps: Deps) -> list[dict[str, Any]]:
    """The reader's settings."""
    return views.section(person, service.offered_reminders(deps))
