"""A map of the cameras without tiles: their positions projected onto a plain SVG grid.

The SVG's units are metres east and south of the map's north-west corner (a local
equirectangular projection, true to a few metres over a city), so a radius in metres is a
radius on the map, and the page's script turns a point back into latitude and longitude
with the four numbers the map carries.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from platewarden.domain import Camera

M_PER_DEG_LAT = 111_320.0
MIN_SPAN_M = 1_000.0  # a lone camera still gets a map a kilometre across
MIN_ASPECT = 3.0  # the map is at least three times as wide as high (as the page is)
MARGIN = 0.15  # of the span, on each side, so no camera sits on the edge
GRID_STEPS_M = (50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000)


@dataclass(frozen=True)
class Marker:
    """A camera on the map."""

    name: str
    x: float
    y: float


@dataclass(frozen=True)
class Area:
    """The searched circle on the map."""

    x: float
    y: float
    r: float


@dataclass(frozen=True)
class CameraMap:
    """What the template draws: the frame, the grid, the cameras and the area searched."""

    north: float
    west: float
    m_per_deg_lon: float
    width: float
    height: float
    grid_m: int
    markers: tuple[Marker, ...]
    area: Area | None

    @property
    def unit(self) -> float:
        """Return a length that reads well at the map's scale (markers, text)."""
        return max(self.width, self.height) / 100

    @property
    def grid_xs(self) -> list[float]:
        """Return where the grid's north-south lines fall."""
        return [x * self.grid_m for x in range(1, int(self.width // self.grid_m) + 1)]

    @property
    def grid_ys(self) -> list[float]:
        """Return where the grid's east-west lines fall."""
        return [y * self.grid_m for y in range(1, int(self.height // self.grid_m) + 1)]

    @property
    def m_per_deg_lat(self) -> float:
        """Return metres per degree of latitude (for the page's script)."""
        return M_PER_DEG_LAT


def camera_map(
    cameras: Sequence[Camera], *, area: tuple[float, float, float] | None = None
) -> CameraMap | None:
    """Return the map of the cameras that have a position (None when none has)."""
    placed = [
        (c.name, c.latitude, c.longitude)
        for c in cameras
        if c.latitude is not None and c.longitude is not None
    ]
    if not placed:
        return None
    points = [(lat, lon) for _, lat, lon in placed] + ([area[:2]] if area else [])
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    mid_lat, mid_lon = (max(lats) + min(lats)) / 2, (max(lons) + min(lons)) / 2
    m_per_lon = M_PER_DEG_LAT * max(math.cos(math.radians(mid_lat)), 0.01)
    span_y = max((max(lats) - min(lats)) * M_PER_DEG_LAT, MIN_SPAN_M) * (1 + 2 * MARGIN)
    span_x = max((max(lons) - min(lons)) * m_per_lon, MIN_SPAN_M) * (1 + 2 * MARGIN)
    span_x = max(span_x, span_y * MIN_ASPECT)  # wide, as the page is: no empty bands beside it
    north = mid_lat + span_y / 2 / M_PER_DEG_LAT
    west = mid_lon - span_x / 2 / m_per_lon

    def project(lat: float, lon: float) -> tuple[float, float]:
        return (lon - west) * m_per_lon, (north - lat) * M_PER_DEG_LAT

    markers = tuple(Marker(name, *project(lat, lon)) for name, lat, lon in placed)
    drawn = Area(*project(area[0], area[1]), area[2]) if area else None
    grid = next((s for s in GRID_STEPS_M if max(span_x, span_y) / s <= 12), GRID_STEPS_M[-1])
    return CameraMap(north, west, m_per_lon, span_x, span_y, grid, markers, drawn)
