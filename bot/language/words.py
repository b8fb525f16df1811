"""The words questions are understood by: what each topic sounds like, aliases, stop words, months."""

from __future__ import annotations

import calendar

from store.models import MeetingKind

FUZZY_MIN_LENGTH = 4  # shorter words are never corrected: too many of them are close to each other


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Short forms and contractions (apostrophes are dropped before this), mapped to the word they stand for.
ALIASES = {
    "wen": "when",
    "whn": "when",
    "whens": "when",
    "wheres": "where",
    "whats": "what",
    "wat": "what",
    "wht": "what",
    "hows": "how",
    "whos": "who",
    "nxt": "next",
    "im": "i",
    "ive": "i",
    "id": "i",
    "u": "you",
    "r": "are",
    "ur": "your",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "ty": "thanks",
    "tnx": "thanks",
    "mtg": "meeting",
    "mtgs": "meetings",
    "reg": "register",
    "rsvpd": "registered",
    "signup": "sign",
    "info": "information",
    "fb": "facebook",
}

# Words that carry no meeting name and are never corrected.
STOPWORDS = _words("""
    a an the is are be been being am was do does did doing done have has had having will would shall should
    can could may might must i me my mine myself we us our ours you your yours he she they them their it its
    this that these those there here what which who whom whose why how to of in on at for from by with about
    as into onto over under up down out off than then so and or but if not no yes any some all each every
    other another just also too very really still yet already please tell know let get got give show find
    need want like say said see look go goes gone ok okay well oh hmm sorry again now anyone anybody someone
    something anything everything thing things guys folks everyone everybody bot one ones much many more most
    less lot lots isnt dont doesnt cant wont arent didnt havent hasnt wasnt werent shouldnt couldnt wouldnt
    lets able way kind sort kindly quick question questions ask asking wondering wonder information details
    detail good great hear heard take takes taking took else whether quite maybe perhaps sure exactly exact
    actually currently around via per such same both either neither only own while during before after again ever never
    week weeks weekend year years month months today tomorrow tonight yesterday
    cancelled canceled cancellation postponed first
    """)

# Words that stand for "a meeting" without naming one.
MEETING_NOUNS = _words(
    "meeting meetings meetup meetups event events session sessions conference conferences gathering gatherings"
)
NAMED_NOUNS = _words(
    "workshop workshops exchange call calls webinar roundtable"
)  # nouns that may also be part of a title

FIRST_PERSON = frozenset({"i", "me", "my", "mine", "myself"})
WHEN_WORDS = _words(
    "when time times date dates day days start starts starting begin begins beginning end ends finish finishes "
    "long until soon hour hours clock timezone timing happening happen happens"
)
WHERE_WORDS = _words(
    "where venue location located address place city country held directions map building hosted host person physical"
)
JOIN_STRONG = _words("link links video zoom url webex videoconference dial stream livestream streamed")
JOIN_WEAK = _words("online virtual virtually remote remotely connect hybrid")
JOIN_VERBS = _words("join joining attend attending participate connect access follow watch")
AGENDA_WORDS = _words(
    "agenda programme program schedule topics topic speakers speaker talks talk presentations presentation "
    "plan discuss discussed discussing cover content contents description"
)
PLACES_STRONG = _words("places seats seat spots spot capacity spaces space waitlist")
PLACES_WEAK = _words("left remaining available availability full")
PEOPLE_WORDS = _words(
    "people registered coming attending going participants registrations attendees signed persons "
    "left remaining available"
)
FAQ_WORDS = _words(
    "cost costs price prices fee fees pay paid paying payment free charge charged money expensive euro euros "
    "dollars travel travelling traveling trip flight flights train accommodation accommodations hotel hotels "
    "hostel stay staying subsistence expenses expense reimburse reimbursed reimbursement refund meals meal food "
    "lunch dinner catering member members membership nonmember nonmembers visa language dress parking budget "
    "sponsor funding"
)
GROUP_WORDS = _words("group network association community")
HOW_TO_WORDS = _words(
    "register registration signup sign rsvp enrol enroll book booking attend participate join cancel "
    "unregister deregister deadline apply"
)
REGISTERED_WORDS = _words(
    "registered signed booked enrolled enroled status list waitlist waiting registration rsvp answered answer "
    "going coming attending place seat spot"
)
LIST_WORDS = _words("upcoming list planned scheduled future calendar")
PLURAL_NOUNS = _words("meetings events sessions workshops meetups conferences gatherings")
GREETING_WORDS = _words("hi hello hey hiya howdy morning afternoon evening help")
THANKS_WORDS = _words("thanks thank cheers")
PAST_WORDS = _words("last previous past recent earlier ago was")
NEXT_WORDS = _words("next upcoming coming")
KIND_WORDS = {
    "online": MeetingKind.ONLINE,
    "virtual": MeetingKind.ONLINE,
    "remote": MeetingKind.ONLINE,
    "video": MeetingKind.ONLINE,
    "hybrid": MeetingKind.HYBRID,
    "person": MeetingKind.IN_PERSON,
    "physical": MeetingKind.IN_PERSON,
    "face": MeetingKind.IN_PERSON,
}
PREPOSITIONS = _words("in at for about of on to from")
# What the further questions sound like: who organises, sharing a practice, a meeting now, a time elsewhere.
ORGANISER_WORDS = _words(
    "organiser organisers organizer organizers organise organises organize organizes organising organizing "
    "organised organized coordinator coordinators admin admins moderator moderators contact"
)
SHARE_WORDS = _words("share sharing shared submit contribute upload post")
PRACTICE_WORDS = _words("practice practices case cases example examples experience experiences")
NOW_WORDS = _words("now currently live")
# What a meeting left: its recap's slides, recording and minutes.
SLIDES_WORDS = _words("slides slide deck decks")
RECORDING_WORDS = _words("recording recordings recorded")
MINUTES_WORDS = _words("minutes recap recaps summary outcome outcomes")
ELSE_WORDS = _words("else other others")

TOPIC_WORDS = (
    WHEN_WORDS
    | WHERE_WORDS
    | JOIN_STRONG
    | JOIN_WEAK
    | JOIN_VERBS
    | AGENDA_WORDS
    | PLACES_STRONG
    | PLACES_WEAK
    | PEOPLE_WORDS
    | FAQ_WORDS
    | HOW_TO_WORDS
    | REGISTERED_WORDS
    | LIST_WORDS
    | GREETING_WORDS
    | THANKS_WORDS
    | PAST_WORDS
    | NEXT_WORDS
    | frozenset(KIND_WORDS)
    | ORGANISER_WORDS
    | SHARE_WORDS
    | PRACTICE_WORDS
    | SLIDES_WORDS
    | RECORDING_WORDS
    | MINUTES_WORDS
)
# The words a misspelling is corrected to (months are matched on their own, more strictly).
VOCABULARY = tuple(sorted(word for word in TOPIC_WORDS | MEETING_NOUNS if len(word) >= FUZZY_MIN_LENGTH))

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9
MONTH_NAMES = tuple(name.lower() for name in calendar.month_name if name)
MAY_CONTEXT = _words("in of the on since until early late mid this next last")
