"""Settings: every variable read, malformed values named clearly, secrets never shown."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import ConfigError, format_offset, load_settings, parse_offsets

GOOD = {
    "SLACK_BOT_TOKEN": "xoxb-123-456-abcdef",
    "SLACK_SIGNING_SECRET": "0123456789abcdef0123456789abcdef",
    "GROUP_CHANNEL": "C0123ABCD",
    "ORGANISER_IDS": "U0123ABCD, U0456EFGH",
    "GROUP_TIMEZONE": "Europe/Madrid",
    "REMINDER_OFFSETS": "1h,7d,1d",
    "PORT": "8080",
    "DATABASE_URL": "postgresql://tci:hunter2@db.example.org/tci",
}


def test_every_variable_is_read() -> None:
    settings = load_settings(GOOD)
    assert settings.bot_token.reveal() == "xoxb-123-456-abcdef"
    assert settings.organiser_ids == ("U0123ABCD", "U0456EFGH")
    assert settings.reminder_offsets == (timedelta(days=7), timedelta(days=1), timedelta(hours=1))
    assert settings.port == 8080 and settings.group_channel == "C0123ABCD"
    assert settings.api_base_url == "https://slack.com/api/"
    assert settings.database_url == "postgresql+psycopg://tci:hunter2@db.example.org/tci"
    assert not settings.socket_mode
    assert load_settings({**GOOD, "SLACK_APP_TOKEN": "xapp-1-abc"}).socket_mode


def test_secrets_never_appear_in_reprs() -> None:
    settings = load_settings({**GOOD, "SLACK_APP_TOKEN": "xapp-1-secretvalue"})
    shown = repr(settings) + str(settings)
    for secret in ("xoxb-123-456-abcdef", "0123456789abcdef0123456789abcdef", "xapp-1-secretvalue", "hunter2"):
        assert secret not in shown
    assert "hunter2" not in settings.database_label


def test_sqlite_is_the_default_under_the_data_dir(tmp_path: object) -> None:
    settings = load_settings({"DATA_DIR": str(tmp_path)}, require_slack=False)
    assert settings.database_url == f"sqlite:///{tmp_path}/tci-bot.db"
    assert settings.is_sqlite


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "starts with xoxb-"),
        ("SLACK_SIGNING_SECRET", "not hex!", "hexadecimal Signing Secret"),
        ("SLACK_APP_TOKEN", "xoxb-wrong", "starting with xapp-"),
        ("SLACK_API_BASE_URL", "slack.com/api", "http(s) URL"),
        ("DATABASE_URL", "mysql://x", "SQLAlchemy URL"),
        ("GROUP_CHANNEL", "#general", "channel ID such as C0123ABCD"),
        ("ORGANISER_IDS", "U0123ABCD,@ana", "not understood: @ana"),
        ("GROUP_TIMEZONE", "Mars/Olympus", "IANA time zone"),
        ("REMINDER_OFFSETS", "7 days", "units d, h, m or s"),
        ("REMINDER_OFFSETS", "0h", "units d, h, m or s"),
        ("PORT", "99999", "between 1 and 65535"),
        ("PORT", "²", "between 1 and 65535"),
        ("SHARE_PORT", "sometimes", "SHARE_PORT should be on or off"),
        ("LOG_LEVEL", "LOUD", "one of DEBUG"),
        ("LOG_FORMAT", "xml", "text (lines for people) or json"),
        ("METRICS_TOKEN", "short", "at least 16 characters"),
        ("LATE_POST_WINDOW", "a while", "one duration"),
        ("LATE_POST_WINDOW", "1h,2h", "one duration"),
        ("POST_LEASE", "0s", "one duration"),
        ("DIGEST_SCHEDULE", "0 9 * * 1", "day of the week as a name"),
        ("DIGEST_SCHEDULE", "mondays at nine", "crontab line"),
        ("CALL_FOR_PRACTICES_SCHEDULE", "0 25 1 * *", "crontab line"),
        ("POSTS_PER_SECOND", "fast", "number of posts a second"),
        ("CHANNEL_POSTS_PER_SECOND", "0", "number of posts a second"),
    ],
)
def test_a_malformed_value_gets_one_line_naming_it(name: str, value: str, said: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({**GOOD, name: value})
    assert len(error.value.problems) == 1
    problem = error.value.problems[0]
    assert problem.startswith(name) and said in problem
    if "TOKEN" in name or "SECRET" in name:
        assert value not in problem


def test_missing_slack_settings_are_listed_together() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({})
    names = [problem.split()[0] for problem in error.value.problems]
    assert names == ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "GROUP_CHANNEL"]
    load_settings({}, require_slack=False)  # the shell and operator commands do without them


def test_the_scheduler_settings_and_their_defaults() -> None:
    defaults = load_settings(GOOD)
    assert defaults.late_post_window == timedelta(hours=6) and defaults.post_lease == timedelta(seconds=30)
    assert (defaults.digest_schedule, defaults.call_schedule) == ("0 9 * * mon", "0 10 1 * *")
    assert (defaults.posts_per_second, defaults.channel_posts_per_second) == (5.0, 1.0)
    chosen = load_settings(
        {**GOOD, "LATE_POST_WINDOW": "30m", "DIGEST_SCHEDULE": "off", "CALL_FOR_PRACTICES_SCHEDULE": "0  8 * * fri"}
    )
    assert chosen.late_post_window == timedelta(minutes=30)
    assert (chosen.digest_schedule, chosen.call_schedule) == ("", "0 8 * * fri")


def test_log_format_and_metrics_token() -> None:
    defaults = load_settings(GOOD)
    assert defaults.log_format == "text" and not defaults.metrics_token
    chosen = load_settings({**GOOD, "LOG_FORMAT": "JSON", "METRICS_TOKEN": "a-long-enough-scrape-token"})
    assert chosen.log_format == "json" and chosen.metrics_token.reveal() == "a-long-enough-scrape-token"
    assert "a-long-enough-scrape-token" not in repr(chosen)


def test_offsets_round_trip() -> None:
    assert parse_offsets("90m, 2h,1d") == (timedelta(days=1), timedelta(hours=2), timedelta(minutes=90))
    assert [format_offset(o) for o in parse_offsets("7d,36h,90m,45s")] == ["7d", "36h", "90m", "45s"]
