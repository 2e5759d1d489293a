"""The hot-list index each process keeps in memory, rebuilt when the lists change."""

from sqlalchemy import Connection

from platewarden.matching import HotlistIndex, IndexEntry, LiveIndex
from platewarden.services.runtime import Runtime
from platewarden.store import hotlists as store


def build_index(rt: Runtime, conn: Connection) -> HotlistIndex:
    """Build an index of every entry in force, from the store."""
    rules = rt.policy.matching
    entries = (
        IndexEntry(entry_id=i, plate=plate, jurisdiction=jurisdiction, is_pattern=pattern)
        for i, plate, jurisdiction, pattern, _ in store.index_rows(conn, now=rt.clock.now())
    )
    return HotlistIndex.build(
        entries,
        confusable_classes=rules.confusable_classes,
        max_substitutions=rules.max_substitutions,
        min_fixed_chars=rules.min_fixed_chars,
    )


def current_index(rt: Runtime, conn: Connection) -> HotlistIndex:
    """Return the index of the hot lists as stored now, rebuilding it beside the live one."""
    cache = rt.hotlist_cache
    generation = store.generation(conn)
    if cache.live is not None and cache.generation == generation:
        return cache.live.current()
    with cache.lock:  # one rebuild at a time; other threads keep matching on the old index
        if cache.live is None or cache.generation != generation:
            index = build_index(rt, conn)
            if cache.live is None:
                cache.live = LiveIndex(index)
            else:
                cache.live.swap(index)
            cache.generation = generation
        return cache.live.current()
