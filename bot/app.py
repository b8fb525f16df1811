"""The Bolt app: the Web API client, request verification, de-duplication and the handlers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any
from urllib.error import URLError

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry import (
    ConnectionErrorRetryHandler,
    FixedValueRetryIntervalCalculator,
    HttpRequest,
    HttpResponse,
    RetryHandler,
    RetryState,
)

import handlers
from bot import arrival, edge, responses
from bot.deps import Deps
from bot.language import i18n
from bot.services import languages
from handlers import errors, questions
from store import events as events_store

logger = logging.getLogger(__name__)

LISTENER_THREADS = 16


# Web API methods that only read: sending one twice changes nothing in Slack.
READ_METHODS = frozenset({"users.info", "conversations.info", "auth.test"})


def _method(request: HttpRequest) -> str:
    """The Web API method a request calls, from its URL (`.../api/users.info` is `users.info`)."""
    return request.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


class CountRateLimits(RetryHandler):
    """Count every 429 the listeners meet, and never retry one: no listener thread waits out a Retry-After."""

    def __init__(self, on_limited: Callable[[], None]) -> None:
        super().__init__(max_retry_count=0)
        self._on_limited = on_limited

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None and response.status_code == 429:
            self._on_limited()
        return False


class RetryReadOnLostConnection(ConnectionErrorRetryHandler):
    """Send a read once more, at once, when the connection failed; a write is never sent twice.

    A write whose connection broke may have reached Slack (its answer lost on the way back), so
    sending it again could post twice. A timeout is not retried either: the first wait was long enough.
    """

    def __init__(self) -> None:
        super().__init__(max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0))

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if _method(request) not in READ_METHODS or isinstance(error, TimeoutError):
            return False
        if isinstance(error, URLError) and isinstance(error.reason, TimeoutError):
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


def make_client(deps: Deps) -> WebClient:
    """Create the listeners' Web API client at SLACK_API_BASE_URL: it never sleeps and never sends a write twice.

    A 429 or a 5xx raises at once (handlers.errors tells the person to try again in Retry-After
    seconds); only a read whose connection failed is sent once more. What must not be lost goes
    through the outbox, whose sender retries on its own client (bot.sender).
    """
    settings = deps.settings
    return WebClient(
        token=settings.bot_token.reveal() or None,
        base_url=settings.api_base_url,
        timeout=15,
        retry_handlers=[
            CountRateLimits(lambda: deps.metrics.rate_limited("listeners")),
            RetryReadOnLostConnection(),
        ],
    )


def create_app(deps: Deps, *, client: WebClient | None = None, executor: Executor | None = None) -> App:
    """Build the Bolt app with every handler registered; nothing is served yet."""
    app = App(
        name="tci-bot",
        client=client or make_client(deps),
        signing_secret=deps.settings.signing_secret.reveal(),
        # Listeners acknowledge first and hand their work to the listener pool (handlers.errors.after_ack),
        # so the answer to Slack leaves as soon as the acknowledgement is made, not after a polling step.
        process_before_response=True,
        token_verification_enabled=False,
        request_verification_enabled=True,
        listener_executor=executor or ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener"),
        logger=logging.getLogger("bot.bolt"),
    )
    app.use(_front_door(deps))
    app.error(errors.global_error_handler(deps))
    handlers.register_all(app, deps)
    return app


def _front_door(deps: Deps) -> Any:
    """Return the one middleware every request passes, doing in order what each step needs.

    No NUL or control character reaches a listener or the store; the arrival is recorded before any time is
    spent on the store (it counts against a trigger_id's 3 s); a re-delivered event is dropped; the request is
    answered in its sender's language, its answers to the response_url on connections kept open. One
    middleware rather than four: Bolt builds each middleware's arguments anew for every request.
    """
    ignore, speak = _ignore_redeliveries(deps), _speak_their_language(deps)

    def front_door(body: dict[str, Any], client: WebClient, context: BoltContext, next: Any) -> BoltResponse | None:
        responses.keep_connections(context, client, deps.responses)

        def answered() -> Any:
            return ignore(body, lambda: speak(body, client, next))

        return edge.strip_control_characters(body, lambda: arrival.record_arrival(body, answered))

    return front_door


def _speak_their_language(deps: Deps) -> Any:
    """Return a middleware that answers each request in the language of whoever made it.

    Bolt runs the listeners after every middleware has returned, in the same context: the language is
    set for the rest of the request (each request sets its own), not for a block around `next`.
    """

    def speak_their_language(body: dict[str, Any], client: WebClient, next: Any) -> BoltResponse | None:
        who = requester(body)
        i18n.speak(languages.of_person(deps, client, who) if who else languages.group_language(deps))
        i18n.read_in(deps.people.zone(client, who) if who else None)
        return next()

    return speak_their_language


def requester(body: dict[str, Any]) -> str | None:
    """The person who made a request: who typed a command, pressed, submitted or wrote; None for a bot."""
    event = body.get("event") or {}
    if event.get("bot_id") or event.get("subtype") == "bot_message":
        return None
    user = body.get("user_id") or body.get("user") or event.get("user")
    if isinstance(user, dict):
        user = user.get("id")
    return user if isinstance(user, str) and user else None


def _ignore_redeliveries(deps: Deps) -> Any:
    """Return a middleware that handles each Events API delivery once, whatever Slack re-sends."""

    def ignore_redeliveries(body: dict[str, Any], next: Any) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and (body.get("event") or {}).get("type") not in questions.KEPT_BY_THEIR_ANSWER:
            with deps.sessions() as session:
                first = events_store.claim_event(session=session, event_id=str(event_id), received_at=deps.clock())
            if not first:
                logger.info("event %s was delivered again; handled already", event_id)
                return BoltResponse(status=200, body="")
        return next()

    return ignore_redeliveries
