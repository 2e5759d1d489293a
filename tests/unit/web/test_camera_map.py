"""The cameras' map: metres on the map are metres on the ground, and every camera is on it."""

import math

from platewarden.domain import Camera, CameraKind, CameraStatus
from platewarden.web.camera_map import camera_map


def camera(name: str, lat: float | None, lon: float | None) -> Camera:
    """Return an active fixed camera at a position."""
    return Camera(1, name, CameraKind.FIXED, CameraStatus.ACTIVE, latitude=lat, longitude=lon)


def ground_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the great-circle distance between two points in metres (haversine)."""
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2
    h += math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def test_distances_on_the_map_are_metres_on_the_ground_within_half_a_percent() -> None:
    north, south = (46.600, -112.040), (46.580, -112.010)
    drawn = camera_map([camera("n", *north), camera("s", *south), camera("unplaced", None, None)])
    assert drawn is not None
    a, b = drawn.markers
    on_map = math.hypot(a.x - b.x, a.y - b.y)
    assert abs(on_map - ground_m(north, south)) / ground_m(north, south) < 0.005
    assert [m.name for m in drawn.markers] == ["n", "s"]  # a camera without a position is left out
    for m in drawn.markers:
        assert 0 < m.x < drawn.width and 0 < m.y < drawn.height
    assert drawn.width >= 3 * drawn.height  # as wide as the page


def test_the_searched_area_is_drawn_in_metres_and_a_map_needs_a_placed_camera() -> None:
    drawn = camera_map([camera("n", 46.6, -112.04)], area=(46.61, -112.04, 250.0))
    assert drawn is not None and drawn.area is not None
    (only,) = drawn.markers
    assert drawn.area.r == 250.0
    assert abs((only.y - drawn.area.y) - 0.01 * 111_320) < 1  # 0.01° north is about 1.1 km up
    assert camera_map([camera("unplaced", None, None)]) is None
