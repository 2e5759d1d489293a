"""Region plate formats: which reads fit, and how a region re-ranks a reader's alternatives."""

import pytest

from platewarden.plate_formats import check_region, fits, prefer_region


def test_brazilian_formats_fit_grey_and_mercosur_plates() -> None:
    assert fits("JOG9221", "br") and fits("RIO2A18", "br")
    assert not fits("J0G9221", "br")  # a zero among the letters
    assert not fits("MTW560B", "br")  # a letter in the last place
    assert not fits("ABC12345", "br")
    assert fits("J0G9221", "any")


def test_prefer_region_moves_fitting_reads_first_and_keeps_the_others() -> None:
    alts = [("J0G9221", 0.6), ("JOG9221", 0.3), ("J0G922", 0.05), ("JOG922I", 0.01)]
    ranked = prefer_region(alts, "br")
    assert ranked[0] == ("JOG9221", 0.3)
    assert sorted(ranked) == sorted(alts)
    assert [t for t, _ in ranked[1:]] == ["J0G9221", "J0G922", "JOG922I"]


def test_any_region_keeps_the_reader_ranking() -> None:
    alts = [("J0G9221", 0.6), ("JOG9221", 0.3)]
    assert prefer_region(alts, "any") == alts


def test_an_unknown_region_is_named_with_the_known_ones() -> None:
    assert check_region("br") == "br"
    with pytest.raises(ValueError, match=r"'us' is not a plate region \(known: any, br\)"):
        check_region("us")
