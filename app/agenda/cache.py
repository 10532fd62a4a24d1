"""A small in-process cache of rendered public pages and feeds, keyed on the agenda's data version.

The key holds `queries.agenda_version(slug)`, which changes with any change to what the agenda shows,
so a stale entry is never served: it is simply not asked for again and falls out of the LRU.
"""

from collections import OrderedDict
from collections.abc import Hashable
from threading import Lock
from typing import Any

from flask import current_app


class RenderCache:
    """A thread-safe LRU of at most `size` entries; size 0 keeps nothing."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def render_cache() -> RenderCache:
    """The application's cache, made on first use with PUBLIC_CACHE_SIZE entries."""
    cache = current_app.extensions.get("public_render_cache")
    if cache is None:
        cache = current_app.extensions.setdefault(
            "public_render_cache", RenderCache(current_app.config.get("PUBLIC_CACHE_SIZE", 256))
        )
    return cache
