"""Plate formats by jurisdiction: the table, which reads fit, and how a region re-ranks reads."""

import csv
import re

import pytest

from platewarden.plate_formats import (
    FORMATS_FILE,
    VANITY_SHARE,
    check_region,
    compile_format,
    fits,
    jurisdictions,
    prefer_region,
)

US_STATES = [
    "al",
    "ak",
    "az",
    "ar",
    "ca",
    "co",
    "ct",
    "de",
    "dc",
    "fl",
    "ga",
    "hi",
    "id",
    "il",
    "in",
    "ia",
    "ks",
    "ky",
    "la",
    "me",
    "md",
    "ma",
    "mi",
    "mn",
    "ms",
    "mo",
    "mt",
    "ne",
    "nv",
    "nh",
    "nj",
    "nm",
    "ny",
    "nc",
    "nd",
    "oh",
    "ok",
    "or",
    "pa",
    "ri",
    "sc",
    "sd",
    "tn",
    "tx",
    "ut",
    "vt",
    "va",
    "wa",
    "wv",
    "wi",
    "wy",
]


def test_every_row_of_the_table_compiles_and_names_its_source() -> None:
    with FORMATS_FILE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    assert len(rows) > 100
    for row in rows:
        compile_format(row["format"], row["no_letters"])
        assert row["source"].startswith("https://"), row
        assert row["vanity"] in ("yes", "no"), row
        assert set(row["no_letters"]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), row


def test_the_table_holds_every_us_state_and_brazil_and_common_eu_countries() -> None:
    known = jurisdictions()
    assert {f"us-{s}" for s in US_STATES} <= set(known)
    assert {"br", "de", "fr", "it", "es", "nl", "cz", "pl", "gb"} <= set(known)


def test_a_format_compiles_to_letters_digits_and_counts() -> None:
    assert compile_format("9LLL999").fullmatch("7ABC123")
    assert not compile_format("9LLL999").fullmatch("ABC1234")
    assert compile_format("L{2,3}9{1,4}").fullmatch("MAB12")
    assert compile_format("AAA9AA").fullmatch("B2C3DE")
    assert not compile_format("LLL9999", "IOQ").fullmatch("ABO1234")


@pytest.mark.parametrize("bad", ["", "LLX999", "L{2,", "[A-Z]{3}", "9LLL999 "])
def test_a_bad_format_is_refused_by_name(bad: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"bad plate format {bad!r}")):
        compile_format(bad)


def test_brazilian_formats_fit_grey_and_mercosur_plates() -> None:
    assert fits("JOG9221", "br") and fits("RIO2A18", "br")
    assert not fits("J0G9221", "br")  # a zero among the letters
    assert not fits("MTW560B", "br")  # a letter in the last place
    assert not fits("ABC12345", "br")
    assert fits("J0G9221", "any")


def test_state_formats_know_the_letters_a_state_never_issues() -> None:
    assert fits("7ABC123", "us-ca") and fits("ABC1234", "us-pa")
    assert not fits("ABO1234", "us-pa")  # Pennsylvania issues no O
    assert fits("ABO1234", "us-ny")
    assert fits("123456", "us-de") and not fits("I23456", "us-de")
    assert fits("AB123CD", "it") and not fits("AB123CO", "it")
    assert fits("1AB2345", "cz") and fits("1234BCD", "es") and not fits("1234ABC", "es")


def test_prefer_region_moves_fitting_reads_first_and_keeps_the_others() -> None:
    alts = [("J0G9221", 0.6), ("JOG9221", 0.3), ("J0G922", 0.05), ("JOG922I", 0.01)]
    ranked = prefer_region(alts, "br")
    assert ranked[0] == ("JOG9221", 0.3)
    assert sorted(ranked) == sorted(alts)
    assert [t for t, _ in ranked[1:]] == ["J0G9221", "J0G922", "JOG922I"]


def test_a_state_prefers_a_read_that_fits_unless_the_other_is_far_likelier() -> None:
    misread = [("0QK4G6", 0.5), ("OQK466", 0.4)]  # Louisiana's ABC123
    assert prefer_region(misread, "us-la")[0] == ("OQK466", 0.4)
    vanity = [("JOHNNY", 0.9), ("J0H666", 0.9 * VANITY_SHARE * 0.9)]
    assert prefer_region(vanity, "us-la") == vanity  # a vanity plate read surely stays first
    assert sorted(prefer_region(misread, "us-la")) == sorted(misread)


def test_any_region_keeps_the_reader_ranking() -> None:
    alts = [("J0G9221", 0.6), ("JOG9221", 0.3)]
    assert prefer_region(alts, "any") == alts


def test_an_unknown_region_is_named_with_the_known_ones() -> None:
    assert check_region("br") == "br" and check_region("us-ca") == "us-ca"
    for unknown in ("us", "mars", "US-CA", "us-zz"):
        with pytest.raises(ValueError, match=rf"'{unknown}' is not a plate region \(known: any,"):
            check_region(unknown)
