"""The engine and the session factory, and the one error that says the database is away or busy."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Engine, ExceptionContext, Result, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import PoolProxiedConnection, QueuePool
from sqlmodel import Session, create_engine

logger = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]

# A request is acknowledged once its change is written, within the 3 s Slack gives it: no wait of
# the store's may be longer than that. A wait that runs out raises StoreUnavailable, and the
# person is told to try again (nothing was written).
SQLITE_BUSY_SECONDS = 2.0  # how long a write waits for another writer before "database is locked"
PG_CONNECT_SECONDS = 2  # how long connecting to PostgreSQL may take before it counts as down
# How long a statement waits for a row another transaction holds.
PG_LOCK_WAIT = "SET lock_timeout = '2s'"
# The bot's statements are small: starting a parallel worker (1–2 ms) costs more than it saves (a search for
# a common word, 6.1 ms with one and 4.7 without).
PG_NO_PARALLEL = "SET max_parallel_workers_per_gather = 0"
POOL_WAIT_SECONDS = 2.0  # how long a request waits for a pooled connection to come free
# A PostgreSQL connection back in the pool for longer than this is asked whether the server is still there
# before it is used again; one used that recently is not (the server dropping it is then told by the next
# statement: StoreUnavailable, and the pool starts afresh).
PING_AFTER_IDLE_SECONDS = 1.0
HEALTH_WAIT_MS = 1000  # how long the health check waits for SQLite's write lock


class StoreUnavailable(OperationalError):
    """The database is away or busy, so nothing was done: trying again later may work; it is not a fault.

    The store raises it in place of SQLAlchemy's OperationalError and InterfaceError, of any
    database error that cost the connection, and when no pooled connection came free in time.
    It keeps the original's message and is an OperationalError itself, so that code that
    caught SQLAlchemy's error still catches it.
    """

    @classmethod
    def of(cls, error: BaseException) -> StoreUnavailable:
        """The same failure, as the store's own error (the original is kept as `orig`)."""
        if isinstance(error, DBAPIError):
            return cls(
                error.statement,
                error.params,
                error.orig if error.orig is not None else error,
                hide_parameters=error.hide_parameters,
                connection_invalidated=error.connection_invalidated,
                ismulti=error.ismulti,
            )
        return cls(None, None, error)


class _Pool(QueuePool):
    """The connection pool, which says the store is unavailable when no connection came free in time."""

    def connect(self) -> PoolProxiedConnection:
        try:
            return super().connect()
        except PoolTimeout as error:
            raise StoreUnavailable.of(error) from error


# A pool logs its housekeeping ("Pool disposed", "Pool recreating") at INFO under its class's own
# name; SQLAlchemy keeps its own pools' quiet unless asked (echo_pool), and so does this one.
logging.getLogger(f"{_Pool.__module__}.{_Pool.__name__}").setLevel(logging.WARNING)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create the engine for `url`; SQLite gets its folder, WAL mode, foreign keys and a busy timeout.

    SQLite waits `?timeout=` seconds (default 2) for another writer before giving up with
    "database is locked"; PostgreSQL gives up connecting after `?connect_timeout=` seconds (default 2)
    and waiting for a locked row after 2 s; a pooled connection is waited for 2 s.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            kwargs.setdefault("poolclass", _Pool)  # what SQLite has for a file; in memory it keeps one connection
            kwargs.setdefault("pool_timeout", POOL_WAIT_SECONDS)
        busy = _seconds(parsed.query.get("timeout"), SQLITE_BUSY_SECONDS)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": busy})
        engine = create_engine(parsed.difference_update_query(["timeout"]), **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas(busy))
    else:
        kwargs.setdefault("poolclass", _Pool)
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
        kwargs.setdefault("pool_timeout", POOL_WAIT_SECONDS)
        if "connect_timeout" not in parsed.query:
            kwargs.setdefault("connect_args", {"connect_timeout": PG_CONNECT_SECONDS})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _postgres_waits)
        if not kwargs.get("pool_pre_ping"):
            _ping_when_idle(engine)
    event.listen(engine, "handle_error", _unavailable, retval=True)
    return engine


def _unavailable(context: ExceptionContext) -> BaseException | None:
    """Put StoreUnavailable in place of the errors that mean the database is away or busy."""
    if context.is_pre_ping:
        return None  # the pool's liveness check: it reconnects, or says so through a later error
    error = context.sqlalchemy_exception
    if not isinstance(error, DBAPIError):
        return None  # not the database's own error (e.g. a value a column cannot hold): a fault
    if isinstance(error, OperationalError | InterfaceError) or context.is_disconnect:
        return StoreUnavailable.of(error)
    return None


def _seconds(value: Any, default: float) -> float:
    try:
        return max(float(value), 0.0) if value is not None else default
    except (TypeError, ValueError):
        return default


def _ping_when_idle(engine: Engine) -> None:
    """Before a pooled connection is used again, ping the server if the connection sat idle PING_AFTER_IDLE_SECONDS.

    A connection that does not answer is replaced by a new one (up to three times) before anything is run on it.
    """

    def returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return  # just connected, or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError(f"the pooled connection did not answer: {error}") from error

    event.listen(engine, "checkin", returned)
    event.listen(engine, "checkout", taken)


def _postgres_waits(dbapi_connection: Any, _record: Any) -> None:
    """Every session of the bot waits at most PG_LOCK_WAIT for a row another transaction holds, and runs each
    statement in its own server process (PG_NO_PARALLEL)."""
    cursor = dbapi_connection.cursor()
    cursor.execute(PG_LOCK_WAIT)
    cursor.execute(PG_NO_PARALLEL)
    cursor.close()
    dbapi_connection.commit()


def _sqlite_pragmas(busy_seconds: float) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
        cursor.close()

    return on_connect


_UNIT = "tci_unit_of_work"


@contextmanager
def one_transaction(session: Session) -> Iterator[Session]:
    """Make the store calls inside the block one transaction: all of them are committed at its end, or none.

    The store's write functions commit by themselves; inside the block they only flush, so that a
    change and the messages it owes (rows of the outbox) are written together. Blocks may nest:
    the outermost one commits. An error anywhere in the block rolls everything back.
    """
    depth = int(session.info.get(_UNIT, 0))
    session.info[_UNIT] = depth + 1
    try:
        yield session
    except BaseException:
        session.info[_UNIT] = depth
        if depth == 0:
            session.rollback()
        raise
    session.info[_UNIT] = depth
    if depth == 0:
        session.commit()


def on_its_own(session: Session) -> Session:
    """Have the one statement the session runs next be a transaction by itself, committed as it runs: no BEGIN
    and COMMIT sent beside it (two round trips to PostgreSQL). For a write that is one statement, outside
    `one_transaction`, before the session runs anything; the connection is as before once given back."""
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return session


def reading(session: Session) -> Session:
    """Have a session that only reads run its statements without a transaction around them, on PostgreSQL:
    under its READ COMMITTED each statement sees the store as committed when it runs, in a transaction or
    not, and the BEGIN and ROLLBACK beside them are two round trips. (SQLite's driver opens no transaction
    for a read: there it is so already.) Before the session runs anything; the connection is as before
    once given back."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return session


def in_transaction(session: Session) -> bool:
    """Whether the session is inside `one_transaction`, whose end commits."""
    return bool(session.info.get(_UNIT))


def commit(session: Session) -> None:
    """End a store write: commit it, or inside `one_transaction` flush it for the block's end to commit."""
    if in_transaction(session):
        session.flush()
    else:
        session.commit()


def abandon(session: Session) -> None:
    """Give up a write that changed nothing: roll it back, or inside `one_transaction` leave it to the block."""
    if not in_transaction(session):
        session.rollback()


def upsert(session: Session, table: Any) -> Any:
    """An INSERT into `table` that can say what to do on a conflict, in the session's own dialect."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE run through a session changed."""
    return int(cast(CursorResult[Any], result).rowcount or 0)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a factory of sessions whose objects stay readable after commit."""
    return sessionmaker(engine, class_=Session, expire_on_commit=False)


def is_reachable(engine: Engine) -> bool:
    """Whether the database answers and would take a write now.

    PostgreSQL is asked a trivial query. SQLite always answers reads, so it is asked for the
    write lock, waited for at most a second and released at once: a database another program
    holds locked is reported, not only a missing one.
    """
    try:
        with engine.connect() as connection:
            if engine.dialect.name != "sqlite":
                connection.execute(text("SELECT 1"))
                return True
            raw = connection.connection.dbapi_connection
            assert raw is not None
            busy = raw.execute("PRAGMA busy_timeout").fetchone()[0]
            raw.execute(f"PRAGMA busy_timeout={HEALTH_WAIT_MS}")
            try:
                raw.execute("BEGIN IMMEDIATE")
                raw.execute("ROLLBACK")
            finally:
                raw.execute(f"PRAGMA busy_timeout={int(busy)}")
        return True
    except (SQLAlchemyError, sqlite3.Error) as error:
        logger.warning("database unreachable: %s", str(error).splitlines()[0])
        return False
