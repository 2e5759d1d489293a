"""The search form's fields: read from a posted form, turned into the service's query.

The same fields travel on with every page of results and into a hold placed on them, as hidden
inputs of a POST: a plate or case number never goes into a URL.
"""

from dataclasses import dataclass, fields

from starlette.datastructures import FormData

from platewarden.selection import ReadSelection
from platewarden.services.errors import InvalidInputError, Problem
from platewarden.services.search import SearchQuery
from platewarden.web.admin_fields import local_moment, number

PAGE_SIZE = 24  # crops a page of results shows (each one an audited image view)
MAX_CAMERAS = 200
MAX_TRAIL = 100  # pages back the "previous page" button remembers
FIRST_PAGE = "first"  # the cursor of the first page, in the trail of pages before this one
LIMITS = {"purpose": 64, "case_number": 64, "plate": 16, "since": 40, "until": 40}
LIMITS |= {"latitude": 40, "longitude": 40, "radius_m": 40, "after": 200}
AREA_RANGES = {
    "latitude": (-90.0, 90.0),
    "longitude": (-180.0, 180.0),
    "radius_m": (0.0, 100_000.0),
}


@dataclass(frozen=True)
class SearchForm:
    """What the member typed, as typed (so the form shows it again)."""

    purpose: str = ""
    case_number: str = ""
    plate: str = ""
    ocr_equivalent: bool = False
    since: str = ""
    until: str = ""
    cameras: tuple[str, ...] = ()
    latitude: str = ""
    longitude: str = ""
    radius_m: str = ""
    after: str = ""  # the cursor of the page to show (empty: the first)
    trail: tuple[str, ...] = ()  # the cursors of the pages before it, for "previous page"

    @classmethod
    def read(cls, form: FormData) -> "SearchForm":
        """Return the fields of a posted form; an over-long field is refused, not cut."""
        text = {name: str(form.get(name, "")).strip() for name in LIMITS}
        problems = [
            Problem(name.replace("_", " "), f"is longer than {limit} characters")
            for name, limit in LIMITS.items()
            if len(text[name]) > limit
        ]
        cameras = tuple(str(c) for c in form.getlist("cameras") if str(c).strip())
        trail = tuple(str(form.get("trail", "")).split())
        if len(cameras) > MAX_CAMERAS or any(len(c) > 100 for c in cameras):
            problems.append(Problem("cameras", f"name at most {MAX_CAMERAS} known cameras"))
        if problems:
            raise InvalidInputError("search not done:", problems)
        ocr = str(form.get("ocr_equivalent", "")) in {"on", "yes", "true"}
        if text["after"] == FIRST_PAGE:
            text["after"] = ""
        return cls(**text, ocr_equivalent=ocr, cameras=cameras, trail=trail[-MAX_TRAIL:])

    def query(self) -> SearchQuery:
        """Return the service's query for this page of results."""
        area = {
            name: number(getattr(self, name), label)
            for name, label in (("latitude", "latitude"), ("longitude", "longitude"))
        } | {"radius_m": number(self.radius_m, "radius")}
        problems = [
            Problem(name.replace("_m", ""), f"must be from {low:g} to {high:g}")
            for name, (low, high) in AREA_RANGES.items()
            if (value := area[name]) is not None and not low <= value <= high
        ]
        if problems:
            raise InvalidInputError("search not done:", problems)
        return SearchQuery(
            purpose=self.purpose,
            case_number=self.case_number,
            plate=self.plate or None,
            ocr_equivalent=self.ocr_equivalent,
            since=local_moment(self.since, "from"),
            until=local_moment(self.until, "until"),
            cameras=self.cameras,
            limit=PAGE_SIZE,
            after=self.after or None,
            latitude=area["latitude"],
            longitude=area["longitude"],
            radius_m=area["radius_m"],
        )

    def selection(self) -> ReadSelection:
        """Return the reads the search names (all its pages): what a hold on it keeps."""
        return self.query().selection

    def hidden(
        self, *, after: str | None = None, trail: tuple[str, ...] = ()
    ) -> list[tuple[str, str]]:
        """Return the fields as hidden inputs (name, value) for another page or a hold."""
        pairs: list[tuple[str, str]] = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in {"after", "trail"}:
                continue
            if f.name == "cameras":
                pairs += [("cameras", camera) for camera in value]
            elif f.name == "ocr_equivalent":
                pairs += [("ocr_equivalent", "on")] if value else []
            elif value:
                pairs.append((f.name, value))
        if after:
            pairs.append(("after", after))
        if trail:
            pairs.append(("trail", " ".join(trail)))
        return pairs
