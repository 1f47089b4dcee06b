"""Accounts, sessions and sign-in throttling for ``generate.py serve``, in one SQLite file.

The file lives in ``.handoutgen/serve.sqlite3`` inside the project (ignored by git: it holds password
hashes and sessions, never approvals, which are the records beside the catalogues). Passwords are
hashed with Argon2id (argon2-cffi); a session cookie holds a random token whose SHA-256 is stored,
so a copy of the database signs nobody in.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from handoutgen.errors import HandoutError
from handoutgen.text.locales import check_code

STORE_DIR = ".handoutgen"
STORE_FILE = "serve.sqlite3"
ROLES = ("admin", "editor", "translator", "reviewer")
SESSION_SECONDS = 8 * 3600
MAX_FAILURES = 5  # wrong passwords in FAILURE_WINDOW before the account is locked for LOCK_SECONDS
FAILURE_WINDOW = 15 * 60
LOCK_SECONDS = 15 * 60
MIN_PASSWORD = 12
_HASHER = PasswordHasher()
_SCHEMA = """
create table if not exists users (
  name text primary key, role text not null, languages text not null, password text not null,
  created real not null);
create table if not exists sessions (
  token text primary key, name text not null references users(name) on delete cascade,
  csrf text not null, expires real not null);
create table if not exists failures (name text not null, at real not null);
create index if not exists failures_by_name on failures(name, at);
"""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    languages: tuple[str, ...]

    def may(self, what: str, code: str | None = None) -> bool:
        """Whether the user may ``view``, ``edit`` (translations), ``review`` or ``admin``."""
        if what == "view":
            return True
        if what == "admin":
            return self.role == "admin"
        wanted = {"edit": "translator", "review": "reviewer"}[what]
        return self.role == wanted and (code is None or code in self.languages)


def store_path(root: Path) -> Path:
    return Path(root) / STORE_DIR / STORE_FILE


@contextlib.contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        db.execute("pragma journal_mode=wal")
        db.execute("pragma foreign_keys=on")
        db.executescript(_SCHEMA)
        yield db
    finally:
        db.close()


def add_user(path: Path, name: str, role: str, languages: list[str], password: str) -> User:
    """A new account; the reviewer role must match reviewers.yaml (checked by the caller)."""
    if role not in ROLES:
        raise HandoutError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if not name or not all(c.isalnum() or c in "._-" for c in name) or len(name) > 64:
        raise HandoutError(f"{name!r} is not a user name (letters, digits, '.', '_', '-')")
    codes = tuple(check_code(c) for c in languages)
    if role in ("translator", "reviewer") and not codes:
        raise HandoutError(f"a {role} needs the languages they work in: --lang es (repeatable)")
    if len(password) < MIN_PASSWORD:
        raise HandoutError(f"the password is shorter than {MIN_PASSWORD} characters")
    with connect(path) as db:
        try:
            db.execute(
                "insert into users values (?, ?, ?, ?, ?)",
                (name, role, " ".join(codes), _HASHER.hash(password), time.time()),
            )
        except sqlite3.IntegrityError:
            raise HandoutError(f"user {name!r} exists already") from None
    return User(name, role, codes)


def list_users(path: Path) -> list[User]:
    with connect(path) as db:
        rows = db.execute("select name, role, languages from users order by name").fetchall()
    return [User(n, r, tuple(codes.split())) for n, r, codes in rows]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Locked(Exception):
    """Too many wrong passwords: sign-in is refused for a while."""


def sign_in(path: Path, name: str, password: str) -> tuple[str, str] | None:
    """A new session (token, CSRF token) for the right password; None for a wrong one. After
    MAX_FAILURES wrong passwords in FAILURE_WINDOW, :class:`Locked` even for the right one."""
    now = time.time()
    with connect(path) as db:
        failures = db.execute(
            "select count(*) from failures where name = ? and at > ?", (name, now - FAILURE_WINDOW)
        ).fetchone()[0]
        if failures >= MAX_FAILURES:
            raise Locked(name)
        row = db.execute("select password from users where name = ?", (name,)).fetchone()
        try:
            ok = row is not None and _HASHER.verify(row[0], password)
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            db.execute("insert into failures values (?, ?)", (name, now))
            return None
        db.execute("delete from failures where name = ?", (name,))
        db.execute("delete from sessions where expires < ?", (now,))
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        db.execute(
            "insert into sessions values (?, ?, ?, ?)",
            (_token_hash(token), name, csrf, now + SESSION_SECONDS),
        )
    return token, csrf


def session_user(path: Path, token: str | None) -> tuple[User, str] | None:
    """The signed-in user and their CSRF token, for a live session token."""
    if not token:
        return None
    with connect(path) as db:
        row = db.execute(
            "select u.name, u.role, u.languages, s.csrf from sessions s join users u on u.name = s.name "
            "where s.token = ? and s.expires > ?",
            (_token_hash(token), time.time()),
        ).fetchone()
    if row is None:
        return None
    return User(row[0], row[1], tuple(row[2].split())), row[3]


def sign_out(path: Path, token: str | None) -> None:
    if token:
        with connect(path) as db:
            db.execute("delete from sessions where token = ?", (_token_hash(token),))


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and secrets.compare_digest(expected, given or "")
