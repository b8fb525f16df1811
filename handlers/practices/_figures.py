"""The evidence: figures by topic, kind, country and month with a chart, and the export for organisers."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bot.services import export
from bot.services import practices as service
from bot.views import charts
from bot.views import practices as views
from handlers.routing import Call

FORMAT_HELP = (
    "Say which format: `/practice export csv` or `/practice export json`; add `all` for pending and rejected ones too."
)


def _direct_channel(call: Call) -> str:
    return str(call.client.conversations_open(users=call.user_id)["channel"]["id"])


def stats(call: Call) -> None:
    """Counts by topic, kind, country and month; the chart goes to the person's direct messages."""
    figures = service.figures(call.deps)
    heading, body = views.figures_message(figures)
    call.reply(heading, body)
    chart = charts.practices_chart(figures, group_name=call.deps.settings.group_name)
    if chart is None:
        return
    call.client.files_upload_v2(
        channel=_direct_channel(call),
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
        call.reply(FORMAT_HELP)
        return
    with tempfile.TemporaryDirectory(prefix="tci-export-") as folder:
        exported = service.export_file(call.deps, fmt=fmt, folder=Path(folder), everything=words[1:] == ["all"])
        which = "every status" if exported.everything else "published"
        call.client.files_upload_v2(
            channel=_direct_channel(call),
            file=str(exported.path),
            filename=exported.path.name,
            title=f"Practices ({fmt.upper()})",
            initial_comment=f"{views.plural(exported.count, 'practice')} ({which}), one per row.",
        )
    call.reply(
        f":outbox_tray: Exported {views.plural(exported.count, 'practice')}; the {fmt.upper()} file is in your DMs."
    )
