"""Buttons: the organiser check, and whether a press is acknowledged at once or once its change is written.

Whether a button is organiser-only is declared where it is bound and checked here, nowhere else. The bot's
buttons are one Bolt listener (`handlers.dispatch`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.language.i18n import _
from bot.registry import ActionSpec, Kind
from handlers.dispatch import keyed
from handlers.errors import after_ack, tell_privately
from handlers.routing import ACTION_REFUSAL

ActionWork = Callable[..., None]
# The work of a button that changes the store: it writes, and returns what to say once acknowledged.
WritingWork = Callable[..., Callable[[], None] | None]


def register_action(
    app: App,
    deps: Deps,
    action_id: str,
    work: ActionWork | WritingWork,
    summary: str,
    *,
    organiser_only: bool = False,
    writes: bool = False,
) -> None:
    """Bind a button: check the organiser role where it is needed, then work.

    A button that changes the store (`writes`) is acknowledged once its change is written: the
    200 means "recorded", and a press whose write failed is answered with the reason instead.
    What it returns is then said after the acknowledgement. Any other button is acknowledged at
    once and works after. A refused press changes nothing and is told privately why.
    """
    deps.registry.add_action(ActionSpec(Kind.ACTION, action_id, summary, organiser_only))

    def listener(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        if organiser_only and not deps.people.is_organiser(body["user"]["id"]):
            ack()

            def refuse(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
                tell_privately(client, body, _(ACTION_REFUSAL), respond)

            after_ack(app, refuse, body=body, client=client, respond=respond, context=context)
            return
        if not writes:
            ack()
            after_ack(app, cast(ActionWork, work), body=body, client=client, respond=respond, context=context)
            return
        then = work(body=body, client=client, respond=respond, context=context)  # an error is Bolt's to answer
        ack()
        if then is not None:
            told = then

            def tell(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
                told()

            tell.__name__ = f"{action_id}: the answer"
            after_ack(app, tell, body=body, client=client, respond=respond, context=context, saved_first=True)

    keyed(app, "action")[action_id] = listener
