"""A bare Bolt app on the bot's server stack: the comparison point.

It answers `/tci`, and `/meetings <text>` and `/practice <text>`, with `ok` in the acknowledgement;
`/meetings` and `/practice` with no text with an empty acknowledgement and then `ok` posted to the
response_url; a button press with an empty acknowledgement and then `ok` posted to its response_url;
and an app_mention with an acknowledgement and then `ok` posted with chat.postMessage in the mention's
thread. The posts are made on Bolt's listener pool once acknowledged, so the acknowledgement never
waits for them.

Run as `python -m benchmarks.bare_app --port N --process-before-response 0|1 --api-base-url URL`,
with SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET in the environment. Stops cleanly on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from types import FrameType
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.server import HttpServer, WebApp

HOST = "127.0.0.1"

logger = logging.getLogger(__name__)


def _after_ack(pool: Executor, post: Callable[..., Any], **kwargs: Any) -> None:
    """Run `post(**kwargs)` on the listener pool; a failure is logged with its traceback."""

    def run() -> None:
        try:
            post(**kwargs)
        except Exception:
            logger.exception("the answer could not be posted")

    pool.submit(run)


def build_app(*, token: str, signing_secret: str, api_base_url: str, process_before_response: bool) -> App:
    """Build a Bolt app that acknowledges at once and, where an answer comes later, posts a constant one."""
    app = App(
        client=WebClient(token=token, base_url=api_base_url),
        signing_secret=signing_secret,
        token_verification_enabled=False,
        process_before_response=process_before_response,
    )

    pool = app.listener_runner.listener_executor

    def acknowledge(ack: Any) -> None:
        ack("ok")

    def acknowledge_or_respond(ack: Any, body: dict[str, Any], respond: Any) -> None:
        if body.get("text"):
            ack("ok")
            return
        ack()
        _after_ack(pool, respond, text="ok", response_type="ephemeral")

    def answer_press(ack: Any, body: dict[str, Any], respond: Any) -> None:
        ack()
        if body.get("response_url"):
            _after_ack(pool, respond, text="ok", response_type="ephemeral", replace_original=False)

    def answer_mention(ack: Any, event: dict[str, Any], client: WebClient) -> None:
        ack()
        _after_ack(pool, client.chat_postMessage, channel=event["channel"], thread_ts=event["ts"], text="ok")

    app.command("/tci")(acknowledge)
    app.command("/meetings")(acknowledge_or_respond)
    app.command("/practice")(acknowledge_or_respond)
    app.action(re.compile(".+"))(answer_press)
    app.event("app_mention")(answer_mention)
    return app


def main(argv: list[str] | None = None) -> int:
    """Serve the bare app until signalled; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bare_app", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--process-before-response", type=int, choices=(0, 1), default=0)
    parser.add_argument("--api-base-url", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    app = build_app(
        token=os.environ["SLACK_BOT_TOKEN"],
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        api_base_url=args.api_base_url,
        process_before_response=bool(args.process_before_response),
    )
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    server = HttpServer(WebApp(app, healthy=lambda: True), host=HOST, port=args.port)
    server.start()
    stop.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
