"""Settings: the one place that reads the environment and `.env`."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from platformdirs import user_data_dir
from sqlalchemy.engine import make_url

from bot import config_values as values
from bot.config_values import MAX_CHOICE_LENGTH as MAX_CHOICE_LENGTH
from bot.config_values import MAX_CHOICES as MAX_CHOICES
from bot.config_values import cron_trigger as cron_trigger
from bot.config_values import format_offset as format_offset
from bot.config_values import parse_offsets as parse_offsets

logger = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://slack.com/api/"
DEFAULT_REMINDER_OFFSETS = "7d,1d,1h"
DEFAULT_LATE_POST_WINDOW = "6h"
DEFAULT_MEMBER_PRIORITY_BEFORE = "7d"
DEFAULT_WAITLIST_OFFER_TIME = "24h"
DEFAULT_SERIES_AHEAD = "90d"
DEFAULT_FEEDBACK_AFTER = "2h"
MEMBER_PRIORITIES = ("provisional", "waitlist")
DEFAULT_POST_LEASE = "30s"
DEFAULT_DIGEST_SCHEDULE = "0 9 * * mon"  # Mondays at 09:00 in GROUP_TIMEZONE
DEFAULT_CALL_SCHEDULE = "0 10 1 * *"  # the 1st of each month at 10:00 in GROUP_TIMEZONE
DEFAULT_POSTS_PER_SECOND = 5.0  # Slack allows several hundred messages a minute per workspace
DEFAULT_CHANNEL_POSTS_PER_SECOND = 1.0  # and about one a second in each channel
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")
MIN_CALENDAR_TOKEN_LENGTH = 16
MIN_METRICS_TOKEN_LENGTH = 16
CALENDAR_PATH = "/calendar.ics"
# The group's defaults; PRACTICE_TOPICS and PRACTICE_KINDS replace them (semicolon-separated).
DEFAULT_PRACTICE_TOPICS = (
    "Knowledge and skill development",
    "Mobilization, cooperation and people interaction",
    "Entrepreneurship and start-ups",
    "Mapping and developing digital ecosystems",
    "SME digital transformation toward Industry 4.0",
)
DEFAULT_PRACTICE_KINDS = (
    "Initiative",
    "Strategy",
    "Policy",
    "Good practice",
    "Bad practice / lesson learned",
    "Tool",
)
_TRUE, _FALSE = values.TRUE, values.FALSE


class ConfigError(Exception):
    """Raised when the environment holds missing or malformed settings; one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Secret:
    """A string that never shows itself in logs, reprs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the secret value, for the one place that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')" if self._value else "Secret('')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Settings:
    """Everything the bot is configured with, typed and validated."""

    bot_token: Secret
    signing_secret: Secret
    app_token: Secret
    api_base_url: str
    database_url: str = field(repr=False)
    data_dir: Path
    group_channel: str
    group_name: str
    organiser_ids: tuple[str, ...]
    group_timezone: str
    reminder_offsets: tuple[timedelta, ...]
    port: int
    share_port: bool = False  # several processes on this machine listen on PORT; the kernel spreads requests
    log_level: str = "INFO"
    log_format: str = "text"  # "text" for people, "json" (one object a line) for log collectors
    calendar_token: Secret = field(default_factory=lambda: Secret(""))  # empty: the calendar feed is off
    public_url: str = ""  # where the HTTP server is reachable, without a trailing slash
    metrics_token: Secret = field(default_factory=lambda: Secret(""))  # empty: /metrics needs no token
    practice_topics: tuple[str, ...] = DEFAULT_PRACTICE_TOPICS
    practice_kinds: tuple[str, ...] = DEFAULT_PRACTICE_KINDS
    moderation: bool = False  # whether new practices wait for an organiser before they are published
    # How late a post missed while the bot was down may still go out (with a note); later ones are skipped.
    late_post_window: timedelta = timedelta(hours=6)
    # How long a process holds a post it claimed; if it dies, another takes the post over after this.
    post_lease: timedelta = timedelta(seconds=30)
    digest_schedule: str = DEFAULT_DIGEST_SCHEDULE  # crontab in GROUP_TIMEZONE; "" is off
    call_schedule: str = DEFAULT_CALL_SCHEDULE  # the call for practices, likewise
    posts_per_second: float = DEFAULT_POSTS_PER_SECOND  # scheduled posts across the workspace
    channel_posts_per_second: float = DEFAULT_CHANNEL_POSTS_PER_SECOND  # and in any one channel
    # The group's language: channel posts, and whoever chose none and has no Slack locale the bot speaks.
    group_language: str = "en"
    # Members' priority for in-person places: "provisional" (a non-member's place gives way to a member's
    # until the registration deadline, or this long before the start) or "waitlist" (members first there only).
    member_priority: str = "provisional"
    member_priority_before: timedelta = timedelta(days=7)
    # How long a freed place is offered to the first in line before it goes to the next; None ("off"):
    # a freed place is given to the first in line at once.
    waitlist_offer_time: timedelta | None = timedelta(hours=24)
    series_ahead: timedelta = timedelta(days=90)  # how far ahead a series' meetings exist (the next one always)
    # How long after a meeting ends each registrant is asked for feedback; None ("off"): nobody is.
    feedback_after: timedelta | None = timedelta(hours=2)
    # The group's aims, for the welcome a newcomer to GROUP_CHANNEL gets; "" says the catalogs' own; None: no welcome.
    welcome_text: str | None = ""

    @property
    def socket_mode(self) -> bool:
        """Whether `run` connects over Socket Mode rather than serving HTTP."""
        return bool(self.app_token)

    @property
    def feed_url(self) -> str:
        """The calendar feed's address for members to subscribe to, or "" when it is off or unknown."""
        if not self.public_url or not self.calendar_token:
            return ""
        return f"{self.public_url}{CALENDAR_PATH}?token={quote(self.calendar_token.reveal(), safe='')}"

    @property
    def tz(self) -> ZoneInfo:
        """The group's time zone."""
        return ZoneInfo(self.group_timezone)

    def zone_for(self, tz: str | None) -> ZoneInfo:
        """A person's own time zone (Slack's `tz`), or the group's when they have none this system knows."""
        if tz:
            try:
                return ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError):
                logger.warning("unknown time zone %r; using the group's", tz)
        return self.tz

    @property
    def database_label(self) -> str:
        """The database URL with any password hidden, for logs."""
        return make_url(self.database_url).render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        """Whether the store is the embedded SQLite engine."""
        return self.database_url.startswith("sqlite")


def default_data_dir() -> Path:
    """Where the embedded database lives unless DATA_DIR says otherwise."""
    return Path(user_data_dir("tci-bot", appauthor=False))


def read_environment(env_file: str | os.PathLike[str] | None = ".env") -> dict[str, str]:
    """Merge `.env` (if present) under the process environment, which wins."""
    merged: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(os.environ)
    return merged


def load_settings(env: Mapping[str, str] | None = None, *, require_slack: bool = True) -> Settings:
    """Build the settings from `env` (default: `.env` plus the environment).

    With `require_slack`, the Slack credentials and the group channel must be present;
    the offline shell and the operator commands do without them.
    """
    env = read_environment() if env is None else env
    problems: list[str] = []

    def get(name: str, default: str = "") -> str:
        return env.get(name, default).strip()

    bot_token = get("SLACK_BOT_TOKEN")
    if bot_token and not bot_token.startswith("xoxb-"):
        problems.append("SLACK_BOT_TOKEN should be the bot token, which starts with xoxb-")
    elif not bot_token and require_slack:
        problems.append(
            "SLACK_BOT_TOKEN is missing: copy the Bot User OAuth Token (xoxb-...) from the app's "
            "OAuth & Permissions page"
        )

    app_token = get("SLACK_APP_TOKEN")
    signing_secret = get("SLACK_SIGNING_SECRET")
    if signing_secret and not re.fullmatch(r"[0-9a-fA-F]{16,128}", signing_secret):
        problems.append("SLACK_SIGNING_SECRET should be the hexadecimal Signing Secret from Basic Information")
    elif not signing_secret and require_slack and not app_token:  # Socket Mode's requests come unsigned
        problems.append(
            "SLACK_SIGNING_SECRET is missing: copy the Signing Secret from the app's Basic Information page "
            "(Socket Mode, with SLACK_APP_TOKEN, does without it)"
        )

    if app_token and not app_token.startswith("xapp-"):
        problems.append("SLACK_APP_TOKEN should be an app-level token starting with xapp- (or be left empty)")

    api_base_url = get("SLACK_API_BASE_URL", DEFAULT_API_BASE_URL) or DEFAULT_API_BASE_URL
    if not re.match(r"^https?://[^\s/]+", api_base_url):
        problems.append("SLACK_API_BASE_URL should be an http(s) URL such as https://slack.com/api/")
    elif not api_base_url.endswith("/"):
        api_base_url += "/"

    data_dir = Path(get("DATA_DIR") or default_data_dir()).expanduser()
    database_url = get("DATABASE_URL") or f"sqlite:///{data_dir / 'tci-bot.db'}"
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", database_url):
        problems.append(
            "DATABASE_URL should be an SQLAlchemy URL such as sqlite:///data/tci-bot.db "
            "or postgresql+psycopg://user@host/dbname"
        )
    elif database_url.startswith(("postgresql://", "postgres://")):
        database_url = "postgresql+psycopg://" + database_url.split("://", 1)[1]

    group_channel = get("GROUP_CHANNEL")
    if group_channel and not _CHANNEL_ID.match(group_channel):
        problems.append(
            "GROUP_CHANNEL should be a channel ID such as C0123ABCD (open the channel's details in Slack; "
            "the ID is at the bottom), not a channel name"
        )
    elif not group_channel and require_slack:
        problems.append("GROUP_CHANNEL is missing: the ID of the channel the group's posts go to, e.g. C0123ABCD")

    organiser_ids = tuple(part.strip() for part in get("ORGANISER_IDS").split(",") if part.strip())
    bad_ids = [uid for uid in organiser_ids if not _USER_ID.match(uid)]
    if bad_ids:
        problems.append(
            "ORGANISER_IDS should be comma-separated Slack user IDs such as U0123ABCD,U0456EFGH "
            f"(not understood: {', '.join(bad_ids)})"
        )

    group_timezone = get("GROUP_TIMEZONE", "UTC") or "UTC"
    try:
        ZoneInfo(group_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            f"GROUP_TIMEZONE should be an IANA time zone such as Europe/Madrid (not understood: {group_timezone})"
        )

    offsets_text = get("REMINDER_OFFSETS", DEFAULT_REMINDER_OFFSETS) or DEFAULT_REMINDER_OFFSETS
    reminder_offsets: tuple[timedelta, ...] = ()
    try:
        reminder_offsets = parse_offsets(offsets_text)
    except ValueError:
        problems.append(
            "REMINDER_OFFSETS should be positive offsets with units d, h, m or s, comma-separated, "
            f"such as 7d,1d,1h (not understood: {offsets_text})"
        )

    port_text = get("PORT", "3000") or "3000"
    port = 0
    if port_text.isdecimal() and 0 < int(port_text) < 65536:
        port = int(port_text)
    else:
        problems.append(f"PORT should be a TCP port number between 1 and 65535 (not understood: {port_text})")

    share_port_text = get("SHARE_PORT").lower()
    if share_port_text not in _TRUE + _FALSE:
        problems.append(f"SHARE_PORT should be on or off (not understood: {share_port_text})")

    log_level = (get("LOG_LEVEL", "INFO") or "INFO").upper()
    if log_level not in _LOG_LEVELS:
        problems.append(f"LOG_LEVEL should be one of {', '.join(_LOG_LEVELS)} (not understood: {log_level})")

    log_format = (get("LOG_FORMAT", "text") or "text").lower()
    if log_format not in LOG_FORMATS:
        problems.append(
            f"LOG_FORMAT should be text (lines for people) or json (one JSON object a line, for log collectors) "
            f"(not understood: {log_format})"
        )

    calendar_token = get("CALENDAR_TOKEN")
    if calendar_token and len(calendar_token) < MIN_CALENDAR_TOKEN_LENGTH:
        problems.append(
            f"CALENDAR_TOKEN should be a hard-to-guess string of at least {MIN_CALENDAR_TOKEN_LENGTH} characters "
            "(or be left empty to turn the calendar feed off)"
        )

    metrics_token = get("METRICS_TOKEN")
    if metrics_token and len(metrics_token) < MIN_METRICS_TOKEN_LENGTH:
        problems.append(
            f"METRICS_TOKEN should be a hard-to-guess string of at least {MIN_METRICS_TOKEN_LENGTH} characters "
            "(or be left empty to serve /metrics without one)"
        )

    public_url = get("PUBLIC_URL").rstrip("/")
    if public_url and not values.is_base_url(public_url):
        problems.append(
            "PUBLIC_URL should be the http(s) address where the bot's HTTP server is reachable, "
            f"such as https://bot.example.org (not understood: {public_url})"
        )

    practice_topics = values.choices(get("PRACTICE_TOPICS"), DEFAULT_PRACTICE_TOPICS, "PRACTICE_TOPICS", problems)
    practice_kinds = values.choices(get("PRACTICE_KINDS"), DEFAULT_PRACTICE_KINDS, "PRACTICE_KINDS", problems)

    moderation_text = get("PRACTICE_MODERATION").lower()
    if moderation_text not in _TRUE + _FALSE:
        problems.append(f"PRACTICE_MODERATION should be on or off (not understood: {moderation_text})")

    late_post_window = values.length(get("LATE_POST_WINDOW"), DEFAULT_LATE_POST_WINDOW, "LATE_POST_WINDOW", problems)
    member_priority = (get("MEMBER_PRIORITY") or "provisional").lower()
    if member_priority not in MEMBER_PRIORITIES:
        problems.append(f"MEMBER_PRIORITY should be provisional or waitlist (not understood: {member_priority})")
        member_priority = "provisional"
    before_text = get("MEMBER_PRIORITY_BEFORE")
    member_priority_before = values.length(
        before_text, DEFAULT_MEMBER_PRIORITY_BEFORE, "MEMBER_PRIORITY_BEFORE", problems
    )
    offer_text = get("WAITLIST_OFFER_TIME")
    waitlist_offer_time = values.length_or_off(offer_text, DEFAULT_WAITLIST_OFFER_TIME, "WAITLIST_OFFER_TIME", problems)
    post_lease = values.length(get("POST_LEASE"), DEFAULT_POST_LEASE, "POST_LEASE", problems)
    series_ahead = values.length(get("SERIES_AHEAD"), DEFAULT_SERIES_AHEAD, "SERIES_AHEAD", problems)
    feedback_after = values.length_or_off(get("FEEDBACK_AFTER"), DEFAULT_FEEDBACK_AFTER, "FEEDBACK_AFTER", problems)

    zone = ZoneInfo(group_timezone) if not any(p.startswith("GROUP_TIMEZONE") for p in problems) else ZoneInfo("UTC")
    digest_schedule = values.schedule(
        get("DIGEST_SCHEDULE", DEFAULT_DIGEST_SCHEDULE), "DIGEST_SCHEDULE", zone, problems
    )
    call_schedule = values.schedule(
        get("CALL_FOR_PRACTICES_SCHEDULE", DEFAULT_CALL_SCHEDULE), "CALL_FOR_PRACTICES_SCHEDULE", zone, problems
    )
    posts_per_second = values.rate(get("POSTS_PER_SECOND"), DEFAULT_POSTS_PER_SECOND, "POSTS_PER_SECOND", problems)
    channel_posts_per_second = values.rate(
        get("CHANNEL_POSTS_PER_SECOND"), DEFAULT_CHANNEL_POSTS_PER_SECOND, "CHANNEL_POSTS_PER_SECOND", problems
    )

    group_language = (get("GROUP_LANGUAGE", "en") or "en").strip()
    if not re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?", group_language):
        problems.append(
            f"GROUP_LANGUAGE should be a language code such as en, es or pt-BR (not understood: {group_language})"
        )

    if problems:
        raise ConfigError(problems)

    return Settings(
        bot_token=Secret(bot_token),
        signing_secret=Secret(signing_secret),
        app_token=Secret(app_token),
        api_base_url=api_base_url,
        database_url=database_url,
        data_dir=data_dir,
        group_channel=group_channel,
        group_name=get("GROUP_NAME") or "Learning group",
        organiser_ids=organiser_ids,
        group_timezone=group_timezone,
        reminder_offsets=reminder_offsets,
        port=port,
        share_port=share_port_text in _TRUE,
        log_level=log_level,
        log_format=log_format,
        calendar_token=Secret(calendar_token),
        public_url=public_url,
        metrics_token=Secret(metrics_token),
        practice_topics=practice_topics,
        practice_kinds=practice_kinds,
        moderation=moderation_text in _TRUE,
        late_post_window=late_post_window,
        post_lease=post_lease,
        digest_schedule=digest_schedule,
        call_schedule=call_schedule,
        posts_per_second=posts_per_second,
        channel_posts_per_second=channel_posts_per_second,
        group_language=group_language,
        member_priority=member_priority,
        member_priority_before=member_priority_before,
        waitlist_offer_time=waitlist_offer_time,
        series_ahead=series_ahead,
        feedback_after=feedback_after,
        welcome_text=None if get("WELCOME_TEXT").lower() in _FALSE[:-1] else get("WELCOME_TEXT"),
    )
