"""A local emulator of the Slack Web API, for offline use and tests: a server, faults and limits."""

from __future__ import annotations

import copy
import json
import logging
import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.localslack.blockkit import check_answer_body
from bot.localslack.records import (
    LOST_ANSWER_WAYS,
    AnswerDropped,
    Fault,
    LostAnswer,
    decode_params,
    truthy,
)
from bot.localslack.records import (
    ApiCall as ApiCall,
)
from bot.localslack.records import (
    ApiError as ApiError,
)
from bot.localslack.records import (
    Delivery as Delivery,
)
from bot.localslack.records import (
    LocalUser as LocalUser,
)
from bot.localslack.socket_mode import APP_TOKEN, CONNECTIONS_OPEN, SocketModeServer
from bot.localslack.webapi import WebApi

logger = logging.getLogger(__name__)


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
        try:
            status, headers, payload = self.server.emulator.handle_http(self.path, dict(self.headers), body)
        except AnswerDropped:
            self.close_connection = True  # the client reads the end of the stream instead of an answer
            return
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class SlackEmulator(WebApi):
    """Emulate the Slack Web API of one workspace on a local HTTP server, and its Socket Mode."""

    _server: _Server | None = None
    _thread: threading.Thread | None = None
    _socket_mode: SocketModeServer | None = None
    app_token = APP_TOKEN  # the app-level token, which apps.connections.open takes instead of the bot's
    _app_token_revoked = False

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
        """Stop serving (Socket Mode too) and release the ports."""
        if self._socket_mode is not None:
            self._socket_mode.stop()
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

    @property
    def socket_mode(self) -> SocketModeServer:
        """Return the workspace's Socket Mode server, which listens from the first apps.connections.open."""
        with self._lock:
            if self._socket_mode is None:
                self._socket_mode = SocketModeServer(app_id=self.app_id)
            return self._socket_mode

    def revoke_app_token(self) -> None:
        """Refuse the app-level token from now on, as Slack does once it is revoked."""
        with self._lock:
            self._app_token_revoked = True

    # workspace state

    def add_user(self, user: LocalUser) -> None:
        """Add or replace a person of the workspace."""
        with self._lock:
            self.users[user.id] = user

    def add_channel(self, channel_id: str, name: str) -> None:
        """Give a channel a human-readable name."""
        with self._lock:
            self.channel_names[channel_id] = name

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
            return self.forms.new_trigger(user_id, trigger)

    def response_url(self, *, channel: str, user: str, message_ts: str | None = None) -> str:
        """Issue a response URL for an interaction in `channel` by `user`."""
        token = secrets.token_urlsafe(12)
        with self._lock:
            self._response_urls[token] = (self._resolve_channel(channel), user, message_ts)
        return f"{self.root_url}/respond/{token}"

    def view(self, view_id: str) -> dict[str, Any]:
        """Return the current state of an open modal or published home view."""
        with self._lock:
            return copy.deepcopy(self.forms.views[view_id])

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """Return the home view published for a user, if any."""
        with self._lock:
            view_id = self.forms.homes.get(user_id)
            return copy.deepcopy(self.forms.views[view_id]) if view_id else None

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Return a channel's current history, oldest first, replies included."""
        keys = ("ts", "text", "blocks", "user", "metadata", "thread_ts", "bot_id", "files")
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
            self._faults.setdefault(method, deque()).append(Fault(status, count, retry_after, error))

    def go_down(self, seconds: float, *, status: int = 503) -> None:
        """Answer every Web API call and response URL with HTTP `status` for the next `seconds`."""
        with self._lock:
            self._down = (time.monotonic() + seconds, status)

    def fail_for(
        self, methods: str | Iterable[str], seconds: float, *, status: int = 500, error: str | None = None
    ) -> None:
        """Answer the calls of `methods` (one name or several) with HTTP `status` for the next `seconds`.

        The other methods, and response URLs, go on working: a partial outage. Failed calls are
        not performed and count against no rate limit.
        """
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        names = [methods] if isinstance(methods, str) else list(methods)
        with self._lock:
            until = time.monotonic() + seconds
            for method in names:
                self._failing[method] = (until, status, error)

    def lose_answer(self, method: str, count: int = 1, how: str = "500", *, channel: str | None = None) -> None:
        """Perform the next `count` calls of `method` as Slack would, then lose their answers.

        The message is stored and the delivery recorded, as if Slack took the call; then the
        client gets HTTP 500 (`how="500"`) or the connection is closed without an answer
        (`how="drop"`). With `channel`, only calls to that channel (a user ID stands for their
        direct messages) are taken. Calls refused before they are performed (`fail_next`,
        `fail_for`, `go_down`, a rate limit) do not use it up. Each call records what happened
        in `ApiCall.lost` and the answer the client never saw in `ApiCall.lost_answer`.
        """
        if how not in LOST_ANSWER_WAYS:
            raise ValueError(f"how must be one of {', '.join(LOST_ANSWER_WAYS)}")
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            target = self._resolve_channel(channel) if channel else None
            self._lost.setdefault(method, deque()).append(LostAnswer(how, count, target))

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
        except AnswerDropped:
            raise
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
        params = decode_params(raw)
        auth = lower.get("authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else params.pop("token", None)
        params.pop("token", None)
        call = ApiCall(method=method, params=params, token=token, at=time.monotonic())
        out: list[Delivery] = []
        headers_out = {"Content-Type": "application/json; charset=utf-8"}
        lost: LostAnswer | None = None
        with self._lock:
            self.calls.append(call)
            fault = self._outage() or self._method_failing(method) or self._take_fault(method)
            if fault is not None:
                call.status = fault.status
                default_error = "ratelimited" if fault.status == 429 else "internal_error"
                answer: dict[str, Any] = {"ok": False, "error": fault.error or default_error}
                if fault.retry_after is not None:
                    headers_out["Retry-After"] = str(fault.retry_after)
            elif token is None:
                answer = {"ok": False, "error": "not_authed"}
            elif method == CONNECTIONS_OPEN:
                answer = self._apps_connections_open(token)
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
                lost = self._take_lost(method, params)
            call.response = answer
            if lost is not None:
                call.lost, call.lost_answer = lost.how, answer
                if lost.how == "drop":
                    call.status, call.response = 0, None
                else:
                    call.status, answer = 500, {"ok": False, "error": "internal_error"}
                    call.response = answer
            self.deliveries.extend(out)
        self._notify(out)
        if lost is not None and lost.how == "drop":
            raise AnswerDropped(method)
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
            try:
                self.judge(check_answer_body(body or b"{}"))
            except ApiError as refused:
                answer = {"ok": False, "error": refused.error, **refused.extra}
                return 400, {"Content-Type": "application/json"}, json.dumps(answer).encode()
            history = self._history.setdefault(channel, [])
            original = next((m for m in history if m["ts"] == message_ts), None)
            ts: str | None = None
            if truthy(payload.get("delete_original")):
                if original is not None:
                    history.remove(original)
                ts = message_ts
            elif truthy(payload.get("replace_original")):
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

    def _apps_connections_open(self, token: str) -> dict[str, Any]:
        """apps.connections.open: a WebSocket URL for Socket Mode, for the app-level token only."""
        if token != self.app_token:
            return {"ok": False, "error": "invalid_auth"}
        if self._app_token_revoked:
            return {"ok": False, "error": "token_revoked"}
        return {"ok": True, "url": self.socket_mode.open_url()}

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

    def _outage(self) -> Fault | None:
        until, status = self._down
        return Fault(status, 1, None, "service_unavailable") if time.monotonic() < until else None

    def _method_failing(self, method: str) -> Fault | None:
        until, status, error = self._failing.get(method, (0.0, 500, None))
        return Fault(status, 1, None, error) if time.monotonic() < until else None

    def _take_lost(self, method: str, params: dict[str, Any]) -> LostAnswer | None:
        """The lost-answer fault this performed call uses up, if one waits for it."""
        queue = self._lost.get(method)
        if not queue:
            return None
        target = params.get("channel") or params.get("channel_id")
        channel = self._resolve_channel(str(target)) if target else None
        for lost in queue:
            if lost.channel is None or lost.channel == channel:
                lost.remaining -= 1
                if lost.remaining <= 0:
                    queue.remove(lost)
                return lost
        return None

    def _take_fault(self, method: str) -> Fault | None:
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
