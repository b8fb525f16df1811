"""A local emulator of the Slack Web API, for offline use and tests."""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

JSON_PARAMS = frozenset({"blocks", "view", "metadata", "files", "attachments"})
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT_CHARS = 40_000
MAX_TITLE_CHARS = 24
MAX_VIEW_STACK = 3
TRIGGER_TTL_SECONDS = 3.0
APP_ID = "A0LOCAL"


@dataclass
class LocalUser:
    """A person of the emulated workspace."""

    id: str
    name: str
    real_name: str
    tz: str = "Europe/Madrid"
    is_restricted: bool = False
    is_admin: bool = False


@dataclass
class ApiCall:
    """One Web API call as the emulator received it."""

    method: str
    params: dict[str, Any]
    token: str | None
    at: float
    status: int = 200
    response: dict[str, Any] | None = None


@dataclass
class Delivery:
    """Something a person would see appear in Slack."""

    kind: str
    channel: str | None = None
    user: str | None = None
    ts: str | None = None
    text: str | None = None
    blocks: list[Any] | None = None
    view: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    thread_ts: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


class ApiError(Exception):
    """A Web API error answer: {"ok": false, "error": ...}."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class _Fault:
    status: int
    remaining: int
    retry_after: int | None
    error: str | None


def _truthy(value: Any) -> bool:
    return str(value).lower() in {"1", "true", "yes"}


def _decode_params(raw: dict[str, Any]) -> dict[str, Any]:
    params = dict(raw)
    for key in JSON_PARAMS & params.keys():
        value = params[key]
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params


def _view_errors(view: Any, expected_type: str) -> list[str]:
    if not isinstance(view, dict):
        return ["[ERROR] must provide an object [json-pointer:/view]"]
    errors = []
    if view.get("type") != expected_type:
        errors.append(f"[ERROR] must be '{expected_type}' [json-pointer:/view/type]")
    if expected_type == "modal":
        title = view.get("title")
        if not isinstance(title, dict) or title.get("type") != "plain_text":
            errors.append("[ERROR] must provide a plain_text object [json-pointer:/view/title]")
        elif len(str(title.get("text", ""))) > MAX_TITLE_CHARS:
            errors.append(f"[ERROR] must be at most {MAX_TITLE_CHARS} characters [json-pointer:/view/title/text]")
    blocks = view.get("blocks", [])
    if not isinstance(blocks, list):
        errors.append("[ERROR] must provide an array [json-pointer:/view/blocks]")
    elif len(blocks) > MAX_VIEW_BLOCKS:
        errors.append(f"[ERROR] no more than {MAX_VIEW_BLOCKS} items allowed [json-pointer:/view/blocks]")
    return errors


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    emulator: SlackEmulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("emulator: " + format, *args)

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, payload = self.server.emulator.handle_http(self.path, dict(self.headers), body)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class SlackEmulator:
    """Emulate the Slack Web API of one workspace on a local HTTP server."""

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
        self.deliveries: list[Delivery] = []
        self.files: dict[str, dict[str, Any]] = {}
        self.channel_names: dict[str, str] = {}
        self._lock = threading.RLock()
        self._subscribers: list[Callable[[Delivery], None]] = []
        self._history: dict[str, list[dict[str, Any]]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._view_owner: dict[str, str] = {}
        self._view_stacks: dict[str, list[str]] = {}
        self._home_views: dict[str, str] = {}
        self._triggers: dict[str, tuple[str, float]] = {}
        self._used_triggers: set[str] = set()
        self._response_urls: dict[str, tuple[str, str, str | None]] = {}
        self._uploads: dict[str, dict[str, Any]] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._down: tuple[float, int] = (0.0, 503)  # (until, status): see go_down
        self._rate_limits: dict[str, float] = {}
        self._last_accepted: dict[tuple[str, str], float] = {}
        self._method_limits: dict[str, tuple[int, float]] = {}  # method: (calls, per window of seconds)
        self._accepted: dict[str, deque[float]] = {}  # method: when its calls within the window were accepted
        self._last_ts = (0, 0)
        self._seq = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
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

    # lifecycle

    def start(self) -> SlackEmulator:
        """Start serving on 127.0.0.1 on a free port in a daemon thread."""
        if self._server is None:
            self._server = _Server(("127.0.0.1", 0), _Handler)
            self._server.emulator = self
            self._thread = threading.Thread(
                target=self._server.serve_forever, args=(0.05,), name="slack-emulator", daemon=True
            )
            self._thread.start()
            logger.debug("Slack emulator listening on %s", self.root_url)
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        """Return the server's root URL, without trailing slash."""
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        """Return the Web API base URL for WebClient(base_url=...)."""
        return f"{self.root_url}/api/"

    # workspace state

    def add_user(self, user: LocalUser) -> None:
        """Add or replace a person of the workspace."""
        with self._lock:
            self.users[user.id] = user

    def add_channel(self, channel_id: str, name: str) -> None:
        """Give a channel a human-readable name."""
        with self._lock:
            self.channel_names[channel_id] = name

    def channel_name(self, channel_id: str) -> str:
        """Return a channel's name ("directmessage" for DMs)."""
        if channel_id.startswith("D"):
            return "directmessage"
        return self.channel_names.get(channel_id, channel_id.lower())

    def im_channel(self, user_id: str) -> str:
        """Return the DM channel id between the bot and a user."""
        return "D" + user_id

    def subscribe(self, callback: Callable[[Delivery], None]) -> None:
        """Call `callback` from the server thread on each new delivery."""
        with self._lock:
            self._subscribers.append(callback)

    def calls_to(self, method: str) -> list[ApiCall]:
        """Return the recorded calls of one Web API method."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def new_trigger_id(self, user_id: str) -> str:
        """Issue a trigger id, valid once within 3 seconds."""
        with self._lock:
            self._seq += 1
            trigger = f"{int(time.time())}{self._seq}.{self._seq:09d}.{secrets.token_hex(10)}"
            self._triggers[trigger] = (user_id, time.monotonic())
            return trigger

    def response_url(self, *, channel: str, user: str, message_ts: str | None = None) -> str:
        """Issue a response URL for an interaction in `channel` by `user`."""
        token = secrets.token_urlsafe(12)
        with self._lock:
            self._response_urls[token] = (self._resolve_channel(channel), user, message_ts)
        return f"{self.root_url}/respond/{token}"

    def view(self, view_id: str) -> dict[str, Any]:
        """Return the current state of an open modal or published home view."""
        with self._lock:
            return copy.deepcopy(self._views[view_id])

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """Return the home view published for a user, if any."""
        with self._lock:
            view_id = self._home_views.get(user_id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Return a channel's current history, oldest first, replies included."""
        keys = ("ts", "text", "blocks", "user", "metadata", "thread_ts", "bot_id")
        with self._lock:
            history = self._history.get(self._resolve_channel(channel), [])
            return [{k: copy.deepcopy(m.get(k)) for k in keys} for m in history]

    def post_user_message(self, channel: str, user: str, text: str, *, thread_ts: str | None = None) -> str:
        """Record a message written by a person and return its ts."""
        with self._lock:
            ts = self._next_ts()
            message = {"type": "message", "ts": ts, "user": user, "text": text, "team": self.team_id}
            if thread_ts:
                message["thread_ts"] = thread_ts
            self._history.setdefault(self._resolve_channel(channel), []).append(message)
            return ts

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Poll `predicate` every 5 ms until it holds or `timeout` passes."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)
        return True

    # fault injection

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        count: int = 1,
        retry_after: int | None = None,
        error: str | None = None,
    ) -> None:
        """Make the next `count` calls of `method` fail with HTTP `status`."""
        with self._lock:
            self._faults.setdefault(method, deque()).append(_Fault(status, count, retry_after, error))

    def go_down(self, seconds: float, *, status: int = 503) -> None:
        """Answer every Web API call and response URL with HTTP `status` for the next `seconds`."""
        with self._lock:
            self._down = (time.monotonic() + seconds, status)

    def set_rate_limit(
        self, method: str, *, per_channel_per_second: float | None = None, per_second: float | None = None
    ) -> None:
        """Answer 429 (Retry-After) to calls of `method` that come faster than the given rates.

        `per_channel_per_second` spaces the calls to any one channel at least 1/rate apart.
        `per_second` limits the calls across all channels, as Slack's workspace-wide limits do:
        a rolling window of ceil(rate)/rate seconds (one second for a whole rate) admits ceil(rate)
        calls, so short bursts pass but the rate over any window does not exceed the given one.
        A rate left None is not limited (so calling with neither lifts both). Calls answered 429,
        or failed by `fail_next`, count against neither limit.
        """
        if per_channel_per_second is not None and per_channel_per_second <= 0:
            raise ValueError("per_channel_per_second must be positive")
        if per_second is not None and per_second <= 0:
            raise ValueError("per_second must be positive")
        with self._lock:
            self._rate_limits.pop(method, None)
            self._method_limits.pop(method, None)
            self._accepted.pop(method, None)
            if per_channel_per_second is not None:
                self._rate_limits[method] = 1.0 / per_channel_per_second
            if per_second is not None:
                calls = math.ceil(per_second)
                self._method_limits[method] = (calls, calls / per_second)

    # HTTP entry point

    def handle_http(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        """Answer one HTTP request: (status, headers, body)."""
        url = urlsplit(path)
        kind, _, rest = url.path.lstrip("/").partition("/")
        try:
            if kind == "api":
                return self._handle_api(rest, url.query, headers, body)
            if kind == "respond":
                return self._handle_response_url(rest, body)
            if kind == "upload":
                return self._handle_upload(rest, body)
        except Exception:
            logger.exception("emulator failed on %s", path)
            return 500, {"Content-Type": "text/plain"}, b"emulator error"
        return 404, {"Content-Type": "text/plain"}, b"not found"

    def _handle_api(
        self, method: str, query: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        lower = {k.lower(): v for k, v in headers.items()}
        raw: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        if body:
            if "json" in lower.get("content-type", ""):
                raw.update(json.loads(body))
            else:
                raw.update({k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()})
        params = _decode_params(raw)
        auth = lower.get("authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else params.pop("token", None)
        params.pop("token", None)
        call = ApiCall(method=method, params=params, token=token, at=time.monotonic())
        out: list[Delivery] = []
        headers_out = {"Content-Type": "application/json; charset=utf-8"}
        with self._lock:
            self.calls.append(call)
            fault = self._outage() or self._take_fault(method)
            if fault is not None:
                call.status = fault.status
                default_error = "ratelimited" if fault.status == 429 else "internal_error"
                answer: dict[str, Any] = {"ok": False, "error": fault.error or default_error}
                if fault.retry_after is not None:
                    headers_out["Retry-After"] = str(fault.retry_after)
            elif token is None:
                answer = {"ok": False, "error": "not_authed"}
            elif token != self.bot_token:
                answer = {"ok": False, "error": "invalid_auth"}
            elif method not in self._methods:
                answer = {"ok": False, "error": "unknown_method"}
            elif (retry_after := self._rate_limited(method, params)) is not None:
                call.status = 429
                headers_out["Retry-After"] = str(retry_after)
                answer = {"ok": False, "error": "ratelimited"}
            else:
                try:
                    answer = {"ok": True, **self._methods[method](params, out)}
                except ApiError as exc:
                    answer = {"ok": False, "error": exc.error, **exc.extra}
            call.response = answer
            self.deliveries.extend(out)
        self._notify(out)
        return call.status, headers_out, json.dumps(answer).encode()

    def _handle_response_url(self, token: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        out: list[Delivery] = []
        with self._lock:
            if (outage := self._outage()) is not None:
                return outage.status, {"Content-Type": "text/plain"}, b"service unavailable"
            target = self._response_urls.get(token)
            if target is None:
                return 404, {"Content-Type": "text/plain"}, b"no_such_response_url"
            channel, user, message_ts = target
            payload = json.loads(body or b"{}")
            history = self._history.setdefault(channel, [])
            original = next((m for m in history if m["ts"] == message_ts), None)
            ts: str | None = None
            if _truthy(payload.get("delete_original")):
                if original is not None:
                    history.remove(original)
                ts = message_ts
            elif _truthy(payload.get("replace_original")):
                if original is not None:
                    original.update(text=payload.get("text", ""), blocks=payload.get("blocks"))
                ts = message_ts
            elif payload.get("response_type") == "in_channel":
                ts = self._store_bot_message(channel, payload)["ts"]
            delivery_user = None if payload.get("response_type") == "in_channel" else user
            out.append(self._delivery("response", channel, delivery_user, ts, payload))
            self.deliveries.extend(out)
        self._notify(out)
        return 200, {"Content-Type": "text/plain"}, b"ok"

    def _handle_upload(self, file_id: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            upload = self._uploads.get(file_id)
            if upload is None:
                return 404, {"Content-Type": "text/plain"}, b"unknown upload"
            upload["content"] = body
        return 200, {"Content-Type": "text/plain"}, f"OK - {len(body)}".encode()

    # helpers (called with the lock held)

    def _notify(self, deliveries: list[Delivery]) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for delivery in deliveries:
            for callback in subscribers:
                try:
                    callback(delivery)
                except Exception:
                    logger.exception("delivery subscriber failed")

    def _outage(self) -> _Fault | None:
        until, status = self._down
        return _Fault(status, 1, None, "service_unavailable") if time.monotonic() < until else None

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.popleft()
        return fault

    def _rate_limited(self, method: str, params: dict[str, Any]) -> int | None:
        """The Retry-After seconds if a limit set on `method` refuses this call; else record it and None."""
        interval = self._rate_limits.get(method)
        limit = self._method_limits.get(method)
        if interval is None and limit is None:
            return None
        now = time.monotonic()
        key = (method, self._resolve_channel(str(params.get("channel", ""))))
        last = self._last_accepted.get(key)
        if interval is not None and last is not None and now - last < interval:
            return 1
        if limit is not None:
            calls, window = limit
            accepted = self._accepted.setdefault(method, deque())
            while accepted and now - accepted[0] >= window:
                accepted.popleft()
            if len(accepted) >= calls:
                return max(1, math.ceil(window - (now - accepted[0])))
            accepted.append(now)
        if interval is not None:
            self._last_accepted[key] = now
        return None

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
        blocks = params.get("blocks")
        if not params.get("text") and not blocks and not params.get("attachments"):
            raise ApiError("no_text")
        if blocks is not None and (not isinstance(blocks, list) or len(blocks) > MAX_MESSAGE_BLOCKS):
            raise ApiError("invalid_blocks")
        if len(str(params.get("text") or "")) > MAX_TEXT_CHARS:
            raise ApiError("msg_too_long")

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

    def _view_delivery(self, kind: str, view_id: str, params: dict[str, Any]) -> Delivery:
        view = copy.deepcopy(self._views[view_id])
        return Delivery(kind=kind, user=self._view_owner.get(view_id), view=view, blocks=view.get("blocks"), raw=params)

    def _consume_trigger(self, params: dict[str, Any]) -> str:
        trigger = str(params.get("trigger_id") or "")
        issued = self._triggers.pop(trigger, None)
        if issued is None:
            raise ApiError("expired_trigger_id" if trigger in self._used_triggers else "invalid_trigger_id")
        user, created = issued
        self._used_triggers.add(trigger)
        if time.monotonic() - created > TRIGGER_TTL_SECONDS:
            raise ApiError("expired_trigger_id")
        return user

    def _checked_view(self, params: dict[str, Any], expected_type: str) -> dict[str, Any]:
        view = params.get("view")
        errors = _view_errors(view, expected_type)
        if errors:
            raise ApiError("invalid_arguments", response_metadata={"messages": errors})
        assert isinstance(view, dict)
        return view

    def _store_view(self, view: dict[str, Any], owner: str, *, view_id: str | None = None) -> dict[str, Any]:
        previous = self._views.get(view_id) if view_id else None
        view_id = view_id or self._next_id("V")
        stored: dict[str, Any] = {
            "callback_id": "",
            "private_metadata": "",
            "external_id": "",
            "clear_on_close": False,
            "notify_on_close": False,
            "root_view_id": view_id,
            "previous_view_id": None,
            **({k: previous[k] for k in ("root_view_id", "previous_view_id")} if previous else {}),
            **copy.deepcopy(view),
            "id": view_id,
            "team_id": self.team_id,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "state": {"values": {}},
        }
        self._views[view_id] = stored
        self._view_owner[view_id] = owner
        return stored

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
        inclusive = _truthy(params.get("inclusive"))
        limit = int(params.get("limit") or 100)
        with_metadata = _truthy(params.get("include_all_metadata"))
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
        return {
            "user": {
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
        user = self._consume_trigger(params)
        stored = self._store_view(view, user)
        self._view_stacks[user] = [stored["id"]]
        out.append(self._view_delivery("view_open", stored["id"], params))
        return {"view": copy.deepcopy(stored)}

    def _views_push(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        view = self._checked_view(params, "modal")
        user = self._consume_trigger(params)
        stack = self._view_stacks.setdefault(user, [])
        if len(stack) >= MAX_VIEW_STACK:
            raise ApiError("push_limit_reached")
        stored = self._store_view(view, user)
        if stack:
            stored["root_view_id"], stored["previous_view_id"] = stack[0], stack[-1]
        stack.append(stored["id"])
        out.append(self._view_delivery("view_push", stored["id"], params))
        return {"view": copy.deepcopy(stored)}

    def _views_update(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        view_id = params.get("view_id")
        if not view_id and params.get("external_id"):
            view_id = next((v["id"] for v in self._views.values() if v["external_id"] == params["external_id"]), None)
        current = self._views.get(str(view_id))
        if current is None:
            raise ApiError("not_found")
        if params.get("hash") and params["hash"] != current["hash"]:
            raise ApiError("hash_conflict")
        view = self._checked_view(params, current["type"])
        stored = self._store_view(view, self._view_owner[current["id"]], view_id=current["id"])
        out.append(self._view_delivery("view_update", stored["id"], params))
        return {"view": copy.deepcopy(stored)}

    def _views_publish(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        user = str(params.get("user_id") or "")
        if not user:
            raise ApiError("invalid_arguments", response_metadata={"messages": ["[ERROR] missing user_id"]})
        view = self._checked_view(params, "home")
        current_id = self._home_views.get(user)
        if current_id and params.get("hash") and params["hash"] != self._views[current_id]["hash"]:
            raise ApiError("hash_conflict")
        stored = self._store_view(view, user, view_id=current_id)
        self._home_views[user] = stored["id"]
        delivery = self._view_delivery("home", stored["id"], params)
        delivery.channel = self.im_channel(user)
        out.append(delivery)
        return {"view": copy.deepcopy(stored)}

    def _files_get_upload_url(self, params: dict[str, Any], out: list[Delivery]) -> dict[str, Any]:
        if not params.get("filename") or params.get("length") in (None, ""):
            raise ApiError("invalid_arguments")
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
        answered = []
        for entry in entries:
            upload = self._uploads.pop(entry["id"])
            title = entry.get("title") or upload["name"]
            self.files[entry["id"]] = {
                "name": upload["name"],
                "title": title,
                "content": upload["content"],
                "channel": channel,
            }
            raw = {**params, "file_id": entry["id"], "filename": upload["name"], "title": title}
            delivery = self._delivery("file", channel, None, None, raw)
            delivery.text = params.get("initial_comment")
            delivery.raw["content"] = upload["content"]
            out.append(delivery)
            answered.append({"id": entry["id"], "name": upload["name"], "title": title, "size": len(upload["content"])})
        return {"files": answered}
