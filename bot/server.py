"""The HTTP side: Slack's requests at /slack/events, the health check, the metrics and the calendar feed."""

from __future__ import annotations

import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qs, parse_qsl

from cheroot import wsgi
from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request.internals import build_context, build_normalized_headers, extract_content_type
from slack_sdk.signature import SignatureVerifier

from bot.config import CALENDAR_PATH
from bot.edge import PROBLEM_LIMIT, request_problem
from bot.metrics import OTHER_PATH, Metrics, slack_request_kind

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
MAX_BODY_BYTES = 1_000_000  # Slack's largest payloads (big modal states) stay far below this
SERVER_THREADS = 16
WAKE_SECONDS = 0.1  # how soon the server's connection loop sees a stop (cheroot's own is 0.5 s)
MAX_SIGNATURE_AGE = 5 * 60  # seconds either side of now that Slack's signed timestamp may be
OTHER_KIND = "other"  # the kind counted for a request whose body was not read

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _answer(
    start_response: StartResponse, status: str, body: dict[str, Any], headers: Iterable[tuple[str, str]] = ()
) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data))), *headers])
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


class MeteredSlackHandler(SlackRequestHandler):
    """Bolt's WSGI adapter behind the edge's checks, counting each request by kind and status and timing it.

    The signature is checked on the raw body before anything reads it: unsigned or stale, 401. A signed body
    that is not of a shape Slack sends (bot.edge) is refused with 400 and one line in the log, as is any
    request that Bolt cannot take in. Bolt then checks the signature again, as it always does.
    """

    def __init__(
        self, app: App, metrics: Metrics | None, *, path: str = EVENTS_PATH, signing_secret: str | None = None
    ) -> None:
        super().__init__(app, path=path)
        self._metrics = metrics
        # The app's own secret unless one is given (Bolt keeps it for its own check of the same signature).
        secret = getattr(app, "_signing_secret", "") if signing_secret is None else signing_secret
        # With no secret nothing can be verified, so every request is refused, as Bolt would.
        self._verifier = SignatureVerifier(secret) if isinstance(secret, str) and secret.strip() else None

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        """Check the request at the edge and hand it to Bolt, timing it from the first byte read."""
        started = time.perf_counter()
        kind, response = self._answer(request)
        if self._metrics is not None:
            self._metrics.slack_request(kind, response.status, time.perf_counter() - started)
        return response

    def _answer(self, request: WsgiHttpRequest) -> tuple[str, BoltResponse]:
        """The request's kind (for the metrics) and the answer to it."""
        headers = request.get_headers()
        try:
            raw: str | None = request.get_body()
        except ValueError:  # not UTF-8, or a Content-Length that is no number: nothing Slack signed
            raw = None
        unsigned = self._unsigned(raw, headers)
        if unsigned is not None or raw is None:
            said = "its signature is over five minutes old or ahead" if unsigned == "stale" else "no valid signature"
            logger.info("refused a request to %s: %s", self.path, said)
            return OTHER_KIND, self._refuse(401, unsigned or "unsigned")
        body: Any = {}
        try:
            body = read_body(raw, extract_content_type(build_normalized_headers(headers)))
        except (ValueError, RecursionError):  # not JSON, or nested deeper than any payload Slack sends
            problem: str | None = "the body is not JSON"
        else:
            problem = request_problem(body)
        kind = slack_request_kind(body) if isinstance(body, dict) else OTHER_KIND
        if problem is not None:
            logger.warning("refused a signed request to %s: %s", self.path, problem)
            return kind, self._refuse(400, "malformed")
        try:
            bolt_request = BoltRequest(body=raw, query=request.query_string, headers=headers)
            if bolt_request.body != body:  # Bolt misread it (see read_body): it gets the body as Slack sent it
                bolt_request.body = body
                bolt_request.context = build_context(BoltContext({}), body)
            response = self.app.dispatch(bolt_request)
        except Exception as error:  # the shape check lets nothing through that Bolt fails on; should it, 400
            logger.warning("refused a signed request to %s that Bolt could not take in: %s", self.path, _said(error))
            return kind, self._refuse(400, "malformed")
        return kind, response

    def _unsigned(self, raw: str | None, headers: Mapping[str, object]) -> str | None:
        """Why the request is not known to come from Slack ("unsigned" or "stale"), or None when it is."""
        timestamp, signature = headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
        if self._verifier is None or raw is None or not isinstance(timestamp, str) or not isinstance(signature, str):
            return "unsigned"
        try:
            sent_at = int(timestamp)
        except ValueError:
            return "unsigned"
        if self._verifier.is_valid(raw, timestamp, signature):
            return None
        return "stale" if abs(self._verifier.clock.now() - sent_at) > MAX_SIGNATURE_AGE else "unsigned"

    def _refuse(self, status: int, reason: str) -> BoltResponse:
        if self._metrics is not None:
            self._metrics.slack_refused(reason)
        said = "invalid request" if status == 401 else "malformed request"
        return BoltResponse(
            status=status, body=json.dumps({"error": said}), headers={"content-type": "application/json;charset=utf-8"}
        )


def read_body(raw: str, content_type: str | None) -> Any:
    """A request's body as Slack sent it: JSON, an interaction's `payload` field, or a slash command's form.

    Bolt takes any form body with the word "payload" in it for an interaction, so a command such as
    `/practice search payload formats` would reach no listener; a form is an interaction only when
    `payload` is one of its fields.
    """
    if not raw:
        return {}
    if content_type == "application/json" or raw.startswith("{"):
        return json.loads(raw)
    fields = dict(parse_qsl(raw, keep_blank_values=True))
    return json.loads(fields["payload"]) if "payload" in fields else fields


def _said(error: BaseException) -> str:
    """An error in one short line: its class and the first line of its message."""
    first = (str(error).strip().splitlines() or [""])[0]
    line = f"{error.__class__.__name__}: {first}" if first else error.__class__.__name__
    return line if len(line) <= PROBLEM_LIMIT else line[: PROBLEM_LIMIT - 1] + "…"


class WebApp:
    """Routes requests: Slack's to Bolt, the health check, the metrics, the calendar feed, else 404.

    `healthy` says whether the store answers; in Socket Mode `slack_connected` says whether Slack has been
    heard over the connection lately. /healthz is 200 while both hold, else 503, and says which part fails.
    """

    def __init__(
        self,
        bolt: App | None,
        healthy: Callable[[], bool],
        *,
        calendar: Callable[[], bytes] | None = None,
        calendar_token: str = "",
        metrics: Metrics | None = None,
        metrics_token: str = "",
        signing_secret: str | None = None,
        slack_connected: Callable[[], bool] | None = None,
    ) -> None:
        self._slack = (
            MeteredSlackHandler(bolt, metrics, path=EVENTS_PATH, signing_secret=signing_secret)
            if bolt is not None
            else None
        )
        self._healthy = healthy
        self._slack_connected = slack_connected
        # The feed is served only with both a calendar and a token to guard it.
        self._calendar = calendar if calendar_token else None
        self._calendar_token = calendar_token.encode()
        self._metrics = metrics
        self._metrics_token = metrics_token.encode()
        # The paths served are counted by name; any other as "other", so that a scanner cannot add labels without end.
        served = {HEALTH_PATH: True, EVENTS_PATH: bolt is not None, METRICS_PATH: metrics is not None}
        served[CALENDAR_PATH] = self._calendar is not None
        self._known_paths = frozenset(path for path, on in served.items() if on)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == EVENTS_PATH and self._slack is not None and method == "POST":
            return self._slack(environ, start_response)  # counted by kind in tci_bot_slack_requests
        if self._metrics is None:
            return self._route(path, method, environ, start_response)
        statuses: list[str] = []

        def recording(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            statuses.append(status)
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        body = self._route(path, method, environ, recording)
        if statuses:
            label = path if path in self._known_paths else OTHER_PATH
            self._metrics.http_request(label, int(statuses[-1].split(" ", 1)[0]))
        return body

    def _route(self, path: str, method: str, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return self._serve_health(start_response)
        if path == EVENTS_PATH and self._slack is not None:
            return _answer(start_response, "405 Method Not Allowed", {"error": "POST only"})
        if path == METRICS_PATH and self._metrics is not None:
            return self._serve_metrics(self._metrics, environ, method, start_response)
        if path == CALENDAR_PATH and self._calendar is not None:
            return self._serve_calendar(self._calendar, environ, method, start_response)
        return _answer(start_response, "404 Not Found", {"error": "not found"})

    def _serve_health(self, start_response: StartResponse) -> Iterable[bytes]:
        """200 while every part is well, else 503; the body says how each part is."""
        parts = {"database": "ok" if self._healthy() else "unreachable"}
        if self._slack_connected is not None:
            parts["slack"] = "connected" if self._slack_connected() else "disconnected"
        if parts["database"] == "ok" and parts.get("slack", "connected") == "connected":
            return _answer(start_response, "200 OK", {"status": "ok", **parts})
        return _answer(start_response, "503 Service Unavailable", {"status": "unavailable", **parts})

    def _serve_metrics(
        self, metrics: Metrics, environ: dict[str, Any], method: str, start_response: StartResponse
    ) -> Iterable[bytes]:
        if method not in ("GET", "HEAD"):
            return _answer(start_response, "405 Method Not Allowed", {"error": "GET only"})
        if self._metrics_token:
            scheme, _, given = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), self._metrics_token):
                return _answer(
                    start_response,
                    "401 Unauthorized",
                    {"error": "a valid bearer token is required"},
                    [("WWW-Authenticate", 'Bearer realm="metrics"')],
                )
        body = metrics.exposition()
        start_response(
            "200 OK",
            [("Content-Type", CONTENT_TYPE_LATEST), ("Cache-Control", "no-store"), ("Content-Length", str(len(body)))],
        )
        return [body]

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

    def __init__(
        self,
        app: WsgiApp,
        *,
        host: str = "0.0.0.0",
        port: int = 3000,
        threads: int = SERVER_THREADS,
        share_port: bool = False,
    ):
        # With `share_port`, several processes bind the same port (SO_REUSEPORT) and the kernel spreads the
        # connections among them.
        self._server = wsgi.Server(
            (host, port),
            app,
            numthreads=threads,
            request_queue_size=128,
            shutdown_timeout=10,
            reuse_port=share_port,
        )
        self._server.max_request_body_size = MAX_BODY_BYTES
        self._server.expiration_interval = WAKE_SECONDS
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
