"""Charts of the practices' figures, as PNG images for Slack."""

from __future__ import annotations

import io
import textwrap

from bot.language.countries import country_name
from bot.language.i18n import N_, _, n_
from store.attendance import MeetingFigures
from store.practices import Figures

TOP_COUNTRIES = 8
OTHER = "Other"  # the bar of the countries past the top ones (a key, not a country code)
OTHER_LABEL = N_("Other")
NO_COUNTRY = N_("No country")
# 1200 x 800 pixels: sharp at Slack's preview size, with text large enough to read there.
WIDTH_INCHES = 10.0
HEIGHT_INCHES = 20 / 3
DPI = 120
# Past this many topics the image grows taller, so that the bars keep room for their labels.
TOPICS_AT_BASE_HEIGHT = 10
INCHES_PER_EXTRA_TOPIC = 0.5
MIN_BAR_SLOTS = 4  # a panel with fewer bars keeps their thickness as if it had this many
LABEL_WIDTH = 28  # characters per line of a topic's label
OTHER_COLOUR = "#9e9e9e"


def practices_chart(figures: Figures, *, group_name: str) -> bytes | None:
    """Draw published practices by topic, stacked by country, beside their count by country; None if none."""
    if figures.total <= 0 or not figures.by_topic_and_country:
        return None
    # Imported here: matplotlib takes a while to load, and only organisers asking for figures need it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    top = [code for code, unused in figures.by_country[:TOP_COUNTRIES]]
    shown = top + ([OTHER] if len(figures.by_country) > TOP_COUNTRIES else [])
    topics = [topic for topic, unused in figures.by_topic]
    counts = {(topic, country): 0 for topic in topics for country in shown}
    for topic, code, count in figures.by_topic_and_country:
        key = (topic, code if code in top else OTHER)
        counts[key] = counts.get(key, 0) + count
    by_country = {code: count for code, count in figures.by_country[:TOP_COUNTRIES]}
    by_country[OTHER] = sum(count for unused, count in figures.by_country[TOP_COUNTRIES:])

    def name(code: str) -> str:
        if code == OTHER:
            return _(OTHER_LABEL)
        return country_name(code) or _(NO_COUNTRY)

    palette = _palette(len(top))
    colours = {code: palette[i] for i, code in enumerate(top)} | {OTHER: OTHER_COLOUR}

    extra = max(0, max(len(topics), len(shown)) - TOPICS_AT_BASE_HEIGHT)
    height = HEIGHT_INCHES + extra * INCHES_PER_EXTRA_TOPIC
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    by_topic_axes, by_country_axes = figure.subplots(1, 2, width_ratios=(2.2, 1))

    labels = ["\n".join(textwrap.wrap(topic, LABEL_WIDTH)) or _("(no topic)") for topic in topics]
    positions = range(len(topics))
    left = [0] * len(topics)
    for code in shown:
        widths = [counts[(topic, code)] for topic in topics]
        by_topic_axes.barh(positions, widths, left=left, color=colours[code], label=name(code), height=0.7)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    for position, total in zip(positions, left, strict=True):
        by_topic_axes.annotate(
            str(total), (total, position), xytext=(4, 0), textcoords="offset points", va="center", fontsize=10
        )
    by_topic_axes.set_yticks(list(positions), labels, fontsize=10)
    by_topic_axes.set_ylim(max(len(topics), MIN_BAR_SLOTS) - 0.5, -0.5)  # top down; few bars stay slim
    by_topic_axes.set_title(_("By topic and country"), fontsize=12, loc="left")
    by_topic_axes.set_xlabel(_("practices"))

    country_positions = range(len(shown))
    bars = by_country_axes.barh(
        country_positions, [by_country[code] for code in shown], color=[colours[code] for code in shown], height=0.7
    )
    by_country_axes.bar_label(bars, padding=3, fontsize=10)
    by_country_axes.set_yticks(list(country_positions), [name(code) for code in shown], fontsize=10)
    by_country_axes.set_ylim(max(len(shown), MIN_BAR_SLOTS) - 0.5, -0.5)  # top down; few bars stay slim
    by_country_axes.set_title(_("By country"), fontsize=12, loc="left")
    by_country_axes.set_xlabel(_("practices"))

    for axes, ticks in ((by_topic_axes, 10), (by_country_axes, 5)):
        axes.xaxis.set_major_locator(MaxNLocator(nbins=ticks, integer=True))
        axes.margins(x=0.12)
        axes.spines[["top", "right"]].set_visible(False)
        axes.grid(axis="x", alpha=0.3)
        axes.set_axisbelow(True)

    figure.legend(
        *by_topic_axes.get_legend_handles_labels(),
        loc="outside lower center",
        ncol=min(len(shown), 5),
        frameon=False,
        fontsize=10,
    )
    title = n_(
        "{group}: {count} published practice", "{group}: {count} published practices", figures.total, group=group_name
    )
    figure.suptitle(title, fontsize=14, fontweight="bold")

    image = io.BytesIO()
    figure.savefig(image, format="png", dpi=DPI, facecolor="white")
    return image.getvalue()


def attendance_chart(figures: list[MeetingFigures], *, group_name: str) -> bytes | None:
    """Draw each meeting held: registered, came and no-shows side by side, with the attendance rate; None if none."""
    if not figures:
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    labels = ["\n".join(textwrap.wrap(f"#{f.meeting.id} {f.meeting.title}", 16)[:3]) for f in figures]
    positions = list(range(len(figures)))
    width = 0.27
    series = (
        (_("registered"), [f.registered for f in figures], "#1f77b4", -width),
        (_("came"), [f.came for f in figures], "#2ca02c", 0.0),
        (_("no-shows"), [f.no_shows for f in figures], "#d62728", width),
    )
    for label, values, colour, shift in series:
        bars = axes.bar([p + shift for p in positions], values, width=width, color=colour, label=label)
        axes.bar_label(bars, padding=2, fontsize=9)
    axes.set_xticks(positions, labels, fontsize=9)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel(_("people"))
    axes.spines[["top"]].set_visible(False)
    rates = [(p, f.rate) for p, f in zip(positions, figures, strict=True) if f.rate is not None]
    if rates:
        share = axes.twinx()
        share.plot([p for p, _r in rates], [r for _p, r in rates], color="#333333", marker="o", label=_("rate"))
        share.set_ylim(0, 1.05)
        share.yaxis.set_major_formatter(PercentFormatter(1.0))
        share.set_ylabel(_("attendance rate"))
        share.spines[["top"]].set_visible(False)
    figure.legend(loc="outside lower center", ncol=4, frameon=False, fontsize=10)
    figure.suptitle(_("{group}: attendance by meeting", group=group_name), fontsize=14, fontweight="bold")
    image = io.BytesIO()
    figure.savefig(image, format="png", dpi=DPI, facecolor="white")
    return image.getvalue()


def _palette(count: int) -> list[str]:
    """Distinct colours for the top countries (tab10, without its grey, kept for "Other")."""
    tab10 = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf"]
    return [tab10[i % len(tab10)] for i in range(count)]
