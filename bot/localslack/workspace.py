"""A person's side of Slack: signed requests to the bot's HTTP endpoint, or envelopes over Socket Mode."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from bot.localslack.blockkit import Verdict, check_message, check_submission_answer
from bot.localslack.emulator import ApiError, SlackEmulator
from bot.localslack.socket_mode import ACK_SECONDS

logger = logging.getLogger(__name__)

VERIFICATION_TOKEN = "local-verification-token"
REQUEST_TIMEOUT_SECONDS = 10.0
NOT_ACKNOWLEDGED = 504  # the status of a request sent over Socket Mode that no acknowledgement answered in time
RETRY_REASON = "timeout"  # why Slack sends an event again over Socket Mode


class AnswerRefused(Exception):
    """Slack refused the bot's answer to a request: the person sees an error, not the answer."""

    def __init__(self, error: str, reasons: list[str]) -> None:
        super().__init__(f"{error}: {'; '.join(reasons)}" if reasons else error)
        self.error = error
        self.reasons = reasons


@dataclass
class BotResponse:
    """What the bot answered: its HTTP response, or its Socket Mode acknowledgement (header names lower-cased).

    Over Socket Mode the status is 200 and the body the acknowledgement's payload as JSON (empty without
    one); a request that no acknowledgement answered within 3 seconds has status NOT_ACKNOWLEDGED.
    """

    status: int
    body: str
    headers: dict[str, str]

    def json(self) -> Any:
        """Return the parsed body, or None when it is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body.strip() else None
        except ValueError:
            return None


def _find_block_id(blocks: list[Any] | None, action_id: str) -> str | None:
    for block in blocks or []:
        elements = block.get("elements") or [block.get("accessory") or block.get("element") or {}]
        if any(isinstance(e, dict) and e.get("action_id") == action_id for e in elements):
            return block.get("block_id")
    return None


class LocalWorkspace:
    """Act as people of the workspace, sending Slack's requests to the bot.

    In HTTP mode each request is a signed POST to `events_url`; with `socket_mode` it is an envelope
    delivered over the emulator's Socket Mode connection, and `events_url` and `signing_secret` go unused.
    """

    def __init__(
        self,
        *,
        events_url: str = "",
        signing_secret: str = "",
        emulator: SlackEmulator,
        channel: str = "C0GROUP",
        clock: Callable[[], float] = time.time,
        socket_mode: bool = False,
    ) -> None:
        self.events_url = events_url
        self.signing_secret = signing_secret
        self.emulator = emulator
        self.channel = channel
        self.clock = clock
        url = urlsplit(events_url)
        self._https = url.scheme == "https"
        self._netloc = url.netloc
        self._path = url.path or "/"
        if url.query:
            self._path += "?" + url.query
        self._local = threading.local()
        self._event_ids = itertools.count(1)
        self.socket_mode = socket_mode

    # transport

    def sign(self, body: str, *, timestamp: int | None = None) -> dict[str, str]:
        """Return Slack's signature headers for `body`."""
        ts = str(int(self.clock()) if timestamp is None else timestamp)
        digest = hmac.new(self.signing_secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}

    def post(
        self,
        body: str,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        signed: bool = True,
    ) -> BotResponse:
        """Send a raw request body to the bot and return its answer."""
        all_headers = {
            "Content-Type": content_type,
            **(self.sign(body, timestamp=timestamp) if signed else {}),
        }
        all_headers.update(headers or {})
        data = body.encode()
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request("POST", self._path, body=data, headers=all_headers)
                resp = conn.getresponse()
                text = resp.read().decode("utf-8", errors="replace")
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self._drop_connection()
                if attempt == 2:
                    raise
                continue
            except Exception:
                self._drop_connection()
                raise
            if resp.will_close:
                self._drop_connection()
            return BotResponse(resp.status, text, {k.lower(): v for k, v in resp.getheaders()})
        raise AssertionError("unreachable")

    def _connection(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            factory = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            conn = factory(self._netloc, timeout=REQUEST_TIMEOUT_SECONDS)
            self._local.conn = conn
        return conn

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def deliver(
        self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0, retry_reason: str = ""
    ) -> BotResponse:
        """Send a Socket Mode envelope to the bot and return its acknowledgement as a response."""
        ack = self.emulator.socket_mode.deliver(
            kind, payload, ACK_SECONDS, retry_attempt=retry_attempt, retry_reason=retry_reason
        )
        if ack is None:
            return BotResponse(NOT_ACKNOWLEDGED, "", {})
        if ack.get("payload") is None:
            return BotResponse(200, "", {})
        return BotResponse(200, json.dumps(ack["payload"]), {"content-type": "application/json"})

    def _post_form(self, form: dict[str, str]) -> BotResponse:
        """Send a slash command's fields: a form over HTTP, a JSON payload over Socket Mode."""
        if self.socket_mode:
            return self.deliver("slash_commands", form)
        return self.post(urlencode(form), "application/x-www-form-urlencoded")

    def _post_payload(self, payload: dict[str, Any]) -> BotResponse:
        """Send an interaction's payload."""
        if self.socket_mode:
            return self.deliver("interactive", payload)
        return self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def _post_event(self, envelope: dict[str, Any], retry_num: int | None) -> BotResponse:
        """Send an Events API delivery; a `retry_num` says which time Slack sends it again."""
        if self.socket_mode:
            retry_reason = RETRY_REASON if retry_num else ""
            return self.deliver("events_api", envelope, retry_attempt=retry_num or 0, retry_reason=retry_reason)
        headers = None
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(json.dumps(envelope), "application/json", headers=headers)

    # shared payload parts

    def _user(self, user_id: str) -> dict[str, Any]:
        user = self.emulator.users.get(user_id)
        name = user.name if user else user_id
        return {"id": user_id, "username": name, "name": name, "team_id": self.emulator.team_id}

    def _common(self, user_id: str) -> dict[str, Any]:
        return {
            "user": self._user(user_id),
            "api_app_id": self.emulator.app_id,
            "token": VERIFICATION_TOKEN,
            "team": {"id": self.emulator.team_id, "domain": self.emulator.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _channel_obj(self, channel: str) -> dict[str, str]:
        return {"id": channel, "name": self.emulator.channel_name(channel)}

    def _action_ts(self) -> str:
        return f"{self.clock():.6f}"

    # interactions

    def slash_command(self, user_id: str, command: str, text: str = "", *, channel: str | None = None) -> BotResponse:
        """Run a slash command as `user_id`."""
        channel = channel or self.channel
        user = self.emulator.users.get(user_id)
        form = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.emulator.team_id,
            "team_domain": self.emulator.team_domain,
            "channel_id": channel,
            "channel_name": self.emulator.channel_name(channel),
            "user_id": user_id,
            "user_name": user.name if user else user_id,
            "command": command,
            "text": text,
            "api_app_id": self.emulator.app_id,
            "is_enterprise_install": "false",
            "response_url": self.emulator.response_url(channel=channel, user=user_id),
            "trigger_id": self.emulator.new_trigger_id(user_id),
        }
        return self._answered(self._post_form(form))

    def _answered(self, response: BotResponse) -> BotResponse:
        """A slash command's answer, as Slack takes it: a refused one reaches no one (AnswerRefused)."""
        if response.status == 200 and response.body.strip():
            answer = response.json()
            self._judge(check_message(answer if isinstance(answer, dict) else {"text": response.body}))
        return response

    def _judge(self, verdict: Verdict) -> None:
        try:
            self.emulator.judge(verdict)
        except ApiError as refused:
            raise AnswerRefused(refused.error, refused.extra.get("response_metadata", {}).get("messages", [])) from None

    def press_button(
        self,
        user_id: str,
        *,
        action_id: str,
        value: str | None = None,
        block_id: str | None = None,
        message: dict[str, Any] | None = None,
        channel: str | None = None,
        view: dict[str, Any] | None = None,
        container: dict[str, Any] | None = None,
    ) -> BotResponse:
        """Press a button in a message (default) or in `view`."""
        source_blocks = (view or message or {}).get("blocks")
        action = {
            "action_id": action_id,
            "block_id": block_id or _find_block_id(source_blocks, action_id) or "actions",
            "type": "button",
            "action_ts": self._action_ts(),
        }
        if value is not None:
            action["value"] = value
        payload: dict[str, Any] = {
            "type": "block_actions",
            **self._common(user_id),
            "trigger_id": self.emulator.new_trigger_id(user_id),
            "state": {"values": {}},
            "actions": [action],
        }
        if view is not None:
            payload["view"] = view
            payload["container"] = container or {"type": "view", "view_id": view.get("id")}
        else:
            channel = channel or self.channel
            message_ts = message.get("ts") if message else None
            payload["channel"] = self._channel_obj(channel)
            payload["response_url"] = self.emulator.response_url(channel=channel, user=user_id, message_ts=message_ts)
            payload["container"] = container or {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": False,
            }
            if message is not None:
                payload["message"] = message
        return self._post_payload(payload)

    def tick_boxes(self, user_id: str, *, action_id: str, view: dict[str, Any], ticked: list[str]) -> BotResponse:
        """Leave the boxes of a checkboxes element of `view` (a modal or App Home) with `ticked` ticked, as Slack
        sends the change: every option ticked now, by the element's own options."""
        element, block_id = next(
            (accessory, str(block.get("block_id") or ""))
            for block in view.get("blocks") or []
            for accessory in [block.get("accessory") or block.get("element") or {}]
            if accessory.get("action_id") == action_id
        )
        chosen = [o for o in element.get("options") or [] if o.get("value") in ticked]
        action = {"type": "checkboxes", "action_id": action_id, "block_id": block_id, "selected_options": chosen}
        return self._act_in_view(user_id, action, view)

    def choose_option(
        self, user_id: str, *, action_id: str, option: dict[str, Any], block_id: str, view: dict[str, Any]
    ) -> BotResponse:
        """Choose `option` in a static_select of `view` (a modal or App Home), as Slack sends the choice."""
        action = {"type": "static_select", "action_id": action_id, "block_id": block_id, "selected_option": option}
        return self._act_in_view(user_id, action, view)

    def _act_in_view(self, user_id: str, action: dict[str, Any], view: dict[str, Any]) -> BotResponse:
        """Send one element's action in `view` as Slack sends it, stamped with its time."""
        payload = {
            "type": "block_actions",
            **self._common(user_id),
            "trigger_id": self.emulator.new_trigger_id(user_id),
            "state": {"values": {}},
            "actions": [{**action, "action_ts": self._action_ts()}],
            "view": view,
            "container": {"type": "view", "view_id": view.get("id")},
        }
        return self._post_payload(payload)

    def submit_view(
        self, user_id: str, view: dict[str, Any], values: dict[str, dict[str, dict[str, Any]]]
    ) -> BotResponse:
        """Submit a modal with the given state values.

        A conversation select is filled as Slack fills it: with the channel chosen (given as its
        id, its name or `#name`; an unknown one chooses nothing), or else the one it started with.
        """
        submitted = {**view, "state": {"values": self._complete_values(view, values)}}
        payload = {
            "type": "view_submission",
            **self._common(user_id),
            "trigger_id": self.emulator.new_trigger_id(user_id),
            "view": submitted,
            "response_urls": [],
        }
        response = self._post_payload(payload)
        answer = response.json() if response.status == 200 else None
        if isinstance(answer, dict):
            self._judge(check_submission_answer(answer, view))
        if response.status == 200:
            self.emulator.view_submitted(str(view.get("id") or ""), answer if isinstance(answer, dict) else {})
        return response

    def _complete_values(
        self, view: dict[str, Any], values: dict[str, dict[str, dict[str, Any]]]
    ) -> dict[str, dict[str, dict[str, Any]]]:
        """The state values with each conversation select filled in as Slack would send it."""
        completed = {block_id: dict(actions) for block_id, actions in values.items()}
        for block in view.get("blocks") or []:
            element = block.get("element") or {}
            if block.get("type") != "input" or element.get("type") != "conversations_select":
                continue
            action_id = element.get("action_id", "value")
            given = (completed.get(block["block_id"]) or {}).get(action_id) or {}
            if "selected_conversation" in given:
                continue
            typed = str(given.get("value") or "").strip()
            chosen = self.find_channel(typed) if typed else element.get("initial_conversation")
            completed.setdefault(block["block_id"], {})[action_id] = {
                "type": "conversations_select",
                "selected_conversation": chosen,
            }
        return completed

    def find_channel(self, text: str) -> str | None:
        """The id of the channel named by `text` (an id, a name, or `#name`), or None."""
        wanted = text.strip().lstrip("#")
        if not wanted:
            return None
        if wanted in self.emulator.channel_names:
            return wanted
        return next((cid for cid, name in self.emulator.channel_names.items() if name == wanted.lower()), None)

    def close_view(self, user_id: str, view: dict[str, Any]) -> BotResponse:
        """Close a modal (sent only when the view asks notify_on_close)."""
        payload = {"type": "view_closed", **self._common(user_id), "view": view, "is_cleared": False}
        self.emulator.view_closed(str(view.get("id") or ""))
        return self._post_payload(payload)

    def message_shortcut(self, user_id: str, *, callback_id: str, message: dict[str, Any], channel: str) -> BotResponse:
        """Run a message shortcut on `message` in `channel`."""
        payload = {
            "type": "message_action",
            **self._common(user_id),
            "callback_id": callback_id,
            "trigger_id": self.emulator.new_trigger_id(user_id),
            "response_url": self.emulator.response_url(channel=channel, user=user_id, message_ts=message.get("ts")),
            "channel": self._channel_obj(channel),
            "message": message,
            "message_ts": message.get("ts"),
            "action_ts": self._action_ts(),
        }
        return self._post_payload(payload)

    # events

    def event(self, event: dict[str, Any], *, retry_num: int | None = None, event_id: str | None = None) -> BotResponse:
        """Deliver an Events API event to the bot."""
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.emulator.team_id,
            "api_app_id": self.emulator.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev0LOCAL{next(self._event_ids):08d}",
            "event_time": int(self.clock()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.emulator.team_id,
                    "user_id": self.emulator.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        return self._post_event(envelope, retry_num)

    def _message_event(self, event_type: str, user_id: str, channel: str, text: str) -> dict[str, Any]:
        ts = self.emulator.post_user_message(channel, user_id, text)
        return {
            "type": event_type,
            "user": user_id,
            "text": text,
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
            "team": self.emulator.team_id,
        }

    def mention(self, user_id: str, text: str, *, channel: str | None = None) -> BotResponse:
        """Mention the bot in a channel message."""
        full_text = f"<@{self.emulator.bot_user_id}> {text}"
        return self.event(self._message_event("app_mention", user_id, channel or self.channel, full_text))

    def direct_message(self, user_id: str, text: str) -> BotResponse:
        """Send the bot a direct message."""
        event = self._message_event("message", user_id, self.emulator.im_channel(user_id), text)
        event["channel_type"] = "im"
        return self.event(event)

    def open_home(self, user_id: str) -> BotResponse:
        """Open the bot's Home tab."""
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self.emulator.im_channel(user_id),
            "tab": "home",
            "event_ts": self._action_ts(),
        }
        home = self.emulator.home_view(user_id)
        if home is not None:
            event["view"] = home
        return self.event(event)
