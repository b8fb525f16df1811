"""Understanding questions in plain words: what is asked about, which meeting, which FAQ entry.

Pure functions: text in, a `Question` out; meetings and FAQ entries in, the one meant (or None) out.
No database and no Slack here, so every rule can be tested on its own.
"""

from __future__ import annotations

import calendar
import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.language import markup
from bot.language.countries import country_name
from store.models import FaqEntry, Meeting, MeetingKind

MAX_QUESTION = 500  # characters of a question that are read; the rest is ignored
FUZZY_CUTOFF = 0.8  # how close a misspelt word must be to a known one
FUZZY_MIN_LENGTH = 4  # shorter words are never corrected: too many of them are close to each other
FAQ_THRESHOLD = 2  # one keyword hit, or two words shared with the entry's question


class Topic(StrEnum):
    """What a question is about."""

    WHEN = "when"
    WHERE = "where"
    JOIN = "join"  # the video link, how to join online
    AGENDA = "agenda"
    REGISTERED = "registered"  # the asker's own answer to a meeting
    PLACES = "places"  # places left, full, waitlist
    HOW_TO_REGISTER = "how_to_register"
    LIST = "list"  # the meetings coming up
    FAQ = "faq"  # cost, travel, accommodation, membership: what the organisers' FAQ may answer
    GREETING = "greeting"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class MeetingHint:
    """What in a question may point to one meeting."""

    words: tuple[str, ...] = ()  # folded words that may name it: city, venue, country or title words
    names: tuple[str, ...] = ()  # those of them that look like a name ("Lisbon", "the lisbon meeting")
    label: str = ""  # the names, or else the words, as the person wrote them
    month: int | None = None
    day: int | None = None
    year: int | None = None
    between: tuple[date, date] | None = None  # "today", "this week": first and last day, inclusive
    number: int | None = None  # "#3"
    kind: MeetingKind | None = None  # "the online meeting"
    past: bool = False  # "the last meeting", "when was ..."

    @property
    def specific(self) -> bool:
        """Whether the hint names something beyond "the next meeting"."""
        return bool(self.words or self.dated)

    @property
    def dated(self) -> bool:
        """Whether the hint names a month, a date, a number or a kind of meeting."""
        return bool(self.month or self.day or self.year or self.between or self.number or self.kind)

    def describe(self) -> str:
        """The hint in a few words, to quote back to the person."""
        parts = []
        if self.number is not None:
            parts.append(f"#{self.number}")
        if self.kind is not None:
            parts.append({MeetingKind.ONLINE: "online", MeetingKind.HYBRID: "hybrid"}.get(self.kind, "in person"))
        if self.label:
            parts.append(self.label)
        if self.day and self.month:
            parts.append(f"{self.day} {calendar.month_name[self.month]}")
        elif self.month:
            parts.append(calendar.month_name[self.month])
        if self.year:
            parts.append(str(self.year))
        if self.between:
            first, last = self.between
            parts.append(f"{first:%-d %b}" if first == last else f"{first:%-d %b}–{last:%-d %b}")
        return " ".join(parts)


@dataclass(frozen=True)
class Question:
    """A question as understood: its topic, what points to a meeting, and its cleaned text."""

    topic: Topic
    hint: MeetingHint = field(default_factory=MeetingHint)
    text: str = ""
    thanks: bool = False


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
    """)

# Words that stand for "a meeting" without naming one.
MEETING_NOUNS = _words(
    "meeting meetings meetup meetups event events session sessions conference conferences gathering gatherings"
)
NAMED_NOUNS = _words("workshop workshops")  # nouns that may also be part of a title

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
GREETING_WORDS = _words("hi hello hey hallo hola hiya howdy morning afternoon evening help")
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
)
# The words a misspelling is corrected to (months are matched on their own, more strictly).
VOCABULARY = tuple(sorted(word for word in TOPIC_WORDS | MEETING_NOUNS if len(word) >= FUZZY_MIN_LENGTH))

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9
MONTH_NAMES = tuple(name.lower() for name in calendar.month_name if name)
MAY_CONTEXT = _words("in of the on since until early late mid this next last")

_TOKEN = re.compile(r"#\d+|[^\W_]+(?:['’][^\W_]+)*")
_DAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


@dataclass
class _Token:
    raw: str  # as written
    word: str  # folded, lower case, short forms expanded, misspellings corrected
    first: bool = False  # the first word of the question


def strip_markup(text: str) -> str:
    """Remove Slack's markup: mentions and special mentions go, links keep their label."""
    return markup.strip(text)


def fold(text: str) -> str:
    """Lower-case the text and drop accents and apostrophes, so that "São" matches "Sao"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return plain.lower().replace("'", "").replace("’", "")


@lru_cache(maxsize=4096)
def correct(word: str) -> str:
    """The known word that `word` stands for: a short form, a misspelling of a topic word, or itself."""
    word = ALIASES.get(word, word)
    if word in STOPWORDS or word in TOPIC_WORDS or word in MEETING_NOUNS or word in MONTHS:
        return word
    if len(word) < FUZZY_MIN_LENGTH or word.isdigit():
        return word
    close = difflib.get_close_matches(word, VOCABULARY, n=1, cutoff=FUZZY_CUTOFF)
    if close:
        return close[0]
    month = difflib.get_close_matches(word, MONTH_NAMES, n=1, cutoff=FUZZY_CUTOFF)
    if month and month[0][:3] == word[:3]:
        return month[0]
    return word


def _tokens(text: str) -> list[_Token]:
    """The words of the text, corrected; names are left as written ("the Rome meeting" is not "remote")."""
    raws = [match.group(0) for match in _TOKEN.finditer(text)]
    plain = [ALIASES.get(fold(raw), fold(raw)) for raw in raws]
    words = [correct(word) for word in plain]
    tokens = []
    for index, raw in enumerate(raws):
        word = words[index]
        if word != plain[index]:
            following = words[index + 1] if index + 1 < len(words) else ""
            if (index > 0 and raw[:1].isupper()) or following in MEETING_NOUNS or following in NAMED_NOUNS:
                word = plain[index]
        tokens.append(_Token(raw=raw, word=word, first=index == 0))
    return tokens


def _month_of(tokens: Sequence[_Token], index: int) -> int | None:
    word = tokens[index].word
    if word not in MONTHS:
        return None
    if word == "may":  # also "may I ...": a month only where a month fits
        before = tokens[index - 1].word if index > 0 else ""
        after = tokens[index + 1].word if index + 1 < len(tokens) else ""
        if not (before in MAY_CONTEXT or _DAY.match(before) or _DAY.match(after) or after in MEETING_NOUNS):
            return None
    return MONTHS[word]


@dataclass
class _Dates:
    month: int | None = None
    day: int | None = None
    year: int | None = None
    between: tuple[date, date] | None = None
    used: set[int] = field(default_factory=set)  # token positions taken by dates


def _dates(tokens: Sequence[_Token], text: str, today: date) -> _Dates:
    found = _Dates()
    iso = _ISO_DATE.search(text)
    if iso:
        try:
            day = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            day = None
        if day is not None:
            found.between = (day, day)
    words = [token.word for token in tokens]
    for index, word in enumerate(words):
        before = words[index - 1] if index > 0 else ""
        month = _month_of(tokens, index)
        if month is not None:
            found.month, found.used = month, found.used | {index}
            for near in (index - 1, index + 1, index + 2):
                if 0 <= near < len(words) and (digits := _DAY.match(words[near])) and 1 <= int(digits.group(1)) <= 31:
                    found.day = int(digits.group(1))
                    found.used.add(near)
                    break
            if index >= 2 and words[index - 1] == "of" and (digits := _DAY.match(words[index - 2])):
                found.day = int(digits.group(1))
                found.used |= {index - 2, index - 1}
        elif word.isdecimal() and len(word) == 4 and 2000 <= int(word) <= 2100:
            found.year, found.used = int(word), found.used | {index}
        elif word == "today":
            found.between = (today, today)
        elif word == "tomorrow":
            found.between = (today + timedelta(days=1), today + timedelta(days=1))
        elif word == "week" and before in ("this", "next"):
            monday = today - timedelta(days=today.weekday()) + timedelta(days=7 if before == "next" else 0)
            found.between = (monday, monday + timedelta(days=6))
        elif word == "month" and before in ("this", "next"):
            first = today.replace(day=1)
            if before == "next":
                first = (first + timedelta(days=32)).replace(day=1)
            found.month, found.year = first.month, first.year
    return found


def _kind(words: Sequence[str]) -> MeetingKind | None:
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        if word in KIND_WORDS and (following in MEETING_NOUNS or following in NAMED_NOUNS):
            return KIND_WORDS[word]
    return None


def _name_like(tokens: Sequence[_Token], index: int) -> bool:
    """Whether a leftover word looks like a name: capitalised, or right next to "meeting" or after "in"."""
    token = tokens[index]
    if token.raw[:1].isupper() and not token.first:
        return True
    around = [tokens[i].word for i in (index - 1, index + 1) if 0 <= i < len(tokens)]
    if any(word in MEETING_NOUNS or word in NAMED_NOUNS for word in around):
        return True
    return index > 0 and tokens[index - 1].word in PREPOSITIONS


def _has(words: set[str], *groups: Iterable[str]) -> bool:
    return any(not words.isdisjoint(group) for group in groups)


def _phrase(words: Sequence[str], *phrase: str) -> bool:
    size = len(phrase)
    return any(tuple(words[i : i + size]) == phrase for i in range(len(words) - size + 1))


def _topic(words: list[str], leftover_ok: bool, hint: MeetingHint, *, named: bool) -> Topic:
    """Decide the topic from the words, the strongest signal first."""
    present = set(words)
    how = any(
        w == "how" and (i + 1 >= len(words) or words[i + 1] not in ("many", "much", "long", "far"))
        for i, w in enumerate(words)
    )
    how_many = _phrase(words, "how", "many")
    asking_to = how or _phrase(words, "can", "i") or _phrase(words, "could", "i") or _phrase(words, "may", "i")
    asking_to = asking_to or _phrase(words, "where", "do", "i") or _phrase(words, "where", "can", "i")
    wants_online = _has(present, JOIN_STRONG, JOIN_WEAK)

    if asking_to and _has(present, HOW_TO_WORDS):
        if wants_online and _has(present, JOIN_VERBS):
            return Topic.JOIN
        if "join" in present and _has(present, GROUP_WORDS, {"member", "members", "membership"}):
            return Topic.FAQ
        if _has(present, FAQ_WORDS - {"member", "members"}):
            return Topic.FAQ
        return Topic.HOW_TO_REGISTER
    about_me = _has(present, FIRST_PERSON) and _has(present, REGISTERED_WORDS) and not how_many
    if about_me and (
        not _has(present, FAQ_WORDS - {"free"}) or _has(present, {"registered", "signed", "booked", "status"})
    ):
        return Topic.REGISTERED
    if "who" in present and _has(present, {"coming", "attending", "going", "registered"}):
        return Topic.PLACES
    if _has(present, JOIN_STRONG):
        return Topic.JOIN
    if _has(present, PLACES_STRONG) or (how_many and _has(present, PEOPLE_WORDS)):
        return Topic.PLACES
    if "place" in present and _has(present, PLACES_WEAK | {"free", "any"}):
        return Topic.PLACES
    if _has(present, FAQ_WORDS):
        return Topic.FAQ
    if _has(present, HOW_TO_WORDS):
        return Topic.HOW_TO_REGISTER
    if _has(present, AGENDA_WORDS) or _phrase(words, "what", "on") or _phrase(words, "what", "is", "on"):
        return Topic.AGENDA
    if words and words[-1] == "about" and "what" in present:
        return Topic.AGENDA
    singular = _has(present, {"meeting", "event", "session", "workshop", "conference", "meetup"})
    if (
        _has(present, PLURAL_NOUNS)
        or (_has(present, LIST_WORDS) and not singular)
        or (_phrase(words, "coming", "up") and not singular)
    ):
        return Topic.LIST
    if _has(present, WHEN_WORDS):
        return Topic.WHEN
    if _has(present, WHERE_WORDS):
        return Topic.WHERE
    if wants_online:
        return Topic.JOIN
    if _has(present, PLACES_WEAK):
        return Topic.PLACES
    if _has(present, GREETING_WORDS, THANKS_WORDS) or _phrase(words, "what", "can", "you", "do"):
        return Topic.GREETING
    mentions_meeting = _has(present, MEETING_NOUNS, NAMED_NOUNS, NEXT_WORDS, {"last", "previous"})
    if leftover_ok and (mentions_meeting or hint.specific or named):
        return Topic.WHEN
    return Topic.UNKNOWN


def understand(text: str, *, now: datetime, zone: ZoneInfo, ignore: Iterable[str] = ()) -> Question:
    """Read a question in plain words: its topic and what points to a meeting.

    `ignore` holds words that never name a meeting (the group's own name, say).
    """
    cleaned = " ".join(strip_markup(text).split())[:MAX_QUESTION]
    tokens = _tokens(cleaned)
    words = [token.word for token in tokens]
    ignored = {fold(word) for word in ignore}
    dates = _dates(tokens, cleaned, now.astimezone(zone).date())
    number = next((int(token.raw[1:]) for token in tokens if token.raw.startswith("#")), None)

    leftover: list[int] = []
    for index, token in enumerate(tokens):
        word = token.word
        if index in dates.used or word.startswith("#") or word.isdigit() or len(word) < 2:
            continue
        if word in STOPWORDS or word in TOPIC_WORDS or word in MEETING_NOUNS or word in ignored:
            continue
        if word in MONTHS and _month_of(tokens, index) is not None:
            continue
        leftover.append(index)
    present = set(words)
    past = not present.isdisjoint(PAST_WORDS) and not _phrase(words, "how", "long")
    short = len(tokens) <= 2
    name_like = [i for i in leftover if _name_like(tokens, i) or (short and tokens[i].raw[:1].isupper())]
    hint = MeetingHint(
        words=tuple(dict.fromkeys(words[i] for i in leftover)),
        names=tuple(dict.fromkeys(words[i] for i in name_like)),
        label=" ".join(tokens[i].raw for i in (name_like or leftover)),
        month=dates.month,
        day=dates.day,
        year=dates.year,
        between=dates.between,
        number=number,
        kind=_kind(words),
        past=past,
    )
    all_names = len(name_like) == len(leftover)
    topic = _topic(words, all_names, hint, named=bool(leftover) and short and all_names)
    return Question(topic=topic, hint=hint, text=cleaned, thanks=not present.isdisjoint(THANKS_WORDS))


# Choosing the meeting meant.


def _meeting_words(meeting: Meeting) -> frozenset[str]:
    return _name_words(meeting.title, meeting.city, meeting.venue, meeting.country)


@lru_cache(maxsize=4096)
def _name_words(title: str, city: str, venue: str, country: str) -> frozenset[str]:
    names = [title, city, venue, country, country_name(country) if country else ""]
    return frozenset(fold(word) for name in names for word in re.findall(r"[^\W_]+", name))


@lru_cache(maxsize=65536)
def _same_word(wanted: str, known: str) -> bool:
    if wanted == known or wanted + "s" == known or known + "s" == wanted:
        return True
    if min(len(wanted), len(known)) < FUZZY_MIN_LENGTH:
        return False
    matcher = difflib.SequenceMatcher(None, wanted, known)
    return (
        matcher.real_quick_ratio() >= FUZZY_CUTOFF
        and matcher.quick_ratio() >= FUZZY_CUTOFF
        and matcher.ratio() >= FUZZY_CUTOFF
    )


def _days(meeting: Meeting) -> list[date]:
    zone = ZoneInfo(meeting.timezone)
    first = meeting.starts_at.astimezone(zone).date()
    last = meeting.ends_at.astimezone(zone).date()
    last = min(last, first + timedelta(days=31))
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _on_dates(hint: MeetingHint, meeting: Meeting) -> bool:
    if hint.between is None and hint.month is None and hint.day is None and hint.year is None:
        return True  # the hint names no date: every meeting fits
    days = _days(meeting)
    if hint.between is not None and not any(hint.between[0] <= day <= hint.between[1] for day in days):
        return False
    return any(
        (hint.month is None or day.month == hint.month)
        and (hint.day is None or day.day == hint.day)
        and (hint.year is None or day.year == hint.year)
        for day in days
    )


def _of_kind(hint: MeetingHint, meetings: Sequence[Meeting]) -> list[Meeting]:
    if hint.kind is None:
        return list(meetings)
    exact = [meeting for meeting in meetings if meeting.kind == hint.kind]
    if exact or hint.kind == MeetingKind.HYBRID:
        return exact
    return [meeting for meeting in meetings if meeting.kind == MeetingKind.HYBRID]


def _by_words(hint: MeetingHint, meetings: Sequence[Meeting]) -> list[Meeting]:
    scored = []
    for position, meeting in enumerate(meetings):
        known = _meeting_words(meeting)
        score = sum(1 for wanted in hint.words if any(_same_word(wanted, word) for word in known))
        if score:
            scored.append((-score, position, meeting))
    return [meeting for _, _, meeting in sorted(scored, key=lambda row: row[:2])]


def _by_dates(hint: MeetingHint, meetings: Sequence[Meeting]) -> list[Meeting]:
    found = [
        meeting
        for meeting in meetings
        if (hint.number is None or meeting.id == hint.number) and _on_dates(hint, meeting)
    ]
    return _of_kind(hint, found)


def meetings_matching(hint: MeetingHint, meetings: Sequence[Meeting]) -> list[Meeting]:
    """The meetings that fit everything the hint names, best first (ties keep the given order)."""
    found = _by_dates(hint, meetings)
    return _by_words(hint, found) if hint.words else found


def pick_meeting(hint: MeetingHint, upcoming: Sequence[Meeting], past: Sequence[Meeting]) -> Meeting | None:
    """The meeting a question means: the next one, or the one its words, month or date name; None if none fits.

    Words that match no meeting are let go unless they look like a name ("the Lisbon meeting"):
    then no meeting is the honest answer.
    """
    first, then = (past, upcoming) if hint.past else (upcoming, past)
    if not hint.specific:
        return first[0] if first else None
    for meetings in (first, then):
        found = meetings_matching(hint, meetings)
        if found:
            return found[0]
    if hint.names:
        return None
    if not hint.dated:
        return first[0] if first else None
    for meetings in (first, then):
        found = _by_dates(hint, meetings)
        if found:
            return found[0]
    return None


# Choosing the FAQ entry meant.


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _content(text: str) -> set[str]:
    words = (ALIASES.get(fold(raw), fold(raw)) for raw in _TOKEN.findall(text))
    return {_stem(word) for word in words if word not in STOPWORDS and word not in MEETING_NOUNS and len(word) > 1}


def _near(wanted: str, words: set[str]) -> bool:
    if wanted in words:
        return True
    if len(wanted) < FUZZY_MIN_LENGTH:
        return False
    return any(
        len(word) >= FUZZY_MIN_LENGTH and difflib.SequenceMatcher(None, wanted, word).ratio() >= 0.85 for word in words
    )


def match_faq(text: str, entries: Sequence[FaqEntry]) -> FaqEntry | None:
    """The FAQ entry that answers the question, or None when none fits well enough."""
    asked = _content(strip_markup(text)[:MAX_QUESTION])
    if not asked:
        return None
    best: FaqEntry | None = None
    best_score = 0
    for entry in entries:
        hits = 0
        for keyword in entry.keywords.split(","):
            needed = _content(keyword)
            if needed and all(_near(word, asked) for word in needed):
                hits += 1
        shared = sum(1 for word in _content(entry.question) if _near(word, asked))
        score = 2 * hits + shared
        if score > best_score:
            best, best_score = entry, score
    return best if best_score >= FAQ_THRESHOLD else None
