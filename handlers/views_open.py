"""Opening a form: only while the trigger_id of the press or command still works (Slack gives it 3 seconds)."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import arrival
from handlers.errors import FormTooLate

logger = logging.getLogger(__name__)

# Slack lets a trigger_id open a view for 3 seconds after it sent the request; what is left after
# this many seconds since the request arrived is too little for views.open to reach Slack in time.
OPEN_WITHIN_SECONDS = 2.5
TRIGGER_GONE = ("expired_trigger_id", "invalid_trigger_id")


def open_modal(client: WebClient, trigger_id: str, view: dict[str, Any]) -> None:
    """Open `view` with views.open while `trigger_id` is fresh; else raise FormTooLate.

    FormTooLate is told to the person by the error handling of handlers.errors (after_ack, or the
    global error handler): "press the button again". A 429 or 5xx from Slack raises as it came, and
    is told there as "Slack is busy". The request's arrival is known from bot.arrival's middleware;
    a trigger it did not record is tried, and Slack's own refusal of it is told the same way.
    """
    age = arrival.age(trigger_id)
    if age is not None and age > OPEN_WITHIN_SECONDS:
        raise FormTooLate(f"the request arrived {age:.1f} s ago; its trigger_id lasts 3 s")
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        refused = error.response.get("error")
        if refused in TRIGGER_GONE:
            after = f" {age:.1f} s after the request arrived" if age is not None else ""
            raise FormTooLate(f"Slack answered {refused}{after}") from error
        raise
