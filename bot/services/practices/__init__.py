"""Practices: sharing, editing, deleting, moderating, useful-marks, the card in the channel, and the queries.

Who may see a practice and who may change it is decided here (`_access`) and nowhere else. Each
change (`_changes`) is one transaction, which also writes what the change owes (`_card`: the card,
a word to the organisers or the author) for the sender to deliver; the lists, search, figures and
export are `_queries`.
"""

from __future__ import annotations

from bot.services.practices._access import Outcome, Seen, can_change, can_see, get, look_up
from bot.services.practices._card import owe_missing_cards
from bot.services.practices._card import register_renderers as register_card_renderers
from bot.services.practices._changes import (
    Approved,
    Deleted,
    Marked,
    Saved,
    approve,
    delete,
    reject,
    save,
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
    "owe_missing_cards",
    "queue",
    "read_filter",
    "register_card_renderers",
    "reject",
    "save",
    "search",
    "toggle_useful",
]
