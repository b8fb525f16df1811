"""The Web API methods of the local Slack emulator, over the state of one workspace.

`WebApi` holds the workspace (people, channels, messages, views, triggers, files) and answers
each method as Slack does; `SlackEmulator` puts it behind an HTTP server with faults and limits.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.localslack.blockkit import Verdict, check_message, check_view
from bot.localslack.forms import ViewStore
from bot.localslack.records import (
    APP_ID,
    ApiCall,
    ApiError,
    Delivery,
    Fault,
    LocalUser,
    LostAnswer,
    truthy,
)

logger = logging.getLogger(__name__)


class WebApi:
    """The state of one emulated workspace and the Web API methods that read and change it."""

    strict_text = False  # refuse mrkdwn that Slack would show broken (the test suite turns this on)

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-local-token",
        team_id: str = "T0LOCAL",
        team_name: str = "Local workspace",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        users: Iterable[LocalUser] | None = None,
    ) -> None:
        self.bot_token = bot_token
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = "local"
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = APP_ID
        self.users: dict[str, LocalUser] = {u.id: u for u in users or ()}
        self.calls: list[ApiCall] = []
        self.broken_text: list[str] = []  # mrkdwn Slack would show broken: where, and the piece
        self.deliveries: list[Delivery] = []
        self.files: dict[str, dict[str, Any]] = {}
        self.channel_names: dict[str, str] = {}
        self._lock = threading.RLock()
        self._subscribers: list[Callable[[Delivery], None]] = []
        self._history: dict[str, list[dict[str, Any]]] = {}
        self._response_urls: dict[str, tuple[str, str, str | None]] = {}
        self._uploads: dict[str, dict[str, Any]] = {}
        self._faults: dict[str, deque[Fault]] = {}
        self._lost: dict[str, deque[LostAnswer]] = {}  # method: calls to perform and then lose the answer of
        self._down: tuple[float, int] = (0.0, 503)  # (until, status): see go_down
        self._failing: dict[str, tuple[float, int, str | None]] = {}  # method: (until, status, error); fail_for
        self._rate_limits: dict[str, float] = {}
        self._last_accepted: dict[tuple[str, str], float] = {}
        self._method_limits: dict[str, tuple[int, float]] = {}  # method: (calls, per window of seconds)
        self._accepted: dict[str, deque[float]] = {}  # method: when its calls within the window were accepted
        self._last_ts = (0, 0)
        self._seq = 0
        self.forms = ViewStore(team_id=team_id, app_id=self.app_id, bot_id=bot_id, next_id=self._next_id)
        self._methods: dict[str, Callable[[dict[str, Any], list[Delivery]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.info": self._conversations_info,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "reactions.add": lambda params, out: {},
        }

    @property
    def root_url(self) -> str:
        """Return the emulator's root URL, without trailing slash (where it serves: see SlackEmulator)."""
        raise NotImplementedError

    def channel_name(self, channel_id: str) -> str:
        """Return a channel's name ("directmessage" for DMs)."""
        if channel_id.startswith("D"):
            return "directmessage"
        return self.channel_names.get(channel_id, channel_id.lower())

    def im_channel(self, user_id: str) -> str:
        """Return the DM channel id between the bot and a user."""
        return "D" + user_id

    def _next_ts(self) -> str:
        sec, seq = self._last_ts
        now = int(time.time())
        if now > sec:
            sec, seq = now, 0
        else:
            seq += 1
            if seq > 999_999:
                sec, seq = sec + 1, 0
        self._last_ts = (sec, seq)
        return f"{sec}.{seq:06d}"

    def _next_id(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}0{self._seq:08X}"

    def _resolve_channel(self, channel: str) -> str:
        return self.im_channel(channel) if channel[:1] in ("U", "W") else channel

    def _channel(self, params: dict[str, Any], key: str = "channel") -> str:
        channel = params.get(key)
        if not channel:
            raise ApiError("channel_not_found")
        return self._resolve_channel(str(channel))

    def _find_message(self, channel: str, ts: Any) -> dict[str, Any]:
        for message in self._history.get(channel, []):
            if message["ts"] == ts:
                return message
        raise ApiError("message_not_found")

    def _check_content(self, params: dict[str, Any]) -> None:
        if not params.get("text") and not params.get("blocks") and not params.get("attachments"):
            raise ApiError("no_text")
        self.judge(check_message(params))

    def judge(self, verdict: Verdict, *, broken_error: str = "invalid_blocks") -> None:
        """Refuse what Slack refuses; keep (or, when strict, refuse) the text Slack would show broken."""
        if verdict.refusal is not None:
            raise ApiError(verdict.refusal.error, response_metadata={"messages": list(verdict.refusal.messages)})
        if verdict.broken:
            self.broken_text.extend(verdict.broken)
            if self.strict_text:
                reasons = [
                    f"[ERROR] a '<' opens no Slack sequence, so Slack shows it broken: {b}" for b in verdict.broken
                ]
                raise ApiError(broken_error, response_metadata={"messages": reasons})

    def _store_bot_message(self, channel: str, params: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "ts": self._next_ts(),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": params.get("text") or "",
            "blocks": params.get("blocks"),
        }
        for key in ("metadata", "thread_ts", "attachments"):
            if params.get(key):
                message[key] = params[key]
        self._history.setdefault(channel, []).append(message)
        return message

    def _delivery(
        self, kind: str, channel: str | None, user: str | None, ts: str | None, params: dict[str, Any]
    ) -> Delivery:
        return Delivery(
            kind=kind,
            channel=channel,
            user=user,
            ts=ts,
            text=params.get("text"),
            blocks=params.get("blocks"),
            metadata=params.get("metadata"),
            thread_ts=params.get("thread_ts"),
            raw=copy.deepcopy(params),
        )

    def _view_delivery(self, kind: str, stored: dict[str, Any], params: dict[str, Any]) -> Delivery:
        view = copy.deepcopy(stored)
        return Delivery(
            kind=kind, user=self.forms.owners.get(view["id"]), view=view, blocks=view.get("blocks"), raw=params
        )

    def _checked_view(self, params: dict[str, Any], expected_type: str) -> dict[str, Any]:
        view = params.get("view")
        self.judge(check_view(view, expected_type), broken_error="invalid_arguments")
        assert isinstance(view, dict)
        return view

    def view_submitted(self, view_id: str, answer: dict[str, Any]) -> None:
        """Do what Slack does with a form's submission answer (see ViewStore.submitted)."""
        with self._lock:
            self.forms.submitted(view_id, answer)

    def view_closed(self, view_id: str) -> None:
        """A person closed a form."""
        with self._lock:
            self.forms.closed(view_id)

    # Web API methods

    def _auth_test(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": "bot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        channel = self._channel(params)
        self._check_content(params)
        message = self._store_bot_message(channel, params)
        out.append(self._delivery("message", channel, None, message["ts"], params))
        return {"channel": channel, "ts": message["ts"], "message": copy.deepcopy(message)}

    def _chat_post_ephemeral(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        channel = self._channel(params)
        if not params.get("user"):
            raise ApiError("user_not_found")
        self._check_content(params)
        ts = self._next_ts()
        out.append(self._delivery("ephemeral", channel, str(params["user"]), ts, params))
        return {"message_ts": ts}

    def _chat_update(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        channel = self._channel(params)
        message = self._find_message(channel, params.get("ts"))
        if message.get("bot_id") != self.bot_id:
            raise ApiError("cant_update_message")
        self.judge(check_message(params))
        for key in ("text", "blocks", "metadata", "attachments"):
            if key in params:
                message[key] = params[key]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        out.append(self._delivery("update", channel, None, message["ts"], params))
        return {
            "channel": channel,
            "ts": message["ts"],
            "text": message["text"],
            "message": copy.deepcopy(message),
        }

    def _chat_delete(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        channel = self._channel(params)
        message = self._find_message(channel, params.get("ts"))
        if message.get("bot_id") != self.bot_id:
            raise ApiError("cant_delete_message")
        self._history[channel].remove(message)
        out.append(self._delivery("delete", channel, None, message["ts"], params))
        return {"channel": channel, "ts": message["ts"]}

    def _chat_get_permalink(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        channel = self._channel(params)
        ts = self._find_message(channel, params.get("message_ts"))["ts"]
        link = f"https://{self.team_domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"channel": channel, "permalink": link}

    def _conversations_open(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        users = [u for u in str(params.get("users") or "").split(",") if u]
        if not users:
            raise ApiError("users_list_not_supplied")
        if len(users) == 1:
            return {"channel": {"id": self.im_channel(users[0])}}
        return {"channel": {"id": "G" + "".join(sorted(users))}}

    def _conversations_history(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        channel = self._channel(params)
        oldest = float(params.get("oldest") or 0)
        latest = float(params.get("latest") or "inf")
        inclusive = truthy(params.get("inclusive"))
        limit = int(params.get("limit") or 100)
        with_metadata = truthy(params.get("include_all_metadata"))
        selected = []
        for message in reversed(self._history.get(channel, [])):
            ts = float(message["ts"])
            if message.get("thread_ts") not in (None, message["ts"]):
                continue
            if (oldest < ts < latest) or (inclusive and ts in (oldest, latest)):
                item = copy.deepcopy(message)
                if not with_metadata:
                    item.pop("metadata", None)
                selected.append(item)
        return {"messages": selected[:limit], "has_more": len(selected) > limit}

    def _conversations_replies(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        channel = self._channel(params)
        parent = self._find_message(channel, params.get("ts"))
        thread = [copy.deepcopy(m) for m in self._history[channel] if m is parent or m.get("thread_ts") == parent["ts"]]
        return {"messages": thread, "has_more": False}

    def _conversations_info(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        channel = self._channel(params)
        is_im = channel.startswith("D")
        info: dict[str, Any] = {
            "id": channel,
            "name": self.channel_name(channel),
            "is_channel": channel.startswith("C"),
            "is_group": channel.startswith("G"),
            "is_im": is_im,
            "is_private": not channel.startswith("C"),
            "is_member": True,
            "is_archived": False,
        }
        if is_im:
            info["user"] = channel[1:]
        return {"channel": info}

    def _users_info(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        user_id = str(params.get("user") or "")
        if user_id == self.bot_user_id:
            user = LocalUser(id=user_id, name="bot", real_name="Bot", tz="UTC")
        elif user_id in self.users:
            user = self.users[user_id]
        else:
            raise ApiError("user_not_found")
        now = datetime.now(ZoneInfo(user.tz))
        offset = now.utcoffset()
        locale = {"locale": user.locale} if truthy(params.get("include_locale")) else {}
        return {
            "user": {
                **locale,
                "id": user.id,
                "team_id": self.team_id,
                "name": user.name,
                "real_name": user.real_name,
                "tz": user.tz,
                "tz_label": now.tzname(),
                "tz_offset": int(offset.total_seconds()) if offset else 0,
                "is_restricted": user.is_restricted,
                "is_ultra_restricted": False,
                "is_admin": user.is_admin,
                "is_bot": user_id == self.bot_user_id,
                "deleted": False,
                "profile": {"display_name": user.name, "real_name": user.real_name},
            }
        }

    def _views_open(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        view = self._checked_view(params, "modal")
        stored = self.forms.open(view, self.forms.consume_trigger(str(params.get("trigger_id") or "")))
        out.append(self._view_delivery("view_open", stored, params))
        return {"view": copy.deepcopy(stored)}

    def _views_push(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        view = self._checked_view(params, "modal")
        stored = self.forms.push(view, self.forms.consume_trigger(str(params.get("trigger_id") or "")))
        out.append(self._view_delivery("view_push", stored, params))
        return {"view": copy.deepcopy(stored)}

    def _views_update(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        current = self.forms.current(params.get("view_id"), params.get("external_id"), params.get("hash"))
        stored = self.forms.update(current, self._checked_view(params, current["type"]))
        out.append(self._view_delivery("view_update", stored, params))
        return {"view": copy.deepcopy(stored)}

    def _views_publish(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        user = str(params.get("user_id") or "")
        if not user:
            raise ApiError("invalid_arguments", response_metadata={"messages": ["[ERROR] missing user_id"]})
        stored = self.forms.publish(self._checked_view(params, "home"), user, params.get("hash"))
        delivery = self._view_delivery("home", stored, params)
        delivery.channel = self.im_channel(user)
        out.append(delivery)
        return {"view": copy.deepcopy(stored)}

    def _files_get_upload_url(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        if not params.get("filename") or not str(params.get("length", "")).isdigit():
            reason = "[ERROR] must provide a filename and its length in bytes [json-pointer:/length]"
            raise ApiError("invalid_arguments", response_metadata={"messages": [reason]})
        file_id = self._next_id("F")
        self._uploads[file_id] = {
            "name": params["filename"],
            "length": int(params["length"]),
            "content": None,
        }
        return {"upload_url": f"{self.root_url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        entries = params.get("files")
        if not isinstance(entries, list) or not entries:
            raise ApiError("invalid_arguments")
        channel = self._resolve_channel(str(params["channel_id"])) if params.get("channel_id") else None
        if any(self._uploads.get(str(e.get("id")), {}).get("content") is None for e in entries):
            raise ApiError("file_not_found")
        if params.get("initial_comment"):
            self.judge(check_message({"text": params["initial_comment"]}))
        answered = []
        for entry in entries:
            # The upload is kept: completing it again shares the file again, so a client that
            # completes once more after losing the answer posts the file twice, as it may in Slack.
            upload = self._uploads[entry["id"]]
            title = entry.get("title") or upload["name"]
            self.files[entry["id"]] = {
                "name": upload["name"],
                "title": title,
                "content": upload["content"],
                "channel": channel,
            }
            shared = {"id": entry["id"], "name": upload["name"], "title": title}
            ts = None
            if channel is not None:  # the share is a message of the channel's history, as in Slack
                message = self._store_bot_message(
                    channel, {"text": params.get("initial_comment"), "thread_ts": params.get("thread_ts")}
                )
                message.update(files=[shared], upload=True)
                ts = message["ts"]
            raw = {**params, "file_id": entry["id"], "filename": upload["name"], "title": title}
            delivery = self._delivery("file", channel, None, ts, raw)
            delivery.text = params.get("initial_comment")
            delivery.raw["content"] = upload["content"]
            out.append(delivery)
            answered.append({**shared, "size": len(upload["content"])})
        return {"files": answered}
