"""The evidence: figures by topic, kind, country and month with a chart, and the export for organisers."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bot.language.i18n import N_, _, n_
from bot.services import export
from bot.services import practices as service
from bot.views import charts
from bot.views import practices as views
from handlers.direct import direct_channel, send_chart
from handlers.routing import Call

FORMAT_HELP = N_(
    "Say which format: `/practice export csv` or `/practice export json`; add `all` for pending and rejected ones too."
)


def stats(call: Call) -> None:
    """Counts by topic, kind, country and month; the chart goes to the person's direct messages."""
    figures = service.figures(call.deps)
    heading, body = views.figures_message(figures)
    call.reply(heading, body)
    send_chart(
        call,
        charts.practices_chart(figures, group_name=call.deps.settings.group_name),
        filename=_("practices-by-topic-and-country.png"),
        title=_("Practices by topic and country"),
        comment=_("Practices by topic and country: {heading}.", heading=heading),
    )


def export_command(call: Call) -> None:
    """Every practice as a CSV or JSON file, sent to the organiser's direct messages."""
    words = call.args.lower().split()
    fmt = words[0] if words else "csv"
    if fmt not in export.FORMATS or words[1:] not in ([], ["all"]):
        call.reply(_(FORMAT_HELP))
        return
    with tempfile.TemporaryDirectory(prefix="tci-export-") as folder:
        exported = service.export_file(call.deps, fmt=fmt, folder=Path(folder), everything=words[1:] == ["all"])
        call.client.files_upload_v2(
            channel=direct_channel(call),
            file=str(exported.path),
            filename=exported.path.name,
            title=_("Practices ({format})", format=fmt.upper()),
            initial_comment=_export_comment(exported),
        )
    call.reply(
        n_(
            ":outbox_tray: Exported {count} practice; the {format} file is in your DMs.",
            ":outbox_tray: Exported {count} practices; the {format} file is in your DMs.",
            exported.count,
            format=fmt.upper(),
        )
    )


def _export_comment(exported: service.Exported) -> str:
    """What the exported file holds: how many practices, and whether of every status or published only."""
    if exported.everything:
        return n_(
            "{count} practice (every status), one per row.",
            "{count} practices (every status), one per row.",
            exported.count,
        )
    return n_(
        "{count} practice (published), one per row.", "{count} practices (published), one per row.", exported.count
    )
