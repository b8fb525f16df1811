"""A practice's fields as its author gives them, each declared once: the draft, its limits, and FIELDS."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields, replace
from dataclasses import field as dataclass_field
from typing import Any, Literal

from store.models import Practice

TITLE_LIMIT = 150
ORGANISATION_LIMIT = 200
COUNTRY_LIMIT = 60  # a country's name as typed; it is stored as its two-letter code
TEXT_LIMIT = 3000  # Slack's limit for a plain-text input
URL_LIMIT = 2000


@dataclass(frozen=True)
class PracticeField:
    """One field of a practice as its author gives it: what the form asks, and what the field may hold."""

    label: str
    hint: str = ""
    required: bool = False
    limit: int = 0  # at most this many characters as typed (0: a menu, held to its choices)
    multiline: bool = False
    # A menu's choices: the name of the setting that lists them (the group's kinds or topics).
    choices: Literal["", "practice_kinds", "practice_topics"] = ""
    # How the typed text is read: as written, as a country (stored as its code), or as a web link.
    reads: Literal["text", "country", "link"] = "text"
    name: str = ""  # the draft's attribute it declares (filled in from it)


def _declared(spec: PracticeField) -> Any:
    """A draft attribute declared by `spec`: a required one has no default, the others default to ""."""
    return dataclass_field(default=MISSING if spec.required else "", metadata={"spec": spec})


@dataclass(frozen=True, kw_only=True)
class PracticeDraft:
    """The fields of a practice as its author gives them, each declared once, here, in the form's order.

    `FIELDS` holds the declarations: the form, its checks, the edit pre-fill, the store's edits and
    the export read them. A draft is validated by the caller (the form's checks).
    """

    title: str = _declared(
        PracticeField("Title", "A short name, e.g. Digital skills academy for cluster SMEs", True, TITLE_LIMIT)
    )
    kind: str = _declared(PracticeField("Kind", required=True, choices="practice_kinds"))
    topic: str = _declared(PracticeField("Topic", required=True, choices="practice_topics"))
    organisation: str = _declared(
        PracticeField("Organisation or cluster", "Who ran it, e.g. Basque ICT cluster", limit=ORGANISATION_LIMIT)
    )
    country: str = _declared(
        PracticeField("Country", "A name or code, e.g. Spain or ES", limit=COUNTRY_LIMIT, reads="country")
    )
    summary: str = _declared(
        PracticeField("Summary", "What it is and why it matters, in a few sentences", True, TEXT_LIMIT, True)
    )
    evidence: str = _declared(
        PracticeField(
            "What happened, and the evidence",
            "Results and figures: firms reached, money, time saved",
            limit=TEXT_LIMIT,
            multiline=True,
        )
    )
    link: str = _declared(
        PracticeField("Link", "An https:// link to read more (optional)", limit=URL_LIMIT, reads="link")
    )

    def values(self) -> dict[str, Any]:
        """The draft as column values."""
        return {name: getattr(self, name) for name in EDITABLE}

    @classmethod
    def of(cls, practice: Practice) -> PracticeDraft:
        """The editable fields of a stored practice."""
        return cls(**{name: getattr(practice, name) for name in EDITABLE})


# Every field of a practice that its author gives, in the form's order.
FIELDS: tuple[PracticeField, ...] = tuple(replace(f.metadata["spec"], name=f.name) for f in fields(PracticeDraft))
# What a practice is made of, as its author gives it; everything else is the bot's bookkeeping.
EDITABLE: tuple[str, ...] = tuple(spec.name for spec in FIELDS)
