"""User accounts, wall-screen tokens and the audit log: the reporting database's access-control tables.

Passwords are stored as werkzeug's salted scrypt hashes; wall tokens as SHA-256 digests (a token
is 256 random bits, so a fast digest is enough and lets a request find its token by index).
Every account change bumps the user's generation, which ends the sessions signed before it.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from . import schema

ROLES = ("admin", "city", "township", "viewer")
MIN_PASSWORD = 10
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
# A hash to check against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone's")


class AccountError(ValueError):
    """A user or token command that cannot be done, with the reason for people."""


@dataclasses.dataclass(frozen=True)
class User:
    """An account as the app sees it (never with its hash)."""

    id: int
    username: str
    role: str
    township_code: str | None
    disabled: bool
    generation: int


@dataclasses.dataclass(frozen=True)
class WallToken:
    """A wall screen's token record (the token itself is shown once, when created)."""

    id: int
    label: str
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None


def utcnow() -> dt.datetime:
    """Naive UTC, as every timestamp column stores it."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def check_username(name: str) -> str:
    """The name lower-cased, or AccountError: 2-64 of a-z 0-9 . _ -."""
    name = (name or "").strip().lower()
    if not 2 <= len(name) <= 64 or not set(name) <= USERNAME_CHARS:
        raise AccountError(f"user name {name!r}: use 2-64 characters of a-z, 0-9, '.', '_' and '-'")
    return name


def check_password(password: str) -> str:
    """The password, or AccountError when it is too short to be safe."""
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"password: at least {MIN_PASSWORD} characters")
    return password


def check_role(conn: sa.Connection, role: str, township: str | None) -> str | None:
    """The township code a role needs (None for the others), or AccountError."""
    if role not in ROLES:
        raise AccountError(f"role {role!r}: one of {', '.join(ROLES)}")
    if role != "township":
        if township:
            raise AccountError("--township is only for the township role")
        return None
    if not township:
        raise AccountError("the township role needs --township <code>")
    found = conn.execute(sa.select(schema.units.c.kind).where(schema.units.c.code == township)).scalar()
    if found != "township":
        raise AccountError(f"{township!r} is not a township code (see `kpi-dashboard kpis --help` and the unit list)")
    return township


def add_user(engine: sa.Engine, username: str, password: str, role: str, township: str | None = None) -> User:
    """Create an account; AccountError if the name is taken or an argument is invalid."""
    username, password = check_username(username), check_password(password)
    now = utcnow()
    with engine.begin() as conn:
        township = check_role(conn, role, township)
        if _row(conn, username) is not None:
            raise AccountError(f"user {username!r} exists already (use set-role, or disable)")
        conn.execute(schema.users.insert().values(
            username=username, password_hash=generate_password_hash(password), role=role,
            township_code=township, disabled=False, generation=1, created_at=now, updated_at=now))
        return _user(_row(conn, username))


def set_role(engine: sa.Engine, username: str, role: str, township: str | None = None) -> User:
    """Change a user's role (and township); their open sessions end."""
    with engine.begin() as conn:
        township = check_role(conn, role, township)
        return _update(conn, username, role=role, township_code=township)


def set_password(engine: sa.Engine, username: str, password: str) -> User:
    """Change a user's password; their open sessions end."""
    with engine.begin() as conn:
        return _update(conn, username, password_hash=generate_password_hash(check_password(password)))


def set_disabled(engine: sa.Engine, username: str, disabled: bool = True) -> User:
    """Disable (or enable again) an account; a disabled user's sessions end at their next request."""
    with engine.begin() as conn:
        return _update(conn, username, disabled=disabled)


def list_users(engine: sa.Engine) -> list[User]:
    """Every account, by name."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(schema.users).order_by(schema.users.c.username)).all()
    return [_user(r) for r in rows]


def get_user(conn: sa.Connection, user_id: int) -> User | None:
    """The account with that id, or None."""
    row = conn.execute(sa.select(schema.users).where(schema.users.c.id == user_id)).first()
    return _user(row) if row else None


def authenticate(conn: sa.Connection, username: str, password: str) -> User | None:
    """The enabled account with that name and password, or None (in about the same time either way)."""
    try:
        row = _row(conn, check_username(username))
    except AccountError:
        row = None
    ok = check_password_hash(row.password_hash if row else _DUMMY_HASH, password or "")
    if row is None or not ok or row.disabled:
        return None
    return _user(row)


def _update(conn: sa.Connection, username: str, **values) -> User:
    row = _row(conn, check_username(username))
    if row is None:
        raise AccountError(f"no user {username!r} (see `kpi-dashboard user list`)")
    conn.execute(schema.users.update().where(schema.users.c.id == row.id).values(
        **values, generation=row.generation + 1, updated_at=utcnow()))
    return _user(_row(conn, row.username))


def _row(conn: sa.Connection, username: str):
    return conn.execute(sa.select(schema.users).where(schema.users.c.username == username)).first()


def _user(row) -> User:
    return User(row.id, row.username, row.role, row.township_code, bool(row.disabled), row.generation)


# --- wall tokens ------------------------------------------------------------------------------
def token_digest(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def create_token(engine: sa.Engine, label: str, created_by: str) -> tuple[WallToken, str]:
    """A new wall token: its record and the token itself (shown once, never stored)."""
    label = (label or "").strip()
    if not 1 <= len(label) <= 100:
        raise AccountError("a wall token needs a label of 1-100 characters (e.g. the screen's room)")
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(schema.wall_tokens.insert().values(
            token_hash=token_digest(token), label=label, created_at=utcnow(), created_by=created_by))
        row = conn.execute(sa.select(schema.wall_tokens).where(
            schema.wall_tokens.c.token_hash == token_digest(token))).one()
    return _token(row), token


def revoke_token(engine: sa.Engine, token_id: int) -> WallToken:
    """Revoke a token by id: the screens using it stop getting data at their next refresh."""
    table = schema.wall_tokens
    with engine.begin() as conn:
        row = conn.execute(sa.select(table).where(table.c.id == token_id)).first()
        if row is None:
            raise AccountError(f"no wall token with id {token_id} (see `kpi-dashboard wall-token list`)")
        if row.revoked_at is None:
            conn.execute(table.update().where(table.c.id == token_id).values(revoked_at=utcnow()))
        return _token(conn.execute(sa.select(table).where(table.c.id == token_id)).one())


def list_tokens(engine: sa.Engine) -> list[WallToken]:
    """Every wall token record, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(schema.wall_tokens).order_by(schema.wall_tokens.c.id)).all()
    return [_token(r) for r in rows]


def find_token(conn: sa.Connection, token: str) -> WallToken | None:
    """The valid (not revoked) token record for a presented token, or None."""
    if not token or len(token) > 200:
        return None
    table = schema.wall_tokens
    row = conn.execute(sa.select(table).where(table.c.token_hash == token_digest(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    return _token(row)


def _token(row) -> WallToken:
    return WallToken(row.id, row.label, row.created_at, row.created_by, row.revoked_at)


# --- audit log --------------------------------------------------------------------------------
def audit(conn: sa.Connection, actor: str, action: str, outcome: str = "ok", address: str | None = None,
          detail: str | None = None) -> None:
    """Append one line to the audit log (inside the caller's transaction)."""
    conn.execute(schema.audit_log.insert().values(
        at=utcnow(), actor=(actor or "-")[:100], action=action[:32], outcome=outcome[:16],
        address=(address or None) and address[:64], detail=detail))


def recent_failures(conn: sa.Connection, address: str | None, username: str,
                    since: dt.datetime) -> tuple[int, int]:
    """Failed sign-ins since a time: (from this address, for this user name), for rate limiting."""
    log = schema.audit_log
    recent = sa.and_(log.c.action == "login_failed", log.c.at >= since)
    count = lambda *where: conn.execute(  # noqa: E731
        sa.select(sa.func.count()).select_from(log).where(recent, *where)).scalar_one()
    return count(log.c.address == address), count(log.c.actor == username[:100])


def audit_entries(engine: sa.Engine, limit: int = 100, action: str | None = None) -> list[dict]:
    """The latest audit lines, newest first."""
    log = schema.audit_log
    query = sa.select(log).order_by(log.c.id.desc()).limit(limit)
    if action:
        query = query.where(log.c.action == action)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
