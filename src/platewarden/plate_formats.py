"""National plate formats: a reader set to a region prefers the reads that fit its formats."""

from __future__ import annotations

import re

# Only regions whose every current plate follows a national pattern are listed; "any" leaves the
# reader's ranking alone (US plates vary by state and vanity plates, EU plates by country).
REGION_FORMATS: dict[str, tuple[re.Pattern[str], ...]] = {
    "any": (),
    # Brazil: the grey plates (ABC1234) and the Mercosur plates (ABC1D23).
    "br": (re.compile(r"[A-Z]{3}[0-9]{4}"), re.compile(r"[A-Z]{3}[0-9][A-Z][0-9]{2}")),
}
REGIONS = tuple(REGION_FORMATS)


def check_region(region: str) -> str:
    """Return region if it is known; raise ValueError naming the known ones otherwise."""
    if region not in REGION_FORMATS:
        raise ValueError(f"{region!r} is not a plate region (known: {', '.join(REGIONS)})")
    return region


def fits(text: str, region: str) -> bool:
    """Say whether text fits one of region's formats (always, for "any")."""
    formats = REGION_FORMATS[region]
    return not formats or any(f.fullmatch(text) for f in formats)


def prefer_region(alternatives: list[tuple[str, float]], region: str) -> list[tuple[str, float]]:
    """Move the alternatives that fit region's formats ahead of those that do not, keeping order.

    The others stay in the list, so a plate from elsewhere can still match a hot list.
    """
    if not REGION_FORMATS[region]:
        return alternatives
    return sorted(alternatives, key=lambda alt: not fits(alt[0], region))
