"""The Bolt app: the Web API client, request verification, de-duplication and the handlers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry import (
    ConnectionErrorRetryHandler,
    HttpRequest,
    HttpResponse,
    RateLimitErrorRetryHandler,
    RetryHandler,
    RetryState,
)

import handlers
from bot.deps import Deps
from handlers import errors
from store import events as events_store

logger = logging.getLogger(__name__)

LISTENER_THREADS = 16


class ServerErrorRetryHandler(RetryHandler):
    """Retry the Web API's 5xx answers with backoff."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code in (500, 502, 503, 504)


class CountingRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Retry 429s after Retry-After, as slack_sdk does, and count every 429 (retried or not)."""

    def __init__(self, on_limited: Callable[[], None], *, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
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
        return super().can_retry(state=state, request=request, response=response, error=error)


def make_client(deps: Deps) -> WebClient:
    """Create the Web API client at SLACK_API_BASE_URL, retrying 429 (after Retry-After), 5xx and resets."""
    settings = deps.settings
    return WebClient(
        token=settings.bot_token.reveal() or None,
        base_url=settings.api_base_url,
        timeout=15,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=3),
            CountingRateLimitRetryHandler(lambda: deps.metrics.rate_limited("listeners"), max_retry_count=5),
            ServerErrorRetryHandler(max_retry_count=4),
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
    app.use(_ignore_redeliveries(deps))
    app.error(errors.global_error_handler(deps))
    handlers.register_all(app, deps)
    return app


def _ignore_redeliveries(deps: Deps) -> Any:
    """Return a middleware that handles each Events API delivery once, whatever Slack re-sends."""

    def ignore_redeliveries(body: dict[str, Any], next: Any) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            with deps.sessions() as session:
                first = events_store.claim_event(session=session, event_id=str(event_id), received_at=deps.clock())
            if not first:
                logger.info("event %s was delivered again; handled already", event_id)
                return BoltResponse(status=200, body="")
        return next()

    return ignore_redeliveries
