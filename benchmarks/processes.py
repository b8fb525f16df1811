"""Servers under test, each in its own process: start, wait until healthy, stop with SIGTERM."""

from __future__ import annotations

import contextlib
import http.client
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import (
    BARE_FLOOR,
    BOT,
    GROUP_CHANNEL,
    HOST,
    ORGANISER,
    BenchmarkError,
    bot_database_url,
    free_port,
)
from bot.localslack.emulator import SlackEmulator

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
POLL_SECONDS = 0.02
STOP_TIMEOUT_SECONDS = 20.0
KILL_TIMEOUT_SECONDS = 5.0
LOG_TAIL_CHARS = 2000
STACKS_TAIL_CHARS = 12000
PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Settings the bot reads; a benchmark sets those it needs and lets none leak in from outside.
BOT_SETTINGS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_BASE_URL",
    "DATABASE_URL",
    "DATA_DIR",
    "GROUP_CHANNEL",
    "GROUP_NAME",
    "ORGANISER_IDS",
    "GROUP_TIMEZONE",
    "REMINDER_OFFSETS",
    "PORT",
    "LOG_LEVEL",
)


class ServerProcess:
    """A server started as a child process, listening on 127.0.0.1:`port`, its output kept in a file."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        port: int,
        env: Mapping[str, str],
        cwd: Path,
        log_file: Path,
    ) -> None:
        self.name = name
        self.port = port
        self._argv = list(argv)
        self._env = dict(env)
        self._cwd = cwd
        self._log_file = log_file
        self._process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    @property
    def environment(self) -> dict[str, str]:
        """The environment the process starts with."""
        return dict(self._env)

    def start(self) -> None:
        """Start the process; its stdout and stderr go to the log file."""
        with self._log_file.open("wb") as log:
            self.started_at = time.perf_counter()
            self._process = subprocess.Popen(
                self._argv,
                cwd=self._cwd,
                env=self._env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_healthy(self, timeout: float) -> float:
        """Poll GET /healthz until it answers 200; return the seconds since start."""
        process = self._require_process()
        deadline = self.started_at + timeout
        while True:
            if process.poll() is not None:
                raise BenchmarkError(
                    f"{self.name} exited with code {process.returncode} before it was healthy:\n{self.log_tail()}"
                )
            if _healthy(self.port):
                return time.perf_counter() - self.started_at
            if time.perf_counter() >= deadline:
                self.kill()
                raise BenchmarkError(f"{self.name} was not healthy within {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(POLL_SECONDS)

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> int:
        """Send SIGTERM and wait for the exit; kill it if it does not go in `timeout` s. Return the exit code."""
        process = self._require_process()
        if process.poll() is not None:
            return process.returncode
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            logger.warning(
                "%s did not stop within %.0f s of SIGTERM; its threads' stacks go to its log, then it is killed",
                self.name,
                timeout,
            )
            self._dump_stacks()
            return self.kill()

    def _dump_stacks(self) -> None:
        """Make a Python child write every thread's stack to its log (faulthandler, on SIGABRT)."""
        process = self._require_process()
        if self._env.get("PYTHONFAULTHANDLER") and process.poll() is None:
            process.send_signal(signal.SIGABRT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=KILL_TIMEOUT_SECONDS)
            logger.warning("%s's stacks when it would not stop:\n%s", self.name, self.log_tail(STACKS_TAIL_CHARS))

    def kill(self) -> int:
        """Kill the process (if it still runs) and return its exit code."""
        process = self._require_process()
        if process.poll() is None:
            process.kill()
            try:
                process.wait(timeout=KILL_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                logger.error("%s (pid %d) did not die after SIGKILL", self.name, process.pid)
        return process.returncode if process.returncode is not None else -signal.SIGKILL

    @property
    def pid(self) -> int:
        """The process id."""
        return self._require_process().pid

    def cpu_seconds(self) -> float | None:
        """The CPU time the process has used so far, user and system (None where /proc does not tell it)."""
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text(encoding="ascii")
        except OSError:
            return None
        fields = stat.rsplit(")", 1)[1].split()  # after the command's name, which may hold spaces
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    @property
    def running(self) -> bool:
        """Whether the process has been started and has not exited."""
        return self._process is not None and self._process.poll() is None

    def log_tail(self, chars: int = LOG_TAIL_CHARS) -> str:
        """Return the end of what the process wrote."""
        try:
            text = self._log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return text[-chars:]

    def _require_process(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            raise RuntimeError(f"{self.name} was not started")
        return self._process


@dataclass
class Lifetime:
    """How a server process started and ended."""

    startup_seconds: float = 0.0
    exit_code: int | None = None


@contextlib.contextmanager
def serving(process: ServerProcess, *, healthy_timeout: float) -> Iterator[Lifetime]:
    """Start `process`, wait until it is healthy, and stop it on leaving; log its output if it ends badly."""
    lifetime = Lifetime()
    process.start()
    try:
        lifetime.startup_seconds = process.wait_healthy(healthy_timeout)
        logger.info("%s: healthy after %.2f s", process.name, lifetime.startup_seconds)
        yield lifetime
    finally:
        lifetime.exit_code = process.stop() if process.running else process.kill()
        if lifetime.exit_code != 0:
            logger.warning(
                "%s exited with code %s; its output:\n%s", process.name, lifetime.exit_code, process.log_tail()
            )


def _healthy(port: int) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=1.0)
    try:
        conn.request("GET", HEALTH_PATH)
        response = conn.getresponse()
        response.read()
        return response.status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def child_environment(overrides: Mapping[str, str], *, drop: Iterable[str] = ()) -> dict[str, str]:
    """Return this process's environment without the variables named in `drop`, faulthandler on, plus `overrides`."""
    dropped = set(drop)
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env["PYTHONFAULTHANDLER"] = "1"  # a child that hangs can be made to write its threads' stacks
    env.update(overrides)
    return env


def bot_server(
    label: str,
    *,
    emulator: SlackEmulator,
    signing_secret: str,
    workdir: Path,
    data_dir: Path,
    group_channel: str,
    organiser_ids: Sequence[str],
    database_url: str | None = None,
    settings: Mapping[str, str] | None = None,
    port: int | None = None,
) -> ServerProcess:
    """Prepare `tci-bot run` on `port` (a free one by default), its Web API the emulator, its store at `database_url`.

    Without `database_url`, the store is the embedded SQLite file in `data_dir`; `settings` adds to
    or overrides the bot's environment.
    """
    port = port or free_port()
    env = child_environment(
        {
            "SLACK_BOT_TOKEN": emulator.bot_token,
            "SLACK_SIGNING_SECRET": signing_secret,
            "SLACK_APP_TOKEN": "",
            "SLACK_API_BASE_URL": emulator.base_url,
            "GROUP_CHANNEL": group_channel,
            "ORGANISER_IDS": ",".join(organiser_ids),
            "DATABASE_URL": database_url or bot_database_url(data_dir),
            "DATA_DIR": str(data_dir),
            "PORT": str(port),
            "LOG_LEVEL": "WARNING",
            **(settings or {}),
        },
        drop=BOT_SETTINGS,
    )
    argv = [str(console_script("tci-bot")), "run"]
    return ServerProcess(label, argv, port=port, env=env, cwd=workdir, log_file=_log_file(workdir, label))


def bare_server(
    label: str, *, emulator: SlackEmulator, signing_secret: str, workdir: Path, process_before_response: bool
) -> ServerProcess:
    """Prepare the bare Bolt app (benchmarks.bare_app) on a free port, its Web API the emulator."""
    port = free_port()
    env = child_environment(
        {
            "SLACK_BOT_TOKEN": emulator.bot_token,
            "SLACK_SIGNING_SECRET": signing_secret,
            "PYTHONPATH": project_pythonpath(),
        },
        drop=BOT_SETTINGS,
    )
    argv = [
        sys.executable,
        "-m",
        "benchmarks.bare_app",
        "--port",
        str(port),
        "--process-before-response",
        "1" if process_before_response else "0",
        "--api-base-url",
        emulator.base_url,
    ]
    return ServerProcess(label, argv, port=port, env=env, cwd=workdir, log_file=_log_file(workdir, label))


def target_server(
    target: str,
    *,
    emulator: SlackEmulator,
    signing_secret: str,
    workdir: Path,
    data_dir: Path,
    database_url: str | None = None,
    settings: Mapping[str, str] | None = None,
) -> ServerProcess:
    """The bot (`BOT`) or a bare Bolt app (`BARE_FLOOR` with process_before_response, else Bolt's defaults).

    The bot's store is at `database_url`, or the SQLite file in `data_dir` without it.
    """
    if target == BOT:
        return bot_server(
            target,
            emulator=emulator,
            signing_secret=signing_secret,
            workdir=workdir,
            data_dir=data_dir,
            group_channel=GROUP_CHANNEL,
            organiser_ids=(ORGANISER.id,),
            database_url=database_url,
            settings=settings,
        )
    return bare_server(
        target,
        emulator=emulator,
        signing_secret=signing_secret,
        workdir=workdir,
        process_before_response=target == BARE_FLOOR,
    )


def _log_file(workdir: Path, label: str) -> Path:
    return workdir / f"{label.replace(' ', '-')}.log"


def console_script(name: str) -> Path:
    """Find a console script installed next to this interpreter."""
    script = Path(sys.executable).parent / name
    if not script.exists():
        raise FileNotFoundError(f"{script} is missing: install the project with `pip install -e .`")
    return script


def project_pythonpath() -> str:
    """Return PYTHONPATH with the project's root first, so `benchmarks` imports from any directory."""
    return os.pathsep.join(part for part in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if part)
