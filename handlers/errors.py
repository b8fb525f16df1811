"""The one place that handles what went wrong: log the traceback, tell the person privately."""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Callable
from http.client import HTTPException
from typing import Any
from urllib.error import URLError

from slack_bolt import Ack, App, BoltContext, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.language.i18n import N_, _
from bot.views import blocks
from bot.views.faults import SORRY
from store import StoreUnavailable

logger = logging.getLogger(__name__)

# The answers below are marked here (SORRY in bot.views.faults) and translated where they are said (`_(SORRY)`).
STORE_DOWN = N_(
    ":hourglass: My database is not answering just now, so nothing was changed. Please try again in a minute."
)
# Slack refused or dropped a call the request needed. "Nothing was changed" only where nothing was:
# work that changes the store before its Slack calls is told it is saved (after_ack's `saved_first`).
SLACK_BUSY = N_(":hourglass: Slack is busy just now, so nothing was changed; try again in {seconds} s.")
SLACK_BUSY_NO_WAIT = N_(":hourglass: Slack is busy just now, so nothing was changed; try again in a few seconds.")
SLACK_BUSY_SAVED = N_(
    ":hourglass: Your change is saved, but Slack is busy just now and did not take everything I had to show; "
    "press again in {seconds} s to bring it up to date (nothing is done twice)."
)
SLACK_BUSY_SAVED_NO_WAIT = N_(
    ":hourglass: Your change is saved, but Slack is busy just now and did not take everything I had to show; "
    "press again in a few seconds to bring it up to date (nothing is done twice)."
)
TOO_LATE = N_("That took too long on my side: press the button again (or type the command again) to open the form.")


class FormTooLate(Exception):
    """A form could not be opened: the trigger_id of the request had expired, or was about to."""


def apology(error: BaseException, *, saved_first: bool = False) -> str:
    """What the person is told about an error they could not have caused.

    `saved_first`: the work changed the store before its Slack calls, so a refusal from Slack
    must not say that nothing was changed.
    """
    if store_unavailable(error):
        return _(STORE_DOWN)
    if isinstance(error, FormTooLate):
        return _(TOO_LATE)
    if slack_unavailable(error):
        return slack_busy(error, saved_first=saved_first)
    return _(SORRY)


def store_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database is away or busy (try again later), not a fault in the bot."""
    return isinstance(error, StoreUnavailable)


def slack_unavailable(error: BaseException) -> bool:
    """Whether `error` means Slack refused or did not answer a call: a 429, a 5xx, a timeout or a lost connection."""
    if isinstance(error, SlackApiError):
        status = int(getattr(error.response, "status_code", 200) or 200)
        return status == 429 or status >= 500
    return isinstance(error, (TimeoutError, ConnectionError, URLError, HTTPException))


def retry_after(error: BaseException) -> int | None:
    """The seconds Slack asked to wait (its Retry-After), when it said."""
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None) or {}
    for name, value in dict(headers).items():
        if str(name).lower() == "retry-after":
            first = value[0] if isinstance(value, list | tuple) and value else value
            try:
                return max(int(str(first).strip()), 1)
            except ValueError:
                return None
    return None


def slack_busy(error: BaseException, *, saved_first: bool = False) -> str:
    """The private answer when Slack did not take a call: try again after its Retry-After, else in a moment."""
    seconds = retry_after(error)
    if seconds is None:
        return _(SLACK_BUSY_SAVED_NO_WAIT if saved_first else SLACK_BUSY_NO_WAIT)
    return _(SLACK_BUSY_SAVED if saved_first else SLACK_BUSY, seconds=seconds)


def describe_slack_failure(error: BaseException) -> str:
    """A Slack failure in a few words, for one log line."""
    if isinstance(error, SlackApiError):
        seconds = retry_after(error)
        after = f", Retry-After {seconds} s" if seconds is not None else ""
        return f"HTTP {getattr(error.response, 'status_code', '?')} {error.response.get('error')}{after}"
    return f"{error.__class__.__name__}: {error}"


def log_failure(where: str, error: BaseException) -> None:
    """Log a failed request: one line when the database or Slack is away, the traceback for anything else."""
    if store_unavailable(error):
        first = (str(error).strip().splitlines() or [error.__class__.__name__])[0]
        logger.warning("the database is not answering in %s: %s", where, first)
    elif isinstance(error, FormTooLate):
        logger.warning("a form could not be opened in time in %s: %s", where, error)
    elif slack_unavailable(error):
        logger.warning("Slack did not take a call in %s: %s", where, describe_slack_failure(error))
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
    except (SlackApiError, OSError, HTTPException) as error:
        if slack_unavailable(error):
            logger.warning("could not tell %s privately: %s", user, describe_slack_failure(error))
        else:
            logger.exception("could not tell %s privately", user)


def global_error_handler(deps: Deps) -> Callable[..., BoltResponse | None]:
    """Return Bolt's error handler: log it (see log_failure), answer 200 with the private answer that fits."""

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
    return blocks.notice_modal(_("Something went wrong"), text)


def after_ack(
    app: App,
    work: Callable[..., None],
    *,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond | None,
    context: BoltContext,
    saved_first: bool = False,
) -> None:
    """Run `work` on the listener pool once acknowledged; its failures are logged and told to the person.

    Bolt's lazy listeners would do the same but deep-copy every request first, and start even
    when the acknowledgement already answered; this runs only the work there is. `saved_first`
    says that `work` changes the store before it calls Slack: then a refusal from Slack is told
    as "your change is saved", not "nothing was changed". The work runs in the request's context, so it
    speaks the language the request was answered in.
    """

    def run() -> None:
        try:
            work(body=body, client=client, respond=respond, context=context)
        except Exception as error:
            log_failure(getattr(work, "__name__", "listener work"), error)
            tell_privately(client, body, apology(error, saved_first=saved_first), respond)

    app.listener_runner.listener_executor.submit(contextvars.copy_context().run, run)


def ack_then(app: App, work: Callable[..., None], *, saved_first: bool = False) -> Callable[..., None]:
    """Return a listener that acknowledges at once and runs `work` after the acknowledgement (see after_ack)."""

    def listener(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        ack()
        after_ack(app, work, body=body, client=client, respond=respond, context=context, saved_first=saved_first)

    listener.__name__ = getattr(work, "__name__", "listener")
    return listener


def refusal(command: str) -> str:
    """The polite answer to someone who is not an organiser who asked for `command`."""
    return _(
        ":lock: Only the group's organisers can use `{command}`, so nothing was changed. "
        "If you need this done, ask an organiser (`/tci organisers` lists them).",
        command=command,
    )


# Translated where it is said: _(ACTION_REFUSAL).
ACTION_REFUSAL = N_(
    ":lock: Only the group's organisers can do that, so nothing was changed. "
    "If you need it done, ask an organiser (`/tci organisers` lists them)."
)
