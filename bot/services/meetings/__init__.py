"""The meetings' use cases: reading them, answering them, organising them, their cards and their FAQ.

Each use case opens one session for its work; a change writes what it owes (a card's update, a
direct message) in its own transaction, for the sender to deliver (bot.services.outbox).
"""

from __future__ import annotations

from bot.services.meetings._attendance import (
    HERE_FROM,
    Marked,
    Presence,
    Said,
    attendance_figures,
    i_am_here,
    take_attendance,
)
from bot.services.meetings._attendees import Attendees, attendees, attendees_csv, send_attendees_csv
from bot.services.meetings._browsing import (
    Details,
    Home,
    Listing,
    details,
    find_meeting,
    home,
    next_meeting,
    past,
    upcoming,
)
from bot.services.meetings._calendar import calendar_of
from bot.services.meetings._cards import (
    Announced,
    Announcement,
    post_card,
)
from bot.services.meetings._cards import register_renderers as register_card_renderers
from bot.services.meetings._faq import (
    FaqAdded,
    FaqTranslated,
    add_faq,
    faq_entries,
    faq_translations,
    reminders_wanted,
    remove_faq,
    translate_faq,
)
from bot.services.meetings._offers import Pressed, Reply, answer_offer
from bot.services.meetings._offers import register_renderers as register_offer_renderers
from bot.services.meetings._organising import (
    Cancelled,
    Saved,
    cancel_meeting,
    create_from_preview,
    editable,
    plan_saved,
    read_quick,
    registrant_count,
    save_form,
    series_rule,
)
from bot.services.meetings._registration import Answered, Closed, answer_meeting, waitlist_place, why_closed
from bot.services.meetings._series import extend_series

__all__ = [
    "HERE_FROM",
    "Announced",
    "Announcement",
    "Answered",
    "Attendees",
    "Cancelled",
    "Closed",
    "Details",
    "FaqAdded",
    "FaqTranslated",
    "Home",
    "Listing",
    "Marked",
    "Presence",
    "Pressed",
    "Reply",
    "Said",
    "Saved",
    "add_faq",
    "answer_meeting",
    "answer_offer",
    "attendance_figures",
    "attendees",
    "attendees_csv",
    "calendar_of",
    "cancel_meeting",
    "create_from_preview",
    "details",
    "editable",
    "extend_series",
    "faq_entries",
    "faq_translations",
    "find_meeting",
    "home",
    "i_am_here",
    "next_meeting",
    "past",
    "plan_saved",
    "post_card",
    "read_quick",
    "register_card_renderers",
    "register_offer_renderers",
    "registrant_count",
    "reminders_wanted",
    "remove_faq",
    "save_form",
    "send_attendees_csv",
    "series_rule",
    "take_attendance",
    "translate_faq",
    "upcoming",
    "waitlist_place",
    "why_closed",
]
