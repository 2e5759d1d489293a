"""The index that matching uses now, replaced whole when a hot list is reloaded."""

import threading
from collections.abc import Iterable, Sequence

from platewarden.matching.index import HotlistIndex, IndexEntry


class LiveIndex:
    """Hold the current index; a rebuild happens beside it and is swapped in at once."""

    def __init__(self, index: HotlistIndex) -> None:
        self._index = index
        self._rebuilding = threading.Lock()

    def current(self) -> HotlistIndex:
        """Return the index to match against; keep using it for the whole read."""
        # Rebinding an attribute is atomic, so a reader gets the old index or the new one, whole.
        return self._index

    def swap(self, index: HotlistIndex) -> None:
        """Put a fully built index in place of the current one."""
        self._index = index

    def rebuild(
        self,
        entries: Iterable[IndexEntry],
        *,
        confusable_classes: Sequence[str] | None = None,
        max_substitutions: int | None = None,
        min_fixed_chars: int | None = None,
    ) -> HotlistIndex:
        """Build an index of the entries beside the current one, swap it in and return it."""
        with self._rebuilding:  # one at a time: two would hold two new indexes in memory
            now = self._index
            index = HotlistIndex.build(
                entries,
                confusable_classes=(
                    now.confusable_classes if confusable_classes is None else confusable_classes
                ),
                max_substitutions=(
                    now.max_substitutions if max_substitutions is None else max_substitutions
                ),
                min_fixed_chars=now.min_fixed_chars if min_fixed_chars is None else min_fixed_chars,
            )
            self.swap(index)
        return index
