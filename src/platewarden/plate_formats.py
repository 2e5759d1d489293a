"""Plate formats by jurisdiction: a reader that knows a plate's jurisdiction prefers the reads
that fit its standard formats.

The formats are data (plate_formats.csv beside this module, a source for each row): Brazil's
two, common European countries', and each US state's standard passenger serials with the
letters a state never issues in them. The jurisdiction is the reader's region setting ("br",
"de", "us-ca": the camera's country or home state).

Rescoring never drops a read: the others stay among the alternatives, so a vanity plate or a
plate from elsewhere can still match a hot list.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FORMATS_FILE = Path(__file__).with_name("plate_formats.csv")
# Where personalised plates are issued, a read that fits no format must be this many times
# likelier than one that fits to rank above it: about the share of vanity plates among the
# plates that fit, a prior fixed before it was measured. Where none are issued (Brazil), a read
# that fits always ranks first.
VANITY_SHARE = 0.1
_TOKEN = re.compile(r"([LA9])(\{\d+(?:,\d+)?\})?")


@dataclass(frozen=True)
class Jurisdiction:
    """One jurisdiction's standard formats, as compiled patterns."""

    code: str
    patterns: tuple[re.Pattern[str], ...]
    vanity: bool


def compile_format(fmt: str, no_letters: str = "") -> re.Pattern[str]:
    """Compile a format (L a letter, 9 a digit, A either, {m,n} a count) into a regex."""
    letters = "".join(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in no_letters)
    classes = {"L": f"[{letters}]", "9": "[0-9]", "A": f"[{letters}0-9]"}
    pos, parts = 0, []
    for m in _TOKEN.finditer(fmt):
        if m.start() != pos:
            break
        parts.append(classes[m.group(1)] + (m.group(2) or ""))
        pos = m.end()
    if pos != len(fmt) or not parts:
        raise ValueError(f"bad plate format {fmt!r}: use L, 9, A and {{m,n}} only")
    return re.compile("".join(parts))


@cache
def jurisdictions() -> dict[str, Jurisdiction]:
    """Load the formats file once: every jurisdiction by its code."""
    rows: dict[str, list[dict[str, str]]] = {}
    with FORMATS_FILE.open(encoding="utf-8") as f:
        for row in csv.DictReader(line for line in f if not line.startswith("#")):
            rows.setdefault(row["jurisdiction"], []).append(row)
    return {
        code: Jurisdiction(
            code,
            tuple(compile_format(r["format"], r["no_letters"]) for r in group),
            any(r["vanity"] == "yes" for r in group),
        )
        for code, group in rows.items()
    }


def regions() -> tuple[str, ...]:
    """Name every region setting: "any" (none), then each jurisdiction's code."""
    return ("any", *sorted(jurisdictions()))


def check_region(region: str) -> str:
    """Return region if it is known; raise ValueError saying what is known otherwise."""
    if region != "any" and region not in jurisdictions():
        countries = ", ".join(c for c in regions() if not c.startswith("us-"))
        raise ValueError(
            f"{region!r} is not a plate region (known: {countries}, "
            "or us- and a US state's code, as us-ca)"
        )
    return region


def fits(text: str, region: str) -> bool:
    """Say whether text fits one of region's formats (always, for "any")."""
    known = jurisdictions().get(region)
    return known is None or any(p.fullmatch(text) for p in known.patterns)


def prefer_region(alternatives: list[tuple[str, float]], region: str) -> list[tuple[str, float]]:
    """Rank alternatives by their probability weighed by region's formats; keep every one.

    A read that fits keeps its weight; one that does not is weighed by VANITY_SHARE where
    region issues personalised plates, else ranks after every read that fits. Ties keep the
    reader's order, and the probabilities given are the reader's own.
    """
    known = jurisdictions().get(region)
    if known is None:
        return alternatives
    other = VANITY_SHARE if known.vanity else 0.0
    return sorted(alternatives, key=lambda alt: -alt[1] * (1.0 if fits(alt[0], region) else other))
