"""Slack's Socket Mode for the local workspace: a WebSocket server speaking the protocol Slack's clients expect.

The emulator's `apps.connections.open` (with the app-level token) hands out a ws:// URL holding a one-time
ticket. A client that connects there is greeted with `hello`; `deliver` sends the newest connection an
envelope (`slash_commands`, `interactive` or `events_api`) and waits up to Slack's 3 seconds for the
acknowledgement that carries the same `envelope_id`; `refresh` sends `disconnect` (`warning`, or
`refresh_requested`, after which the connection is closed shortly, as Slack closes it). Pings are answered.

Each connection runs through a relay of the server's own, so that a test can end it the two ways a real
network does without a close frame: cut (the TCP connection reset) or silent (still open, nothing passes).
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import selectors
import socket
import struct
import threading
import time
import uuid
from concurrent.futures import Future
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

logger = logging.getLogger(__name__)

APP_TOKEN = "xapp-1-A0LOCAL-1-0000000000000-local"  # the local app's app-level token (scope connections:write)
CONNECTIONS_OPEN = "apps.connections.open"
ENVELOPE_TYPES = ("slash_commands", "interactive", "events_api")
ACK_SECONDS = 3.0  # how long Slack waits for an envelope's acknowledgement
REFRESH_REQUESTED = "refresh_requested"
WARNING = "warning"
CLOSE_AFTER_REFRESH_SECONDS = 1.0  # how long a connection told `refresh_requested` stays open
HOST = "applink-local-1"  # the server named in debug_info
POLL_SECONDS = 0.05  # how often a relay looks whether it was cut
_RESET = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: closing sends a reset instead of an orderly end


def accepts_response_payload(kind: str, payload: dict[str, Any]) -> bool:
    """Whether Slack takes an answer in the acknowledgement of this envelope, as it says in the envelope."""
    if kind == "slash_commands":
        return True
    return kind == "interactive" and payload.get("type") in ("view_submission", "block_suggestion")


def _read(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except OSError:  # reset by the other side: an end like any other
        return b""


class _Relay:
    """One client connection passed byte for byte to the WebSocket server behind; it can be cut or silenced."""

    def __init__(self, outer: socket.socket, inner: socket.socket) -> None:
        self.outer = outer
        self.inner = inner
        self.port = int(inner.getsockname()[1])  # how the WebSocket server behind sees this connection
        self.silent = False
        self._cut = threading.Event()

    def cut(self) -> None:
        """End the connection with a TCP reset: no close frame, no orderly end."""
        self._cut.set()

    def run(self) -> None:
        """Pass bytes both ways until either side ends or the relay is cut; while silent, drop them."""
        peers = {self.outer: self.inner, self.inner: self.outer}
        selector = selectors.DefaultSelector()
        for end in peers:
            selector.register(end, selectors.EVENT_READ, data=end)
        try:
            while not self._cut.is_set() and selector.get_map():
                for key, _ in selector.select(timeout=POLL_SECONDS):
                    sock: socket.socket = key.data
                    data = _read(sock)
                    if not data and sock is self.inner and self.silent:
                        selector.unregister(sock)  # the server gave up; a silent line tells the client nothing
                    elif not data:
                        return
                    elif not self.silent:
                        peers[sock].sendall(data)
        except OSError:
            return
        finally:
            selector.close()
            if self._cut.is_set():
                self.outer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RESET)
            self.outer.close()
            self.inner.close()


@dataclass(frozen=True)
class Exchange:
    """An envelope sent to the bot, its acknowledgement (None if none came in time), and how long it took."""

    envelope: dict[str, Any]
    ack: dict[str, Any] | None
    seconds: float


@dataclass
class _Link:
    """An open Socket Mode connection, and the relay it runs through."""

    ws: ServerConnection
    relay: _Relay | None

    @property
    def listening(self) -> bool:
        """Whether an envelope sent on it can arrive."""
        return self.relay is None or not self.relay.silent


class SocketModeServer:
    """Socket Mode for one app on a local port: tickets, connections, envelopes and their acknowledgements."""

    def __init__(self, *, app_id: str) -> None:
        self.app_id = app_id
        self.connections_opened = 0  # how many connections were greeted with hello
        self.exchanges: list[Exchange] = []  # every envelope sent, oldest first
        self._changed = threading.Condition()
        self._tickets: set[str] = set()
        self._links: list[_Link] = []
        self._relays: dict[int, _Relay] = {}
        self._waiting: dict[str, Future[dict[str, Any]]] = {}
        self._listener: socket.socket | None = None
        self._server: Server | None = None
        self._threads: list[threading.Thread] = []

    # lifecycle

    def start(self) -> SocketModeServer:
        """Listen on a free loopback port (once; later calls do nothing)."""
        with self._changed:
            if self._listener is not None:
                return self
            self._server = serve(
                self._converse,
                "127.0.0.1",
                0,
                process_request=self._admit,
                compression=None,
                logger=logger,
            )
            self._listener = socket.create_server(("127.0.0.1", 0))
            self._threads = [
                threading.Thread(target=self._server.serve_forever, name="socket-mode", daemon=True),
                threading.Thread(target=self._accept, args=(self._listener,), name="socket-mode-accept", daemon=True),
            ]
        for thread in self._threads:
            thread.start()
        logger.debug("Socket Mode listening on port %s", self.port)
        return self

    def stop(self) -> None:
        """Stop listening, reset every connection, and wait for the server's threads."""
        with self._changed:
            listener, server, threads = self._listener, self._server, self._threads
            self._listener = self._server = None
            self._threads = []
            relays = list(self._relays.values())
            self._tickets.clear()
        if listener is None or server is None:
            return
        with contextlib.suppress(OSError):  # a system that will not shut a listening socket down wakes on close
            listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread, which close alone may not
        listener.close()
        for relay in relays:
            relay.cut()
        server.shutdown()
        for thread in threads:
            thread.join(timeout=5)

    @property
    def port(self) -> int:
        """The port clients connect to."""
        if self._listener is None:
            raise RuntimeError("the Socket Mode server is not running")
        return int(self._listener.getsockname()[1])

    def open_url(self) -> str:
        """Issue a WebSocket URL for one connection, as apps.connections.open does; start serving if need be."""
        self.start()
        ticket = secrets.token_urlsafe(16)
        with self._changed:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    # what tests and the workspace do

    def deliver(
        self,
        kind: str,
        payload: dict[str, Any],
        timeout: float = ACK_SECONDS,
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> dict[str, Any] | None:
        """Send an envelope to the newest listening connection and return its acknowledgement.

        None when no acknowledgement came within `timeout` (counted from the call: a moment without a
        connection, as during a refresh, uses it up too). `retry_attempt` and `retry_reason` go with events.
        """
        if kind not in ENVELOPE_TYPES:
            raise ValueError(f"kind must be one of {', '.join(ENVELOPE_TYPES)}")
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload(kind, payload),
        }
        if kind == "events_api":
            envelope |= {"retry_attempt": retry_attempt, "retry_reason": retry_reason}
        deadline = time.monotonic() + timeout
        answered: Future[dict[str, Any]] = Future()
        with self._changed:
            self._waiting[envelope_id] = answered
        try:
            link = self._listening_link(deadline)
            if link is None:
                logger.info("no Socket Mode connection took envelope %s", envelope_id)
                return None
            sent = time.monotonic()
            ack: dict[str, Any] | None = None
            try:
                link.ws.send(json.dumps(envelope))
                ack = answered.result(timeout=max(deadline - sent, 0.0))
            except ConnectionClosed:
                logger.info("the connection closed before envelope %s was acknowledged", envelope_id)
            except TimeoutError:
                logger.info("envelope %s was not acknowledged within %.1f s", envelope_id, timeout)
            with self._changed:
                self.exchanges.append(Exchange(envelope, ack, time.monotonic() - sent))
            return ack
        finally:
            with self._changed:
                self._waiting.pop(envelope_id, None)

    def refresh(self, reason: str = REFRESH_REQUESTED) -> int:
        """Send `disconnect` to every listening connection, as Slack does before it moves a connection.

        `warning` comes first in Slack; `refresh_requested` is followed by the close of the connection
        a moment later. Returns how many connections were told.
        """
        message = json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": HOST}})
        told = 0
        for link in self._listening_links():
            try:
                link.ws.send(message)
            except ConnectionClosed:
                continue
            told += 1
            if reason == REFRESH_REQUESTED:
                closing = threading.Timer(CLOSE_AFTER_REFRESH_SECONDS, link.ws.close)
                closing.daemon = True
                closing.start()
        return told

    def cut_connections(self) -> int:
        """End every connection without a close frame, with a TCP reset; returns how many."""
        with self._changed:
            relays = list(self._relays.values())
        for relay in relays:
            relay.cut()
        return len(relays)

    def silence_connections(self) -> int:
        """Let every connection go silent: still open, but nothing passes either way; returns how many."""
        with self._changed:
            relays = list(self._relays.values())
            for relay in relays:
                relay.silent = True
            self._changed.notify_all()
        return len(relays)

    @property
    def listening(self) -> int:
        """How many connections an envelope can reach now."""
        return len(self._listening_links())

    def wait_opened(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until `count` connections in all have been greeted with hello; False if `timeout` passed first."""
        with self._changed:
            return self._changed.wait_for(lambda: self.connections_opened >= count, timeout=timeout)

    # the server's side

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                outer, _ = listener.accept()
            except OSError:  # the listener was closed: the server stops
                return
            server = self._server
            if server is None:
                outer.close()
                return
            try:
                inner = socket.create_connection(server.socket.getsockname()[:2])
            except OSError:
                outer.close()
                continue
            relay = _Relay(outer, inner)
            with self._changed:
                self._relays[relay.port] = relay
            threading.Thread(target=self._run_relay, args=(relay,), name="socket-mode-relay", daemon=True).start()

    def _run_relay(self, relay: _Relay) -> None:
        try:
            relay.run()
        finally:
            with self._changed:
                self._relays.pop(relay.port, None)
                self._changed.notify_all()

    def _admit(self, connection: ServerConnection, request: Request) -> Response | None:
        """Take a connection only with a ticket that apps.connections.open issued and no connection used yet."""
        ticket = (parse_qs(urlsplit(request.path).query).get("ticket") or [""])[0]
        with self._changed:
            if ticket in self._tickets:
                self._tickets.discard(ticket)
                return None
        return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid or used ticket\n")

    def _converse(self, ws: ServerConnection) -> None:
        """Greet a connection, then take its acknowledgements until it closes."""
        with self._changed:
            link = _Link(ws, self._relays.get(int(ws.remote_address[1])))
            count = len(self._listening_links_locked()) + 1
        try:
            ws.send(json.dumps(self._hello(count)))
            with self._changed:
                self._links.append(link)
                self.connections_opened += 1
                self._changed.notify_all()
            for message in ws:
                self._receive(message)
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                if link in self._links:
                    self._links.remove(link)
                self._changed.notify_all()

    def _hello(self, num_connections: int) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": num_connections,
            "debug_info": {"host": HOST, "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }

    def _receive(self, message: str | bytes) -> None:
        """Hand an acknowledgement to whoever sent its envelope."""
        try:
            ack = json.loads(message)
        except ValueError:
            logger.warning("a Socket Mode client sent something that is not JSON: %r", message[:200])
            return
        envelope_id = ack.get("envelope_id") if isinstance(ack, dict) else None
        with self._changed:
            answered = self._waiting.get(str(envelope_id))
            if answered is None or answered.done():
                logger.info("an acknowledgement for no envelope waiting for one: %s", envelope_id)
                return
            answered.set_result(ack)

    def _listening_links(self) -> list[_Link]:
        with self._changed:
            return self._listening_links_locked()

    def _listening_links_locked(self) -> list[_Link]:
        return [link for link in self._links if link.listening]

    def _listening_link(self, deadline: float) -> _Link | None:
        """The newest connection an envelope can reach, waiting for one until `deadline`."""
        with self._changed:
            while True:
                links = self._listening_links_locked()
                left = deadline - time.monotonic()
                if links or left <= 0:
                    return links[-1] if links else None
                self._changed.wait(left)
