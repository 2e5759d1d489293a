"""Partial plates: wildcard semantics and the patterns refused."""

import pytest

from platewarden.matching import InvalidPatternError, is_pattern, parse_pattern


def test_question_mark_stands_for_exactly_one_character() -> None:
    pattern = parse_pattern("AB?123", min_fixed_chars=3)
    assert pattern.matches("ABC123")
    assert not pattern.matches("AB123")
    assert not pattern.matches("ABCD123")


def test_star_stands_for_any_run_including_none() -> None:
    pattern = parse_pattern("ABC*9", min_fixed_chars=3)
    assert pattern.matches("ABC9")
    assert pattern.matches("ABC12349")
    assert not pattern.matches("ABC1234")
    assert not pattern.matches("XABC9")


def test_pattern_is_upper_cased_and_repeated_stars_fold() -> None:
    pattern = parse_pattern(" abc**1 ", min_fixed_chars=3)
    assert pattern.text == "ABC*1"
    assert (pattern.fixed_chars, pattern.min_length, pattern.has_star) == (4, 4, True)


def test_is_pattern_tells_a_partial_plate_from_a_full_one() -> None:
    assert is_pattern("AB?123")
    assert is_pattern("*123")
    assert not is_pattern("ABC123")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("AB-123", "'-'"),
        ("AB 12%", "' %'"),
        ("ÄBC123", "'Ä'"),
        ("*", "0 fixed characters"),
        ("**", "0 fixed characters"),
        ("?*", "0 fixed characters"),
        ("??*", "0 fixed characters"),
        ("A*", "1 fixed character;"),
        ("A?B*", "2 fixed characters"),
        ("ABCDEFGHIJK", "plates have at most 10"),
        ("ABCDEFGHIJ?", "needs at least 11 characters"),
    ],
)
def test_bad_or_too_loose_patterns_are_refused_with_a_clear_message(
    text: str, message: str
) -> None:
    with pytest.raises(InvalidPatternError, match=message) as refused:
        parse_pattern(text, min_fixed_chars=3)
    assert isinstance(refused.value, ValueError)


def test_the_minimum_of_fixed_characters_comes_from_the_caller() -> None:
    assert parse_pattern("AB*", min_fixed_chars=2).fixed_chars == 2
    with pytest.raises(InvalidPatternError, match="at least 4 are needed"):
        parse_pattern("ABC*", min_fixed_chars=4)


def test_a_minimum_of_zero_fixed_characters_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        parse_pattern("ABC*", min_fixed_chars=0)
