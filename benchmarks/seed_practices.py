"""A store of many practices about cluster digitization, their authors and the useful-marks they got.

Titles, summaries and evidence are put together from a fixed vocabulary, topics and kinds are the
group's defaults, and practices are spread over five years behind `now`. The same random seed gives
the same practices, relative to `now`, on every run. Rows go in through the tables with Core inserts
in batches, so SQLite's FTS5 index (kept by triggers) and PostgreSQL's generated tsvector stay in step.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert

from bot.config import DEFAULT_PRACTICE_KINDS, DEFAULT_PRACTICE_TOPICS
from store.db import make_engine
from store.migrate import upgrade
from store.models import Membership, Person, Practice, PracticeStatus, UsefulMark

SEED = 20_261_125
SPAN = timedelta(days=5 * 365)  # practices were shared over the five years before `now`
PENDING_SHARE = 0.03
MARKED_SHARE = 0.25  # practices someone found useful
MOST_MARKS = 12
EVIDENCE_SHARE = 0.9
LINK_SHARE = 0.6
BATCH = 5_000
AUTHORS = 1_500

# (region, ISO country): where the clusters are.
REGIONS: tuple[tuple[str, str], ...] = (
    ("Basque Country", "ES"),
    ("Catalonia", "ES"),
    ("Bavaria", "DE"),
    ("Ruhr", "DE"),
    ("Northern Portugal", "PT"),
    ("Lombardy", "IT"),
    ("Auvergne-Rhône-Alpes", "FR"),
    ("Ontario", "CA"),
    ("Quebec", "CA"),
    ("Silesia", "PL"),
    ("Brabant", "NL"),
    ("Scania", "SE"),
)
SECTORS = (
    "Advanced Manufacturing",
    "Agri-food",
    "Textile",
    "Automotive",
    "Furniture",
    "Logistics",
    "Metalworking",
    "Plastics",
    "Packaging",
    "Mechatronics",
)
PROGRAMMES = (
    "Digital innovation hub",
    "Cluster data space",
    "Smart factory pilot",
    "Skills academy",
    "Voucher scheme",
    "Maturity assessment",
    "Open testbed",
    "Mentoring programme",
    "Shared ERP platform",
    "Predictive maintenance pilot",
    "Supplier portal",
    "Cybersecurity clinic",
    "Digital twin demonstrator",
    "Start-up matchmaking",
    "Traceability platform",
    "E-commerce bootcamp",
    "Robotics showroom",
    "Cloud migration programme",
)
AUDIENCES = (
    "SMEs",
    "machine builders",
    "food processors",
    "textile firms",
    "furniture makers",
    "automotive suppliers",
    "logistics firms",
    "metalworkers",
    "start-ups",
    "craft businesses",
    "cluster members",
    "plastics moulders",
)
TECHNOLOGIES = (
    "cloud ERP",
    "IoT sensors",
    "machine vision",
    "predictive maintenance",
    "digital twins",
    "additive manufacturing",
    "collaborative robots",
    "data analytics",
    "private 5G networks",
    "e-invoicing",
    "cybersecurity monitoring",
    "low-code apps",
    "AI quality inspection",
    "MES software",
)
LESSONS = (
    "what worked",
    "lessons from the first year",
    "why it stalled",
    "scaling it up",
    "what we would do differently",
    "results after two years",
)
PARTNERS = (
    "the university of applied sciences",
    "a technology centre",
    "the chamber of commerce",
    "a digital innovation hub",
    "a vocational school",
    "the regional development agency",
)
VERBS = ("supported", "trained", "brought together", "coached", "connected", "funded")
PURPOSES = (
    "to adopt {technology}",
    "in mapping their digital maturity",
    "through a shared {technology} platform",
    "in writing a digitization roadmap",
    "to build digital skills on the shop floor",
    "in sharing data along the value chain",
)
SUPPORT = (
    "a voucher of up to €{thousands},000",
    "two days of expert coaching",
    "access to a shared testbed",
    "a digital maturity scan and a roadmap",
    "a place in a peer-learning group",
)
OBSTACLES = (
    "the lack of data skills on the shop floor",
    "fragmented legacy systems",
    "owners' limited time",
    "trust in sharing data between competitors",
    "unclear return on investment",
    "slow broadband in rural industrial parks",
)
METRICS = (
    "average lead time",
    "scrap rate",
    "energy use",
    "on-time delivery",
    "the share of online sales",
    "unplanned downtime",
)
# Sentences with words few practices hold, each put in about one practice in a thousand.
RARE = (
    "A hackathon with local students produced the first prototype.",
    "Two firms tested an exoskeleton for lifting at the packing line.",
    "A blockchain ledger was tried for certificates of origin and dropped.",
    "One member now runs its furnaces on green hydrogen.",
)
RARE_SHARE = 0.001
FIRST_NAMES = ("Ana", "Bruno", "Carla", "Daniel", "Elena", "Farid", "Greta", "Hugo", "Inés", "Jonas", "Katya", "Luis")


@dataclass(frozen=True)
class SeededPractices:
    """What was written."""

    practices: int
    published: int
    pending: int
    authors: int
    useful_marks: int


def seed_practices(database_url: str, *, now: datetime, count: int, authors: int = AUTHORS) -> SeededPractices:
    """Bring the database at `database_url` to the current schema and add `count` practices by `authors` people."""
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        rng = random.Random(SEED)
        people = [f"U0A{number:06d}" for number in range(1, authors + 1)]
        with engine.begin() as connection:
            connection.execute(insert(Person.__table__), _people(rng, people, now=now))
        published = pending = marks = 0
        for batch in _batches(rng, people, now=now, count=count):
            practices, useful = batch
            with engine.begin() as connection:
                connection.execute(insert(Practice.__table__), practices)
                if useful:
                    connection.execute(insert(UsefulMark.__table__), useful)
            pending += sum(1 for p in practices if p["status"] == PracticeStatus.PENDING)
            published += sum(1 for p in practices if p["status"] == PracticeStatus.PUBLISHED)
            marks += len(useful)
    finally:
        engine.dispose()
    return SeededPractices(
        practices=published + pending, published=published, pending=pending, authors=len(people), useful_marks=marks
    )


def _people(rng: random.Random, authors: list[str], *, now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "slack_id": slack_id,
            "display_name": f"{rng.choice(FIRST_NAMES)} {number}",
            "tz": None,
            "is_guest": False,
            "is_organiser": False,
            "membership": Membership.AUTO,
            "profile_checked_at": now,
            "created_at": now - SPAN,
        }
        for number, slack_id in enumerate(authors, start=1)
    ]


def _batches(
    rng: random.Random, authors: list[str], *, now: datetime, count: int
) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Yield the practices in batches, each with the useful-marks of its practices."""
    for start in range(1, count + 1, BATCH):
        practices: list[dict[str, Any]] = []
        marks: list[dict[str, Any]] = []
        for number in range(start, min(start + BATCH, count + 1)):
            practice = _practice(rng, number, authors, now=now)
            practices.append(practice)
            if practice["status"] == PracticeStatus.PUBLISHED and rng.random() < MARKED_SHARE:
                marks += _marks(rng, practice, authors, now=now)
        yield practices, marks


def _practice(rng: random.Random, number: int, authors: list[str], *, now: datetime) -> dict[str, Any]:
    region, country = rng.choice(REGIONS)
    audience = rng.choice(AUDIENCES)
    technology = rng.choice(TECHNOLOGIES)
    programme = rng.choice(PROGRAMMES)
    created = now - SPAN * rng.random()
    pending = rng.random() < PENDING_SHARE
    return {
        "id": number,
        "title": _title(rng, programme, audience, technology, region),
        "kind": rng.choice(DEFAULT_PRACTICE_KINDS),
        "topic": rng.choice(DEFAULT_PRACTICE_TOPICS),
        "organisation": f"{region} {rng.choice(SECTORS)} Cluster",
        "country": country,
        "summary": _summary(rng, programme, audience, technology),
        "evidence": _evidence(rng, now=created) if rng.random() < EVIDENCE_SHARE else "",
        "link": f"https://clusters.example.org/practices/{number}" if rng.random() < LINK_SHARE else "",
        "author": rng.choice(authors),
        "status": PracticeStatus.PENDING if pending else PracticeStatus.PUBLISHED,
        "reject_reason": "",
        "moderated_by": "",
        "card_channel": None,
        "card_ts": None,
        "created_at": created,
        "updated_at": created + timedelta(hours=rng.randint(0, 72)),
        "published_at": None if pending else created + timedelta(hours=rng.randint(0, 48)),
    }


def _title(rng: random.Random, programme: str, audience: str, technology: str, region: str) -> str:
    form = rng.randrange(4)
    if form == 0:
        return f"{programme} for {audience} in {region}"
    if form == 1:
        return f"{programme}: {rng.choice(LESSONS)}"
    if form == 2:
        return f"How {audience} in {region} adopted {technology}"
    return f"{technology[0].upper()}{technology[1:]} with {rng.choice(PARTNERS)}"


def _summary(rng: random.Random, programme: str, audience: str, technology: str) -> str:
    purpose = rng.choice(PURPOSES).format(technology=technology)
    support = rng.choice(SUPPORT).format(thousands=rng.choice((3, 5, 10, 15)))
    sentences = [
        f"The {programme.lower()} {rng.choice(VERBS)} {rng.randint(8, 120)} {audience} {purpose}.",
        f"Each company received {support}.",
        f"{rng.choice(PARTNERS).capitalize()} co-financed it with the cluster.",
        f"The main obstacle was {rng.choice(OBSTACLES)}.",
    ]
    if rng.random() < 0.5:
        sentences.append(f"Participants compared their {technology} projects in a monthly peer group.")
    sentences += [sentence for sentence in RARE if rng.random() < RARE_SHARE]
    return " ".join(sentences)


def _evidence(rng: random.Random, *, now: datetime) -> str:
    change = rng.choice(("fell", "rose", "improved"))
    evidence = (
        f"{rng.randint(5, 80)} companies completed the programme; {rng.choice(METRICS)} {change} "
        f"by {rng.randint(3, 40)}% within {rng.choice((6, 12, 18, 24))} months."
    )
    if rng.random() < 0.4:
        evidence += f" Evaluated by {rng.choice(PARTNERS)} in {now.year}."
    return evidence


def _marks(rng: random.Random, practice: dict[str, Any], authors: list[str], *, now: datetime) -> list[dict[str, Any]]:
    published: datetime = practice["published_at"]
    return [
        {
            "practice_id": practice["id"],
            "slack_id": slack_id,
            "created_at": published + (now - published) * rng.random(),
        }
        for slack_id in rng.sample(authors, rng.randint(1, MOST_MARKS))
    ]
