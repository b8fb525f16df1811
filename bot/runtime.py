"""The running bot: store ready, app built, HTTP or Socket Mode serving, scheduler ticking."""

from __future__ import annotations

import gc
import logging
import signal
import threading
import time
from concurrent.futures import Executor
from dataclasses import dataclass
from types import FrameType
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.app import create_app, make_client
from bot.clock import Clock, system_clock
from bot.config import CALENDAR_PATH, Settings
from bot.deps import Deps, build_deps
from bot.logs import SecretRedactor
from bot.metrics import Metrics, slack_request_kind
from bot.scheduler import Scheduler
from bot.server import HttpServer, WebApp
from bot.services.meetings import calendar_of
from store import migrate, schedule
from store import people as people_store
from store.db import is_reachable
from store.meetings import upcoming_meetings

logger = logging.getLogger(__name__)

FEED_LIMIT = 500  # meetings in the calendar feed at most
# What Slack answers a token it does not take: the token is wrong, revoked, or of another kind.
REFUSED_TOKEN_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "not_allowed_token_type"}
)


def _warm_up() -> None:
    """Build the index of cities if it is not on disk yet (once per install), so that no request waits for it."""
    from bot.language import places

    places.warm_up()


class StartupError(Exception):
    """The bot cannot start; the message says why and what to do."""


def prepare_store(deps: Deps) -> None:
    """Bring the store to the current schema (SQLite) or check it is there, and seed organisers."""
    settings = deps.settings
    if settings.is_sqlite:
        migrate.upgrade_if_behind(deps.engine)
    elif not is_reachable(deps.engine):
        raise StartupError(f"The database at {settings.database_label} is not answering: check DATABASE_URL.")
    elif not migrate.is_current(deps.engine):
        raise StartupError(
            f"The database is at revision {migrate.current_revision(deps.engine) or 'none'} but this version "
            f"needs {migrate.HEAD_REVISION}: run `tci-bot db upgrade` first."
        )
    with deps.sessions() as session:
        seeded = people_store.seed_organisers(session=session, slack_ids=settings.organiser_ids)
        organisers = people_store.list_organisers(session=session)
    if seeded:
        logger.info("organisers from ORGANISER_IDS: %s", ", ".join(seeded))
    if not organisers:
        logger.warning(
            "the group has no organiser, so nobody can add meetings or name organisers: set ORGANISER_IDS "
            "to the Slack member ID of the first (in Slack: their profile, ⋮, Copy member ID) and restart"
        )


def check_bot_token(client: WebClient) -> None:
    """Ask Slack whether it takes the bot token (auth.test): a refusal stops the start, an outage does not."""
    try:
        client.auth_test()
    except SlackApiError as error:
        problem = error.response.get("error")
        if problem in REFUSED_TOKEN_ERRORS:
            raise StartupError(
                f"Slack refused SLACK_BOT_TOKEN ({problem}): copy the Bot User OAuth Token (xoxb-...) again from "
                "the app's OAuth & Permissions page, and reinstall the app to the workspace if it was removed."
            ) from None
        logger.warning("Slack did not confirm the bot token at start (%s); starting anyway", problem or "no answer")
    except OSError as error:
        logger.warning("Slack could not be reached to confirm the bot token (%s); starting anyway", error)


def socket_mode_url(client: WebClient, app_token: str) -> str:
    """The WebSocket address Slack issues for the app-level token (apps.connections.open), or why there is none."""
    try:
        return str(client.apps_connections_open(app_token=app_token)["url"])
    except SlackApiError as error:
        problem = error.response.get("error")
        if problem in REFUSED_TOKEN_ERRORS:
            raise StartupError(
                f"Slack refused SLACK_APP_TOKEN ({problem}): check that it is the app-level token (xapp-...) from "
                "the app's Basic Information page, with the connections:write scope, and that Socket Mode is on."
            ) from None
        raise StartupError(
            f"Slack did not open a Socket Mode connection ({problem or 'no answer'}): try again in a moment."
        ) from None
    except OSError as error:
        raise StartupError(
            f"Slack could not be reached to open a Socket Mode connection ({error}): check the network and "
            "SLACK_API_BASE_URL."
        ) from None


@dataclass(frozen=True)
class SocketTiming:
    """How closely the Socket Mode connection is watched.

    The client pings Slack and checks its connection every `ping_interval` seconds. A connection that
    was reset is replaced at the next check; one where no answer came for four pings in a row (dead
    without a close frame) is dropped and replaced: with 2 s, within about 15 s. /healthz says Slack is
    disconnected once no answer came for `grace` seconds, so that the moment a refresh takes is no outage.
    """

    ping_interval: float = 2.0
    grace: float = 10.0


class SocketLink:
    """When Slack last answered over the Socket Mode connection, whichever connection the client holds now."""

    def __init__(self, client: SocketModeClient, *, grace: float) -> None:
        self._client = client
        self._grace = grace
        self._heard = time.time()  # a connection just opened counts as an answer
        self._lock = threading.Lock()

    def connected(self) -> bool:
        """Whether Slack answered a ping within the grace."""
        session = self._client.current_session
        answered = session.last_ping_pong_time if session is not None and session.is_active() else None
        with self._lock:
            if answered is not None and answered > self._heard:
                self._heard = answered
            return time.time() - self._heard <= self._grace


class MeteredSocketModeHandler(SocketModeHandler):
    """Bolt's Socket Mode adapter, counting each request by kind and status and timing its acknowledgement."""

    def __init__(self, app: App, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._metrics = metrics

    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:
        """Run the app for one request, count it, and acknowledge it over the socket.

        Counted before the acknowledgement leaves, as over HTTP: whoever has the answer finds it counted.
        """
        start, started = time.time(), time.perf_counter()
        response = run_bolt_app(self.app, req)
        # Over the socket the payload arrives parsed: its kind is read from it as it is.
        self._metrics.slack_request(slack_request_kind(req.payload), response.status, time.perf_counter() - started)
        send_response(client, req, response, start)


class BotService:
    """Everything `tci-bot run` starts, and stops cleanly."""

    def __init__(
        self,
        settings: Settings,
        *,
        client: WebClient | None = None,
        clock: Clock = system_clock,
        host: str = "0.0.0.0",
        port: int | None = None,
        executor: Executor | None = None,
        socket_timing: SocketTiming | None = None,
    ) -> None:
        self.deps = build_deps(settings, clock=clock)
        self._client = client
        self._executor = executor
        self._host = host
        self._port = settings.port if port is None else port
        self._socket_timing = socket_timing or SocketTiming()
        self.app: App | None = None
        self.http: HttpServer | None = None
        self._socket_handler: MeteredSocketModeHandler | None = None
        self.socket_link: SocketLink | None = None
        self.scheduler = Scheduler(self.deps)
        self._stopped = threading.Event()
        self.deps.metrics.watch_backlog(self.post_counts)
        self._redactor = SecretRedactor(
            (
                settings.bot_token,
                settings.signing_secret,
                settings.app_token,
                settings.calendar_token,
                settings.metrics_token,
            )
        )

    @property
    def client(self) -> WebClient:
        """The Web API client the bot posts with."""
        assert self.app is not None
        return self.app.client

    def start(self) -> None:
        """Prepare the store, build the app, and start serving and scheduling."""
        self._redactor.install()  # no secret in any log line from here on, whichever library writes it
        prepare_store(self.deps)
        self.app = create_app(self.deps, client=self._client or make_client(self.deps), executor=self._executor)
        settings = self.deps.settings
        check_bot_token(self.app.client)
        # The date parser's data, the question words and the language detector (about 25 MiB) load at their
        # first use, so that an idle bot does not hold them: the first organiser's form after a start, and the
        # first question's answer (after its acknowledgement), wait about 0.1 s for them.
        _warm_up()
        if settings.socket_mode:
            self.socket_link = self._connect_socket(self.app)
            self.deps.metrics.watch_slack_connection(self.socket_link.connected)
        self.http = HttpServer(
            WebApp(
                None if settings.socket_mode else self.app,
                lambda: is_reachable(self.deps.engine),
                calendar=self.calendar_feed,
                calendar_token=settings.calendar_token.reveal(),
                metrics=self.deps.metrics,
                metrics_token=settings.metrics_token.reveal(),
                signing_secret=settings.signing_secret.reveal(),
                slack_connected=self.socket_link.connected if self.socket_link is not None else None,
            ),
            host=self._host,
            port=self._port,
            share_port=settings.share_port,
        )
        self.http.start()
        if settings.calendar_token:
            logger.info("serving the calendar feed at %s%s", settings.public_url, CALENDAR_PATH)
        self.scheduler.start(notify_client=self.app.client)
        # Everything built so far lives as long as the process: keep it out of the collector's passes.
        gc.freeze()
        logger.info("the bot is running (%s)", "Socket Mode" if settings.socket_mode else "HTTP mode")

    def _connect_socket(self, app: App) -> SocketLink:
        """Connect to Slack over Socket Mode, pinging often enough that a dead connection is soon replaced."""
        settings, timing = self.deps.settings, self._socket_timing
        web_client = WebClient(base_url=settings.api_base_url)
        url = socket_mode_url(web_client, settings.app_token.reveal())
        handler = MeteredSocketModeHandler(
            app,
            self.deps.metrics,
            app_token=settings.app_token.reveal(),
            web_client=web_client,
            ping_interval=timing.ping_interval,
        )
        self._socket_handler = handler
        handler.client.wss_uri = url  # the address just issued; each reconnection asks for a new one
        handler.connect()
        if handler.client.is_connected():
            logger.info("connected to Slack over Socket Mode")
        else:
            logger.warning("the Socket Mode connection did not open; trying again every %g s", timing.ping_interval)
        return SocketLink(handler.client, grace=timing.grace)

    def calendar_feed(self) -> bytes:
        """Build the calendar feed: the upcoming meetings as an iCalendar file."""
        with self.deps.sessions() as session:
            meetings = upcoming_meetings(session=session, now=self.deps.clock(), limit=FEED_LIMIT)
        return calendar_of(self.deps, meetings)

    def post_counts(self) -> dict[str, int]:
        """How many scheduled posts stand at each status, for /metrics."""
        with self.deps.sessions() as session:
            return schedule.status_counts(session=session)

    def stop(self) -> None:
        """Stop taking requests, let in-flight work finish, stop the scheduler."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        logger.info("stopping")
        if self._socket_handler is not None:
            self._socket_handler.close()
        if self.http is not None:
            self.http.stop()
        self.scheduler.stop()
        if self.app is not None:
            executor = self.app.listener_runner.listener_executor
            executor.shutdown(wait=True)
        self.deps.responses.close()
        self.deps.engine.dispose()
        logger.info("stopped")
        self._redactor.uninstall()

    def run_until_signalled(self) -> None:
        """Serve until SIGTERM or SIGINT, then stop cleanly."""
        stop = threading.Event()

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            logger.info("received %s", signal.Signals(signum).name)
            stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.start()
            while not stop.wait(0.5):  # a timed wait: the signal handler runs between waits, whatever thread got it
                pass
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
