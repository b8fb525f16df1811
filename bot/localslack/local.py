"""The whole bot running against the local workspace: emulator, real Bolt app, and people's requests to it."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from bot.clock import Clock, system_clock
from bot.config import Secret, Settings
from bot.localslack.emulator import LocalUser, SlackEmulator
from bot.localslack.workspace import LocalWorkspace
from bot.runtime import BotService, SocketTiming
from store import schedule

GROUP_CHANNEL = "C0GROUP"
ORGANISER = LocalUser(id="U0ORG", name="ana", real_name="Ana Organiser", tz="Europe/Madrid")
MEMBER = LocalUser(id="U0MEM", name="bruno", real_name="Bruno Member", tz="Europe/Berlin")
GUEST = LocalUser(id="U0GST", name="carla", real_name="Carla Guest", tz="America/Toronto", is_restricted=True)
PEOPLE = {"organiser": ORGANISER, "member": MEMBER, "guest": GUEST}


class TrackingExecutor(ThreadPoolExecutor):
    """A thread pool that can tell when all the work handed to it is done."""

    def __init__(self, max_workers: int = 16) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._pending += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[Any]) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no listener work is pending; False if `timeout` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)


class LocalBot:
    """Starts the emulator and the bot wired to each other.

    The bot serves HTTP on a free loopback port; in HTTP mode the workspace sends it signed requests there.
    With `socket_mode` the bot has an app-level token and no signing secret, connects to the emulator's
    Socket Mode, and the workspace delivers its requests over that connection (`socket_timing` says how
    closely the bot watches it).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock = system_clock,
        socket_mode: bool = False,
        socket_timing: SocketTiming | None = None,
    ) -> None:
        self.emulator = SlackEmulator(users=PEOPLE.values())
        self._base_settings = settings
        self._clock = clock
        self.socket_mode = socket_mode
        self._socket_timing = socket_timing
        self.service: BotService | None = None
        self.workspace: LocalWorkspace | None = None

    def start(self) -> LocalBot:
        """Start the emulator and the bot, and connect the workspace client to the bot."""
        self.emulator.start()
        self.emulator.add_channel(GROUP_CHANNEL, "learning-group")
        signing_secret = "" if self.socket_mode else secrets.token_hex(16)
        self.settings = replace(
            self._base_settings,
            bot_token=Secret(self.emulator.bot_token),
            signing_secret=Secret(signing_secret),
            app_token=Secret(self.emulator.app_token if self.socket_mode else ""),
            api_base_url=self.emulator.base_url,
            group_channel=GROUP_CHANNEL,
            organiser_ids=(ORGANISER.id,),
        )
        self.executor = TrackingExecutor()
        self.service = BotService(
            self.settings,
            clock=self._clock,
            host="127.0.0.1",
            port=0,
            executor=self.executor,
            socket_timing=self._socket_timing,
        )
        self.service.start()
        assert self.service.http is not None
        self.workspace = LocalWorkspace(
            events_url=f"http://127.0.0.1:{self.service.http.port}/slack/events",
            signing_secret=signing_secret,
            emulator=self.emulator,
            channel=GROUP_CHANNEL,
            socket_mode=self.socket_mode,
        )
        return self

    @property
    def base_url(self) -> str:
        """The bot's own HTTP address."""
        assert self.service is not None and self.service.http is not None
        return f"http://127.0.0.1:{self.service.http.port}"

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until the bot has finished the work that requests handed it, and sent what they owe.

        What a change owes is delivered by the sender from the outbox: idle means no listener work
        pending, the sender not running, and no post due now (one waiting to be tried again later is not).
        """
        deadline = time.monotonic() + timeout
        while True:
            if not self.executor.wait_idle(max(deadline - time.monotonic(), 0.0)):
                return False
            if self._outbox_settled() and self.executor.wait_idle(0.0):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)

    def _outbox_settled(self) -> bool:
        assert self.service is not None
        sender = self.service.scheduler.sender
        if sender is None:
            return True
        deps = self.service.deps
        with deps.sessions() as session:
            due = schedule.due_count(session=session, now=deps.clock())
        return due == 0 and not sender.busy

    def stop(self) -> None:
        """Stop the bot, then the emulator."""
        if self.service is not None:
            self.service.stop()
        self.emulator.stop()

    def __enter__(self) -> LocalBot:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
