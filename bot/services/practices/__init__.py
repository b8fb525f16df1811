"""Practices: sharing, editing, deleting, moderating, useful-marks, the card in the channel, and the queries.

Who may see a practice and who may change it is decided here (`_access`) and nowhere else. The
changes (`_changes`) each open one session; what is posted to Slack because something changed
(`_card`: the card, a word to the organisers or the author) is posted after the change is stored;
the lists, search, figures and export are `_queries`.
"""

from __future__ import annotations

from bot.services.practices._access import Outcome, Seen, can_change, can_see, get, look_up
from bot.services.practices._card import publish, remove_card, tell_organisers
from bot.services.practices._changes import (
    Approved,
    Deleted,
    Marked,
    Saved,
    after_saved,
    approve,
    delete,
    reject,
    save,
    tell_rejected,
    toggle_useful,
)
from bot.services.practices._queries import (
    ALL_STATUSES,
    FILTER_KEYS,
    PAGE_SIZE,
    Exported,
    Found,
    HomeLists,
    ListFilter,
    Listing,
    Queue,
    export_file,
    figures,
    home_lists,
    list_page,
    queue,
    read_filter,
    search,
)

__all__ = [
    "ALL_STATUSES",
    "FILTER_KEYS",
    "PAGE_SIZE",
    "Approved",
    "Deleted",
    "Exported",
    "Found",
    "HomeLists",
    "ListFilter",
    "Listing",
    "Marked",
    "Outcome",
    "Queue",
    "Saved",
    "Seen",
    "after_saved",
    "approve",
    "can_change",
    "can_see",
    "delete",
    "export_file",
    "figures",
    "get",
    "home_lists",
    "list_page",
    "look_up",
    "publish",
    "queue",
    "read_filter",
    "reject",
    "remove_card",
    "save",
    "search",
    "tell_organisers",
    "tell_rejected",
    "toggle_useful",
]
