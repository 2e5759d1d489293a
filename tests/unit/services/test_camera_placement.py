"""A camera's position is checked when added and can be changed afterwards."""

import pytest
from tests.factories import CUSTODIAN, OFFICER

from platewarden.domain import CameraKind
from platewarden.services import cameras
from platewarden.services.errors import AccessDeniedError, InvalidInputError, NotFoundError
from platewarden.services.runtime import Runtime


def test_a_position_off_the_globe_is_refused_naming_the_field(runtime: Runtime) -> None:
    # Tried: latitude 146.5 (a longitude typed in its place) and longitude 200.
    with pytest.raises(InvalidInputError, match=r"latitude: 146\.5 is not between -90 and 90"):
        cameras.add_camera(
            runtime, CUSTODIAN, name="gate", kind=CameraKind.FIXED, latitude=146.5, longitude=46.5
        )
    with pytest.raises(InvalidInputError, match=r"longitude: 200\.0 is not between -180 and 180"):
        cameras.edit_camera(runtime, CUSTODIAN, name="cam-1", latitude=46.5, longitude=200.0)


def test_a_camera_is_moved_and_turned_keeping_what_is_not_given(runtime: Runtime) -> None:
    moved = cameras.edit_camera(runtime, CUSTODIAN, name="cam-1", latitude=46.59, longitude=-112.04)
    assert (moved.latitude, moved.longitude, moved.location) == (46.59, -112.04, "Main St")
    turned = cameras.edit_camera(runtime, CUSTODIAN, name="cam-1", heading=90.0)
    assert (turned.latitude, turned.heading) == (46.59, 90.0)
    with pytest.raises(InvalidInputError, match="position: needs both latitude and longitude"):
        cameras.add_camera(runtime, CUSTODIAN, name="half", kind=CameraKind.FIXED, latitude=46.0)


def test_only_camera_managers_edit_and_only_cameras_that_exist(runtime: Runtime) -> None:
    with pytest.raises(AccessDeniedError):
        cameras.edit_camera(runtime, OFFICER, name="cam-1", heading=10.0)
    with pytest.raises(NotFoundError, match="there is no camera 'nowhere'"):
        cameras.edit_camera(runtime, CUSTODIAN, name="nowhere", heading=10.0)
