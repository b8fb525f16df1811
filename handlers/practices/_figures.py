"""The evidence: figures by topic, kind, country and month, and the export for organisers."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from bot.services import export
from bot.views import blocks, charts
from bot.views import practices as views
from handlers.routing import Call
from store import practices as store
from store.models import PracticeStatus

ALL_STATUSES = tuple(PracticeStatus)


# Evidence: figures and export -------------------------------------------------------------------


def _bar(count: int, largest: int, width: int = 12) -> str:
    return "█" * max(1, round(width * count / largest)) if largest else ""


def stats(call: Call) -> None:
    """Counts by topic, kind, country and month; the chart goes to the person's direct messages."""
    with call.deps.sessions() as session:
        figures = store.figures(session=session)
    if not figures.total:
        call.reply("No practice is published yet, so there is nothing to count. `/practice` shares the first.")
        return

    def table(title: str, rows: list[tuple[str, int]], label: Any = blocks.escape) -> blocks.Block:
        largest = max(count for _, count in rows)
        lines = [f"`{_bar(count, largest):<12}` {count:>4}  {label(name) or '—'}" for name, count in rows[:15]]
        if len(rows) > 15:
            lines.append(f"_and {len(rows) - 15} more_")
        return blocks.section(f"*{title}*\n" + "\n".join(lines))

    heading = f"{figures.total} published practice{'s' if figures.total != 1 else ''}"
    body = [
        blocks.header(heading),
        table("By topic", figures.by_topic),
        table("By kind", figures.by_kind),
        table("By country", figures.by_country, views.country_label),
        table("By month (last 12)", figures.by_month[-12:], str),
        blocks.context("The chart of practices by topic and country is in your direct messages."),
    ]
    call.reply(heading, body)
    chart = charts.practices_chart(figures, group_name=call.deps.settings.group_name)
    if chart is None:
        return
    channel = call.client.conversations_open(users=call.user_id)["channel"]["id"]
    call.client.files_upload_v2(
        channel=channel,
        filename="practices-by-topic-and-country.png",
        title="Practices by topic and country",
        content=chart,
        initial_comment=f"Practices by topic and country: {heading}.",
    )


def export_command(call: Call) -> None:
    """Every practice as a CSV or JSON file, sent to the organiser's direct messages."""
    words = call.args.lower().split()
    fmt = words[0] if words else "csv"
    if fmt not in export.FORMATS or words[1:] not in ([], ["all"]):
        call.reply(
            "Say which format: `/practice export csv` or `/practice export json`; "
            "add `all` for pending and rejected ones too."
        )
        return
    statuses = ALL_STATUSES if words[1:] == ["all"] else (PracticeStatus.PUBLISHED,)
    filename = export.export_filename("practices", fmt, call.deps.clock())
    with tempfile.TemporaryDirectory(prefix="tci-export-") as folder:
        path = Path(folder) / filename
        with path.open("w", encoding="utf-8", newline="") as out:
            count = export.write_practices(call.deps.engine, fmt, out, statuses=statuses)
        which = "every status" if statuses == ALL_STATUSES else "published"
        channel = call.client.conversations_open(users=call.user_id)["channel"]["id"]
        call.client.files_upload_v2(
            channel=channel,
            file=str(path),
            filename=filename,
            title=f"Practices ({fmt.upper()})",
            initial_comment=f"{_plural(count, 'practice')} ({which}), one per row.",
        )
    call.reply(f":outbox_tray: Exported {_plural(count, 'practice')}; the {fmt.upper()} file is in your DMs.")


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"
