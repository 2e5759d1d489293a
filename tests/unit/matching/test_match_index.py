"""The hot-list index: each match kind, its score, and what it must not match."""

from collections.abc import Sequence

import pytest

from platewarden.matching import (
    DEFAULT_CONFUSABLE_CLASSES,
    HotlistIndex,
    IndexEntry,
    InvalidPatternError,
    Match,
    MatchKind,
)


def build(*entries: IndexEntry, max_substitutions: int = 1) -> HotlistIndex:
    """Build an index with the default classes."""
    return HotlistIndex.build(
        entries,
        confusable_classes=DEFAULT_CONFUSABLE_CLASSES,
        max_substitutions=max_substitutions,
        min_fixed_chars=3,
    )


def plate(entry_id: int, text: str, jurisdiction: str | None = None) -> IndexEntry:
    """Return a full-plate entry."""
    return IndexEntry(entry_id, text, jurisdiction)


def pattern(entry_id: int, text: str, jurisdiction: str | None = None) -> IndexEntry:
    """Return a partial-plate entry."""
    return IndexEntry(entry_id, text, jurisdiction, is_pattern=True)


def read(*texts: str) -> list[tuple[str, float]]:
    """Return OCR alternatives, best first, with falling confidences."""
    return [(text, round(0.9 / (rank + 1), 2)) for rank, text in enumerate(texts)]


def only(matches: Sequence[Match]) -> Match:
    """Return the single match."""
    assert len(matches) == 1, matches
    return matches[0]


def test_exact_match_on_the_best_read_scores_highest() -> None:
    index = build(plate(1, "ABC123"))
    hit = only(index.match(read("ABC123")))
    assert hit.kind is MatchKind.EXACT
    assert (hit.entry_id, hit.matched_text, hit.alternative_rank, hit.substitutions) == (
        1,
        "ABC123",
        0,
        0,
    )
    assert hit.explanation == "exact: read ABC123 is the entry's plate"
    assert 0 < hit.score <= 1
    assert index.match([("ABC123", 1.0)])[0].score == 1.0


@pytest.mark.parametrize(
    ("entry", "seen", "swap"), [("OBC123", "0BC123", "0/O"), ("BBC123", "8BC123", "8/B")]
)
def test_confusable_characters_give_an_ocr_equivalent_match(
    entry: str, seen: str, swap: str
) -> None:
    index = build(plate(1, entry))
    hit = only(index.match(read(seen)))
    assert hit.kind is MatchKind.OCR_EQUIVALENT
    assert hit.substitutions == 1
    assert hit.explanation == f"OCR-equivalent: read {seen} vs entry {entry} ({swap})"
    exact = only(build(plate(1, entry)).match(read(entry)))
    assert hit.score < exact.score


def test_three_read_as_seven_is_no_match() -> None:
    # Green v. San Francisco: 3 and 7 are not a configured class; the officer compares the image.
    index = build(plate(1, "7ABC123"))
    assert index.match(read("3ABC123")) == []


def test_more_substitutions_than_allowed_give_no_match() -> None:
    index = build(plate(1, "BOS123"))
    assert index.match(read("80S123")) == []
    two = only(build(plate(1, "BOS123"), max_substitutions=2).match(read("80S123")))
    assert (two.kind, two.substitutions) == (MatchKind.OCR_EQUIVALENT, 2)


def test_fuzzy_matching_off_keeps_exact_matches_only() -> None:
    index = build(plate(1, "BBC123"), pattern(2, "BBC*"), max_substitutions=0)
    assert index.match(read("8BC123")) == []
    assert {m.entry_id for m in index.match(read("BBC123"))} == {1, 2}


def test_wildcard_match_scores_below_exact() -> None:
    index = build(plate(1, "ABC123"), pattern(2, "AB?12*"))
    exact, wildcard = index.match(read("ABC123"))
    assert (exact.entry_id, exact.kind) == (1, MatchKind.EXACT)
    assert (wildcard.entry_id, wildcard.kind) == (2, MatchKind.WILDCARD)
    assert wildcard.score < exact.score
    assert wildcard.explanation == "wildcard: read ABC123 fits pattern AB?12*"


def test_wildcard_match_allows_confusable_characters_within_the_limit() -> None:
    index = build(pattern(1, "ABC1*"))
    hit = only(index.match(read("A8C1")))
    assert (hit.kind, hit.substitutions) == (MatchKind.WILDCARD, 1)
    assert hit.explanation == "wildcard: read A8C1 fits pattern ABC1* with OCR substitution 8/B"
    assert index.match(read("A8CI")) == []


@pytest.mark.parametrize(
    ("text", "fits"),
    [("XY1234", True), ("XY123", False), ("XY12345", False), ("XZ1234", False)],
)
def test_question_mark_in_an_entry_is_one_character(text: str, fits: bool) -> None:
    index = build(pattern(1, "XY?234"))
    assert bool(index.match(read(text))) is fits


@pytest.mark.parametrize(
    ("text", "fits"),
    [("MK4", False), ("MK47", True), ("MK4X7", True), ("MK4XYZ77", True), ("MK4XYZ78", False)],
)
def test_star_in_an_entry_is_any_run(text: str, fits: bool) -> None:
    index = build(pattern(1, "MK4*7"))
    assert bool(index.match(read(text))) is fits


def test_pattern_with_fixed_characters_only_in_the_middle_is_found() -> None:
    index = build(pattern(1, "*HJK*"), pattern(2, "?*W*X*Y*"))
    assert [m.entry_id for m in index.match(read("12HJK9"))] == [1]
    assert [m.entry_id for m in index.match(read("1W2X3Y"))] == [2]
    assert index.match(read("12HJ9K")) == []


def test_jurisdiction_mismatch_lowers_the_score_and_says_so_but_keeps_the_hit() -> None:
    index = build(plate(1, "ABC123", "CO"))
    same = only(index.match(read("ABC123"), "CO"))
    other = only(index.match(read("ABC123"), "WY"))
    unknown = only(index.match(read("ABC123"), None))
    assert not same.jurisdiction_mismatch and not unknown.jurisdiction_mismatch
    assert other.jurisdiction_mismatch
    assert other.score < same.score == unknown.score
    assert other.explanation.endswith("; jurisdiction WY differs from the entry's CO")


def test_a_lower_alternative_matching_scores_lower() -> None:
    index = build(plate(1, "ABC123"))
    best = only(index.match([("ABC123", 0.6), ("XYZ999", 0.3)]))
    second = only(index.match([("XYZ999", 0.6), ("ABC123", 0.6)]))
    assert second.alternative_rank == 1 and second.matched_text == "ABC123"
    assert second.score < best.score
    assert "from the OCR's alternative 2 (confidence 0.60)" in second.explanation


def test_lower_confidence_scores_lower() -> None:
    index = build(plate(1, "ABC123"))
    sure = only(index.match([("ABC123", 0.95)]))
    unsure = only(index.match([("ABC123", 0.40)]))
    assert unsure.score < sure.score


def test_every_alternative_is_used_and_each_entry_matches_once_at_its_best() -> None:
    index = build(plate(1, "BBC123"), plate(2, "XYZ789"), pattern(3, "BBC*"))
    matches = index.match([("8BC123", 0.5), ("BBC123", 0.45), ("XYZ789", 0.05)])
    by_entry = {m.entry_id: m for m in matches}
    assert len(by_entry) == len(matches) == 3
    assert (by_entry[1].kind, by_entry[1].alternative_rank) == (MatchKind.EXACT, 1)
    assert (by_entry[2].kind, by_entry[2].alternative_rank) == (MatchKind.EXACT, 2)
    assert by_entry[3].kind is MatchKind.WILDCARD
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_plates_sharing_a_canonical_key_are_all_found() -> None:
    index = build(plate(1, "0BC123"), plate(2, "OBC123"), plate(3, "OBC123", "MT"))
    matches = index.match(read("OBC123"))
    assert {(m.entry_id, m.kind) for m in matches} == {
        (1, MatchKind.OCR_EQUIVALENT),
        (2, MatchKind.EXACT),
        (3, MatchKind.EXACT),
    }


def test_nothing_matches_an_empty_or_unlisted_read() -> None:
    index = build(plate(1, "ABC123"), pattern(2, "*123"))
    assert index.match([]) == []
    assert index.match(read("")) == []
    assert index.match(read("ZZZ999")) == []


def test_a_malformed_entry_is_refused_with_its_id() -> None:
    with pytest.raises(ValueError, match="entry 7: plate 'AB-123' is not normalised"):
        build(plate(7, "AB-123"))
    with pytest.raises(InvalidPatternError, match="entry 8: pattern 'A\\*' has 1 fixed"):
        build(pattern(8, "A*"))


def test_a_pattern_without_wildcards_is_a_full_plate() -> None:
    index = build(pattern(1, "abc123"))
    assert only(index.match(read("ABC123"))).kind is MatchKind.EXACT
    assert len(index) == 1


def test_overlapping_confusable_classes_are_refused() -> None:
    with pytest.raises(ValueError, match="more than one confusable class"):
        HotlistIndex.build(
            [], confusable_classes=["0OD", "DQ"], max_substitutions=1, min_fixed_chars=3
        )


def test_a_read_longer_than_any_plate_can_still_fit_a_star_pattern() -> None:
    index = build(pattern(1, "ABC*"), pattern(2, "AB?12"))
    assert [m.entry_id for m in index.match(read("ABC123456789XY"))] == [1]


def test_unexpected_characters_in_a_read_match_nothing_and_raise_nothing() -> None:
    index = build(plate(1, "ABC123"), pattern(2, "*C12*"), pattern(3, "AB?12?"), pattern(4, "*B12"))
    assert index.match(read("ÄBC-123", "abc123", "ABC 123", "ÖÖ812")) == []


def test_settings_that_would_let_anything_through_are_refused() -> None:
    with pytest.raises(ValueError, match="min_fixed_chars must be at least 1"):
        HotlistIndex.build([], confusable_classes=(), max_substitutions=1, min_fixed_chars=0)
    with pytest.raises(ValueError, match="max_substitutions must be 0 or more"):
        HotlistIndex.build([], confusable_classes=(), max_substitutions=-1, min_fixed_chars=3)
    with pytest.raises(ValueError, match="two or more of the characters"):
        HotlistIndex.build([], confusable_classes=["0o"], max_substitutions=1, min_fixed_chars=3)
