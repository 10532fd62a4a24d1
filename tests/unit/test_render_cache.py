"""The render cache: LRU bounds, versions trusted for a while, forgotten at once after a change in this process."""

from sqlalchemy import text

from app.extensions import db
from app.render_cache import RenderCache
from tests.factories import make_event


class VersionLookups:
    """Answers a fixed version and counts how often it was asked (stands in for the database query)."""

    def __init__(self, version=("v", 1)):
        self.version = version
        self.calls = 0

    def __call__(self, slug):
        self.calls += 1
        return self.version


def test_the_lru_keeps_the_most_recently_used_entries():
    cache = RenderCache(size=2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.get("a")

    cache.put("c", 3)

    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (1, None, 3, 2)


def test_the_versions_kept_are_bounded_by_the_size_too():
    cache = RenderCache(size=2, version_seconds=60)
    lookups = VersionLookups()
    for slug in ("x", "y", "z", "z"):
        cache.version(slug, lookups)

    cache.version("x", lookups)

    assert lookups.calls == 4


def test_size_zero_keeps_nothing():
    cache = RenderCache(size=0, version_seconds=60)
    lookups = VersionLookups()
    cache.put("a", 1)

    cache.version("x", lookups)
    cache.version("x", lookups)

    assert (cache.get("a"), lookups.calls) == (None, 2)


def test_a_version_is_trusted_for_its_seconds_then_asked_again():
    trusting, asking = RenderCache(size=8, version_seconds=60), RenderCache(size=8, version_seconds=0)
    trusted, asked = VersionLookups(), VersionLookups()

    for _ in range(3):
        trusting.version("x", trusted)
        asking.version("x", asked)

    assert (trusted.calls, asked.calls) == (1, 3)


def test_an_unknown_slug_is_asked_every_time():
    cache = RenderCache(size=8, version_seconds=60)
    lookups = VersionLookups(version=None)

    assert [cache.version("nope", lookups), cache.version("nope", lookups)] == [None, None]
    assert lookups.calls == 2


def test_a_committed_change_to_the_agenda_in_this_process_forgets_the_versions(app_context):
    cache = RenderCache(size=8, version_seconds=60)
    lookups = VersionLookups()
    event = make_event()
    cache.version("x", lookups)

    event.title = "Renamed"
    db.session.commit()
    cache.version("x", lookups)
    cache.version("x", lookups)

    assert lookups.calls == 2


def test_clear_forgets_entries_and_versions():
    cache = RenderCache(size=8, version_seconds=60)
    lookups = VersionLookups()
    cache.put("a", 1)
    cache.version("x", lookups)

    cache.clear()
    cache.version("x", lookups)

    assert (cache.get("a"), lookups.calls) == (None, 2)


def test_a_plain_sql_write_to_the_agenda_forgets_the_versions_but_other_tables_do_not(app_context):
    cache = RenderCache(size=8, version_seconds=60)
    lookups = VersionLookups()
    make_event()
    cache.version("x", lookups)

    db.session.execute(text("UPDATE organisers SET name = 'n'"))
    db.session.commit()
    cache.version("x", lookups)
    db.session.execute(text("UPDATE events SET title = 'Renamed'"))
    db.session.commit()
    cache.version("x", lookups)

    assert lookups.calls == 2


def test_a_rolled_back_write_keeps_the_versions(app_context):
    cache = RenderCache(size=8, version_seconds=60)
    lookups = VersionLookups()
    make_event()
    cache.version("x", lookups)

    db.session.execute(text("UPDATE events SET title = 'Renamed'"))
    db.session.rollback()
    cache.version("x", lookups)

    assert lookups.calls == 1
