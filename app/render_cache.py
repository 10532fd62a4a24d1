"""The app's in-process cache of rendered pages: public pages and feeds, keyed on the agenda's data version.

Organisers' registration lists use it too, keyed on the session's registrations version, and so do speakers'
private feeds, keyed on a fingerprint of one speaker's slots (`app.speakers.services.speaker_feed_version`),
which also remember which speaker a feed token belongs to; the people and speakers tables are watched, so the
same invalidation applies (a reset feed address stops working at once in this process).

Every key is kept per language (`_in_language`: the page's language, or a feed's), whatever the caller passes.

The key holds `app.public.queries.agenda_version(slug)`, which changes with any change to what the agenda shows,
so a stale entry is never served for a version: it is simply not asked for again and falls out of the LRU.

Asking the database for the version is itself the main cost of a cached page, so a process trusts a version
it looked up for PUBLIC_CACHE_SECONDS. Any write to the agenda's tables committed in this process (ORM,
Core or plain SQL: engine events below) forgets the versions at once; another process's change shows after
at most that many seconds.
"""

import time
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any

from cachetools import LRUCache, TTLCache
from flask import current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.i18n import current_language
from app.models import AgendaItem, Appearance, Event, EventSession, Material, Person, Speaker

#: Tables whose rows can change a public page or feed (a write naming one of them forgets the versions).
WATCHED_TABLES = tuple(
    model.__tablename__ for model in (Event, EventSession, AgendaItem, Appearance, Person, Speaker, Material)
)
_WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "DROP")
_CHANGED = "public_agenda_changed"
#: Raised after every commit that changed a watched row in this process; versions looked up before are forgotten.
_generation = 0


class RenderCache:
    """A thread-safe LRU of at most `size` entries (size 0 keeps nothing), and the versions recently seen.

    Both stores are cachetools caches (which are not thread-safe on their own, hence the lock): the entries an
    LRUCache, the versions a TTLCache that forgets each after `version_seconds`.
    """

    def __init__(self, size: int, version_seconds: float = 0):
        self.size = size
        self.version_seconds = version_seconds
        self._entries: LRUCache[Hashable, Any] = LRUCache(maxsize=max(size, 0))
        self._versions: TTLCache[Hashable, tuple[tuple, int]] = TTLCache(
            maxsize=max(size, 0), ttl=version_seconds, timer=time.monotonic
        )
        self._lock = Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            return self._entries.get(_in_language(key))

    def put(self, key: Hashable, value: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[_in_language(key)] = value

    def version(self, slug: Hashable, look_up: Callable[[Any], tuple | None]) -> tuple | None:
        """The data version of `slug`, from memory while it is fresh, else from `look_up` (the database).

        `slug` is an agenda's slug, or any other hashable naming a fingerprint (a speaker's feed uses
        `("speaker-feed", speaker_id)`); `look_up(slug)` computes it.
        """
        with self._lock:
            remembered = self._versions.get(slug)
        if remembered is not None:
            version, generation = remembered
            if generation == _generation:
                return version
        generation = _generation
        version = look_up(slug)
        if version is not None and self.size > 0 and self.version_seconds > 0:
            with self._lock:
                self._versions[slug] = (version, generation)
        return version

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._versions.clear()

    def __len__(self) -> int:
        return len(self._entries)


def _in_language(key: Hashable) -> tuple:
    """Every entry is kept per language (the one being rendered now): the same URL in French and in English are two
    entries, so no caller can forget the language in its key."""
    return (current_language(), key)


def render_cache() -> RenderCache:
    """The application's cache, made on first use from PUBLIC_CACHE_SIZE and PUBLIC_CACHE_SECONDS."""
    cache = current_app.extensions.get("public_render_cache")
    if cache is None:
        config = current_app.config
        cache = current_app.extensions.setdefault(
            "public_render_cache",
            RenderCache(config.get("PUBLIC_CACHE_SIZE", 256), config.get("PUBLIC_CACHE_SECONDS", 2)),
        )
    return cache


@event.listens_for(Engine, "after_cursor_execute")
def _note_writes(conn, _cursor, statement: str, _parameters, _context, _executemany) -> None:
    if statement.lstrip()[:8].upper().startswith(_WRITES) and any(t in statement for t in WATCHED_TABLES):
        conn.info[_CHANGED] = True


@event.listens_for(Engine, "commit")
def _forget_versions(conn) -> None:
    global _generation
    if conn.info.pop(_CHANGED, False):
        _generation += 1


@event.listens_for(Engine, "rollback")
def _drop_note(conn) -> None:
    # A connection the database dropped has no info left to clear (and reading it would raise).
    if not conn.invalidated:
        conn.info.pop(_CHANGED, None)
