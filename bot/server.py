"""The HTTP side: Slack's requests at /slack/events, the health check and the calendar feed, on a threaded server."""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from cheroot import wsgi
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.config import CALENDAR_PATH

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1_000_000  # Slack's largest payloads (big modal states) stay far below this
SERVER_THREADS = 16

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _answer(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def _calendar(start_response: StartResponse, body: bytes) -> list[bytes]:
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/calendar; charset=utf-8"),
            ("Content-Disposition", 'inline; filename="meetings.ics"'),
            ("Cache-Control", "no-cache"),
            ("Content-Length", str(len(body))),
        ],
    )
    return [body]


class WebApp:
    """Routes requests: Slack's to Bolt, the health check to the store, the calendar feed, anything else 404."""

    def __init__(
        self,
        bolt: App | None,
        healthy: Callable[[], bool],
        *,
        calendar: Callable[[], bytes] | None = None,
        calendar_token: str = "",
    ) -> None:
        self._slack = SlackRequestHandler(bolt, path=EVENTS_PATH) if bolt is not None else None
        self._healthy = healthy
        # The feed is served only with both a calendar and a token to guard it.
        self._calendar = calendar if calendar_token else None
        self._calendar_token = calendar_token.encode()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            if self._healthy():
                return _answer(start_response, "200 OK", {"status": "ok"})
            return _answer(start_response, "503 Service Unavailable", {"status": "database unreachable"})
        if path == EVENTS_PATH and self._slack is not None:
            if method != "POST":
                return _answer(start_response, "405 Method Not Allowed", {"error": "POST only"})
            return self._slack(environ, start_response)
        if path == CALENDAR_PATH and self._calendar is not None:
            return self._serve_calendar(self._calendar, environ, method, start_response)
        return _answer(start_response, "404 Not Found", {"error": "not found"})

    def _serve_calendar(
        self, calendar: Callable[[], bytes], environ: dict[str, Any], method: str, start_response: StartResponse
    ) -> Iterable[bytes]:
        if method not in ("GET", "HEAD"):
            return _answer(start_response, "405 Method Not Allowed", {"error": "GET only"})
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        given = (query.get("token") or [""])[0].encode()
        if not hmac.compare_digest(given, self._calendar_token):
            logger.info("calendar feed refused: %s token", "wrong" if given else "no")
            return _answer(start_response, "403 Forbidden", {"error": "a valid token is required"})
        try:
            body = calendar()
        except Exception:
            logger.exception("could not build the calendar feed")
            return _answer(start_response, "500 Internal Server Error", {"error": "calendar unavailable"})
        return _calendar(start_response, body)


class HttpServer:
    """A multi-threaded WSGI server that finishes in-flight requests when stopped."""

    def __init__(self, app: WsgiApp, *, host: str = "0.0.0.0", port: int = 3000, threads: int = SERVER_THREADS):
        self._server = wsgi.Server((host, port), app, numthreads=threads, request_queue_size=128, shutdown_timeout=10)
        self._server.max_request_body_size = MAX_BODY_BYTES
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port the server listens on (the real one when 0 was asked for)."""
        return int(self._server.bind_addr[1])

    def start(self) -> None:
        """Bind the port and serve in a background thread."""
        self._server.prepare()
        self._thread = threading.Thread(target=self._server.serve, name="http", daemon=True)
        self._thread.start()
        logger.info("serving HTTP on port %s", self.port)

    def stop(self) -> None:
        """Stop accepting, let in-flight requests finish, and return."""
        self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=15)
