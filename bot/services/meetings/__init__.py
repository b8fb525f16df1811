"""The meetings' use cases: reading them, answering them, organising them, their cards and their FAQ.

Each use case opens one session for its work; the functions that post to Slack because something
changed (a card, a direct message) take the Web API client.
"""

from __future__ import annotations

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
from bot.services.meetings._cards import (
    Announced,
    Announcement,
    direct_message,
    post_card,
    refresh_card,
    tell_promoted,
    tell_registrants,
)
from bot.services.meetings._faq import FaqAdded, add_faq, faq_entries, reminders_wanted, remove_faq
from bot.services.meetings._organising import (
    Cancelled,
    Saved,
    cancel_meeting,
    create_from_preview,
    editable,
    publish_saved,
    read_quick,
    registrant_count,
    save_form,
)
from bot.services.meetings._registration import Answered, Closed, answer_meeting, publish_answer, why_closed

__all__ = [
    "Announced",
    "Announcement",
    "Answered",
    "Attendees",
    "Cancelled",
    "Closed",
    "Details",
    "FaqAdded",
    "Home",
    "Listing",
    "Saved",
    "add_faq",
    "answer_meeting",
    "attendees",
    "attendees_csv",
    "cancel_meeting",
    "create_from_preview",
    "details",
    "direct_message",
    "editable",
    "faq_entries",
    "find_meeting",
    "home",
    "next_meeting",
    "past",
    "post_card",
    "publish_answer",
    "publish_saved",
    "read_quick",
    "refresh_card",
    "registrant_count",
    "reminders_wanted",
    "remove_faq",
    "save_form",
    "send_attendees_csv",
    "tell_promoted",
    "tell_registrants",
    "upcoming",
    "why_closed",
]
