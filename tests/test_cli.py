"""The command line as an operator uses it: clear errors, clean shutdown, the scripted shell."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

from bot.localslack import LocalWorkspace, SlackEmulator
from bot.localslack.local import MEMBER, PEOPLE
from bot.server import WebApp
from store.db import is_reachable, make_engine, session_factory

SECRET = "0123456789abcdef0123456789abcdef"


def tci_bot(*args: str, env: dict[str, str], cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,  # type: ignore[arg-type]
    )


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "GROUP_", "PORT"))}
    return {**keep, "DATA_DIR": str(tmp_path / "data"), **extra}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_bad_configuration_is_one_clear_line_per_problem(tmp_path: Path) -> None:
    result = tci_bot("run", env=clean_env(tmp_path, SLACK_BOT_TOKEN="xoxp-nope", PORT="http"), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "xoxp-nope" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert [line.split()[1] for line in lines] == ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "GROUP_CHANNEL", "PORT"]


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("GROUP_CHANNEL=general\n")
    result = tci_bot("run", env=clean_env(tmp_path), cwd=tmp_path)
    assert "error: GROUP_CHANNEL should be a channel ID" in result.stderr


def test_db_upgrade_and_manifest(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    upgraded = tci_bot("db", "upgrade", env=env, cwd=tmp_path)
    assert upgraded.returncode == 0 and "database at revision" in upgraded.stdout
    assert (tmp_path / "data" / "tci-bot.db").exists()
    manifest = tci_bot("manifest", "--url", "https://bot.example.org", env=env, cwd=tmp_path)
    assert json.loads(manifest.stdout)["settings"]["interactivity"]["request_url"].endswith("/slack/events")


def test_run_serves_slack_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    with SlackEmulator(users=PEOPLE.values()) as emulator:
        env = clean_env(
            tmp_path,
            SLACK_BOT_TOKEN=emulator.bot_token,
            SLACK_SIGNING_SECRET=SECRET,
            GROUP_CHANNEL="C0GROUP",
            SLACK_API_BASE_URL=emulator.base_url,
            PORT=str(port),
            ORGANISER_IDS="U0ORG",
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True
        )
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    with urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                        assert response.status == 200
                        break
                except OSError:
                    assert time.monotonic() < deadline, "the bot did not become healthy"
                    time.sleep(0.1)
            workspace = LocalWorkspace(
                events_url=f"http://127.0.0.1:{port}/slack/events", signing_secret=SECRET, emulator=emulator
            )
            assert workspace.slash_command(MEMBER.id, "/tci", "help").status == 200
            assert workspace.slash_command(MEMBER.id, "/tci", "whoami").status == 200
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
        # The work the last request started was finished before the process left.
        assert any(d.kind == "response" and "You are" in (d.text or "") for d in emulator.deliveries)
        assert "Traceback" not in (process.stderr.read() if process.stderr else "")


def test_scripted_shell_prints_the_transcript(tmp_path: Path) -> None:
    result = tci_bot("shell", "--demo", env=clean_env(tmp_path), cwd=tmp_path, input="/tci help\n/meetings help\n")
    assert result.returncode == 0, result.stderr
    assert "/tci: the" in result.stdout and "/tci whoami" in result.stdout
    assert "/meetings: the group's meetings" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_the_shell_runs_over_socket_mode_too(tmp_path: Path) -> None:
    script = "/meetings next\n3\n:quit\n"
    result = tci_bot("shell", "--demo", "--socket-mode", env=clean_env(tmp_path), cwd=tmp_path, input=script)
    assert result.returncode == 0, result.stderr
    assert "with the bot over Socket Mode" in result.stdout
    assert "Online exchange: SME digital transformation (#4)" in result.stdout and "file meeting-4-" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_health_is_503_when_the_database_is_unreachable() -> None:
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", pool_size=1, max_overflow=0)
    app = WebApp(None, lambda: is_reachable(engine))
    statuses: list[str] = []
    body = b"".join(app({"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"}, lambda s, h: statuses.append(s)))
    assert statuses == ["503 Service Unavailable"] and b"unreachable" in body


def test_schedule_lists_planned_posts_for_operators(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from store import schedule
    from store.models import PostKind
    from store.schedule import PlannedPost

    env = clean_env(tmp_path, GROUP_TIMEZONE="Europe/Brussels")
    assert tci_bot("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'tci-bot.db'}")
    now = datetime.now(UTC)
    with session_factory(engine)() as session:
        schedule.plan(
            session=session,
            posts=[
                PlannedPost(
                    key="announce:a", kind=PostKind.ANNOUNCEMENT, channel="C0GROUP", due_at=now + timedelta(hours=2)
                ),
                PlannedPost(key="digest:b", kind=PostKind.DIGEST, channel="C0GROUP", due_at=now + timedelta(days=3)),
            ],
            now=now,
        )
        (claimed,) = schedule.claim_due(session=session, worker="w", now=now + timedelta(hours=3), limit=1)
        schedule.mark_failed(session=session, post_id=claimed.id or 0, worker="w", error="channel_not_found", now=now)
    engine.dispose()

    table = tci_bot("schedule", env=env, cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "announcement" in table.stdout and "digest" in table.stdout and "channel_not_found" in table.stdout
    assert "CET" in table.stdout and "1 pending" in table.stdout and "1 failed" in table.stdout
    failed = tci_bot("schedule", "--status", "failed", "--json", env=env, cwd=tmp_path)
    records = [json.loads(line) for line in failed.stdout.splitlines()]
    assert [(r["key"], r["status"], r["last_error"]) for r in records] == [
        ("announce:a", "failed", "channel_not_found")
    ]
    wrong = tci_bot("schedule", "--status", "lost", env=env, cwd=tmp_path)
    assert wrong.returncode == 2 and "--status should be one of" in wrong.stderr and "Traceback" not in wrong.stderr


def test_version_is_the_installed_one(tmp_path: Path) -> None:
    from importlib.metadata import version

    result = tci_bot("--version", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"tci-bot {version('tci-bot')}"


def test_db_current_creates_nothing(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    result = tci_bot("db", "current", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"no database at sqlite:///{tmp_path / 'data' / 'tci-bot.db'}")
    assert not (tmp_path / "data").exists()
    assert tci_bot("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    assert "newest" in tci_bot("db", "current", env=env, cwd=tmp_path).stdout


def test_schedule_and_export_read_the_shells_demo_data(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    before = tci_bot("export", "practices", "--demo", "--out", "-", env=env, cwd=tmp_path)
    assert before.returncode == 1 and "`tci-bot shell --demo` makes it" in before.stderr
    assert tci_bot("shell", "--demo", env=env, cwd=tmp_path, input=":quit\n").returncode == 0
    practices = tci_bot("export", "practices", "--demo", "--out", "-", env=env, cwd=tmp_path)
    assert practices.returncode == 0 and "wrote 12 practices" in practices.stderr
    assert "Digital skills vouchers" in practices.stdout
    assert tci_bot("export", "--demo", "registrations", "--out", "-", env=env, cwd=tmp_path).returncode == 0
    planned = tci_bot("schedule", "--demo", "--json", env=env, cwd=tmp_path)
    assert planned.returncode == 0, planned.stderr
    assert "digest" in {json.loads(line)["kind"] for line in planned.stdout.splitlines()}
    assert not (tmp_path / "data" / "tci-bot.db").exists()  # the configured database was never touched


def test_the_shell_never_writes_into_the_configured_database(tmp_path: Path) -> None:
    production = tmp_path / "group.db"
    env = clean_env(tmp_path, DATABASE_URL=f"sqlite:///{production}")
    assert tci_bot("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    result = tci_bot("shell", "--as", "organiser", env=env, cwd=tmp_path, input="/tci whoami\n/tci organisers\n")
    assert result.returncode == 0, result.stderr
    assert "an *organiser*" not in result.stdout and "organiser" in result.stdout
    engine = make_engine(f"sqlite:///{production}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM people").scalar() == 0
    finally:
        engine.dispose()
    assert (tmp_path / "data" / "shell.db").exists()
