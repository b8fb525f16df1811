"""The one place that handles what went wrong: log the traceback, tell the person privately."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.views import blocks
from store import StoreUnavailable

logger = logging.getLogger(__name__)

SORRY = (
    ":warning: Sorry, something went wrong on my side and nothing was changed. "
    "Please try again; if it keeps happening, tell one of the organisers."
)
STORE_DOWN = ":hourglass: My database is not answering just now, so nothing was changed. Please try again in a minute."


def apology(error: BaseException) -> str:
    """What the person is told about an error they could not have caused."""
    return STORE_DOWN if store_unavailable(error) else SORRY


def store_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database is away or busy (try again later), not a fault in the bot."""
    return isinstance(error, StoreUnavailable)


def log_failure(where: str, error: BaseException) -> None:
    """Log a failed request: one line when the database is away, the traceback for anything else."""
    if store_unavailable(error):
        first = (str(error).strip().splitlines() or [error.__class__.__name__])[0]
        logger.warning("the database is not answering in %s: %s", where, first)
    else:
        logger.error("unhandled error in %s", where, exc_info=error)


def tell_privately(
    client: WebClient,
    body: dict[str, Any],
    text: str,
    respond: Respond | None = None,
    *,
    blocks_: list[blocks.Block] | None = None,
) -> None:
    """Say `text` to whoever made the request, where only they can see it, wherever the request came from.

    In the conversation through its response_url when there is one, else as an ephemeral message
    in the request's channel, else by direct message; `blocks_`, when given, are shown instead of
    the text alone. (A press in App Home is answered at the top of the tab: handlers.home.answer_press,
    which comes here for everything else.)
    """
    user = (body.get("user") or {}).get("id") or body.get("user_id") or (body.get("event") or {}).get("user")
    channel = (
        body.get("channel_id") or (body.get("channel") or {}).get("id") or (body.get("event") or {}).get("channel")
    )
    said = blocks.message(text, blocks_) if blocks_ is not None else blocks.notice(text)
    try:
        if respond is not None and (body.get("response_url") or body.get("response_urls")):
            respond(response_type="ephemeral", replace_original=False, **said)
        elif user and channel:
            client.chat_postEphemeral(channel=channel, user=user, **said)
        elif user:
            client.chat_postMessage(channel=user, **said)
    except (SlackApiError, OSError):
        logger.exception("could not tell %s privately", user)


def global_error_handler(deps: Deps) -> Callable[..., BoltResponse | None]:
    """Return Bolt's error handler: log with traceback, answer 200 with a private apology."""

    def handle_error(error: Exception, body: dict[str, Any], client: WebClient, respond: Respond) -> BoltResponse:
        log_failure("a listener", error)
        text = apology(error)
        if body.get("command"):
            return BoltResponse(
                status=200,
                body=json.dumps({"response_type": "ephemeral", "text": text}),
                headers={"content-type": "application/json;charset=utf-8"},
            )
        if body.get("type") == "view_submission":
            return BoltResponse(
                status=200,
                body=json.dumps({"response_action": "update", "view": error_view(text)}),
                headers={"content-type": "application/json;charset=utf-8"},
            )
        tell_privately(client, body, text, respond)
        return BoltResponse(status=200, body="")

    return handle_error


def error_view(text: str) -> dict[str, Any]:
    """A modal that replaces a form when submitting it failed on the bot's side."""
    return blocks.notice_modal("Something went wrong", text)


def after_ack(
    app: App,
    work: Callable[..., None],
    *,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond | None,
    context: BoltContext,
) -> None:
    """Run `work` on the listener pool once acknowledged; its failures are logged and told to the person.

    Bolt's lazy listeners would do the same but deep-copy every request first, and start even
    when the acknowledgement already answered; this runs only the work there is.
    """

    def run() -> None:
        try:
            work(body=body, client=client, respond=respond, context=context)
        except Exception as error:
            log_failure(getattr(work, "__name__", "listener work"), error)
            tell_privately(client, body, apology(error), respond)

    app.listener_runner.listener_executor.submit(run)


def ack_then(app: App, work: Callable[..., None]) -> Callable[..., None]:
    """Return a listener that acknowledges at once and runs `work` after the acknowledgement."""

    def listener(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        ack()
        after_ack(app, work, body=body, client=client, respond=respond, context=context)

    listener.__name__ = getattr(work, "__name__", "listener")
    return listener
