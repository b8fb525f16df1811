"""Servers under test, each in its own process: start, wait until healthy, stop with SIGTERM."""

from __future__ import annotations

import http.client
import logging
import os
import signal
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from benchmarks.common import HOST, BenchmarkError

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
POLL_SECONDS = 0.02
STOP_TIMEOUT_SECONDS = 20.0
KILL_TIMEOUT_SECONDS = 5.0
LOG_TAIL_CHARS = 2000


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

    def stop(self) -> int:
        """Send SIGTERM and wait for the exit; kill it if it does not go in time. Return the exit code."""
        process = self._require_process()
        if process.poll() is not None:
            return process.returncode
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            logger.warning("%s did not stop within %.0f s of SIGTERM; killing it", self.name, STOP_TIMEOUT_SECONDS)
            return self.kill()

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
    def running(self) -> bool:
        """Whether the process has been started and has not exited."""
        return self._process is not None and self._process.poll() is None

    def log_tail(self) -> str:
        """Return the end of what the process wrote."""
        try:
            text = self._log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return text[-LOG_TAIL_CHARS:]

    def _require_process(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            raise RuntimeError(f"{self.name} was not started")
        return self._process


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
    """Return this process's environment without the variables named in `drop`, plus `overrides`."""
    dropped = set(drop)
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(overrides)
    return env
