"""The live index: a rebuild is swapped in whole, and readers never see it half built."""

import threading

from platewarden.matching import DEFAULT_CONFUSABLE_CLASSES, HotlistIndex, IndexEntry, LiveIndex


def build(entries: list[IndexEntry]) -> HotlistIndex:
    """Build an index with the default classes and one substitution."""
    return HotlistIndex.build(
        entries,
        confusable_classes=DEFAULT_CONFUSABLE_CLASSES,
        max_substitutions=1,
        min_fixed_chars=3,
    )


def version(number: int, size: int = 2000) -> list[IndexEntry]:
    """Return a hot list whose every entry carries its version in its id and plate."""
    return [IndexEntry(number * 1_000_000 + n, f"V{number % 10}X{n:05d}") for n in range(size)] + [
        IndexEntry(number * 1_000_000 + size, f"V{number % 10}Y*", is_pattern=True)
    ]


def test_rebuild_swaps_in_the_new_list() -> None:
    live = LiveIndex(build(version(1)))
    old = live.current()
    assert old.match([("V1X00007", 0.9)])
    rebuilt = live.rebuild(version(2))
    assert live.current() is rebuilt is not old
    assert not live.current().match([("V1X00007", 0.9)])
    assert live.current().match([("V2X00007", 0.9)])
    assert old.match([("V1X00007", 0.9)])  # a reader holding the old index can finish with it


def test_rebuild_keeps_the_parameters_unless_given() -> None:
    live = LiveIndex(build([]))
    assert live.rebuild(version(1)).max_substitutions == 1
    assert live.rebuild(version(1), max_substitutions=0).max_substitutions == 0
    assert live.current().confusable_classes == DEFAULT_CONFUSABLE_CLASSES


def test_readers_see_one_whole_version_while_another_thread_rebuilds() -> None:
    live = LiveIndex(build(version(0)))
    stop = threading.Event()
    failures: list[str] = []
    seen: set[int] = set()

    def hammer() -> None:
        try:
            while not stop.is_set():
                index = live.current()
                # A whole index of version v matches its last plate and its pattern, or neither.
                for v in range(10):
                    hits = index.match([(f"V{v}X01999", 0.9), (f"V{v}Y12", 0.8)])
                    if len(hits) not in (0, 2):
                        failures.append(f"version {v}: {hits}")
                    seen.update(hit.entry_id // 1_000_000 for hit in hits)
        except Exception as exc:  # any error in a reader fails the test
            failures.append(repr(exc))

    readers = [threading.Thread(target=hammer) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for number in range(1, 30):
            live.rebuild(version(number))
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert failures == []
    assert len(seen) > 3  # the readers did run across several versions
