"""Which reads: the one selection that search, holds and sharing scopes share."""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ReadSelection:
    """Which reads: by ids, plates (full or with ? and *), time window, cameras and area."""

    read_ids: tuple[int, ...] = ()
    plates: tuple[str, ...] = ()
    ocr_equivalent: bool = False  # also look-alike plates (0/O, 8/B …) and OCR alternatives
    since: datetime | None = None
    until: datetime | None = None
    cameras: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    radius_m: float | None = None

    @property
    def area(self) -> tuple[float, float, float] | None:
        """Return (latitude, longitude, radius) when the selection names a whole area."""
        if self.latitude is None or self.longitude is None or self.radius_m is None:
            return None
        return self.latitude, self.longitude, self.radius_m

    def as_json(self) -> dict[str, Any]:
        """Return the selection as JSON-ready values."""
        data = asdict(self)
        data["read_ids"], data["plates"] = list(self.read_ids), list(self.plates)
        data["cameras"] = list(self.cameras)
        for key in ("since", "until"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ReadSelection":
        """Return the selection stored as JSON (a hold's single "plate" of old included)."""
        plates = data.get("plates") or ([data["plate"]] if data.get("plate") else [])
        return cls(
            read_ids=tuple(data.get("read_ids") or ()),
            plates=tuple(plates),
            ocr_equivalent=bool(data.get("ocr_equivalent")),
            since=datetime.fromisoformat(data["since"]) if data.get("since") else None,
            until=datetime.fromisoformat(data["until"]) if data.get("until") else None,
            cameras=tuple(data.get("cameras") or ()),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            radius_m=data.get("radius_m"),
        )
