"""Small helpers that build test data; each test makes its own."""

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import cv2
import numpy as np

from platewarden.domain import Actor, Alternative, NewRead, ReadSource
from platewarden.policy.access import Role
from platewarden.services import auth, members
from platewarden.services.runtime import Runtime

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

_ids = itertools.count(1)


@dataclass
class FixedClock:
    """A clock that stands still until a test moves it."""

    at: datetime = field(default=T0)

    def now(self) -> datetime:
        """Return the clock's time."""
        return self.at

    def advance(self, **kwargs: float) -> None:
        """Move the clock forward."""
        self.at += timedelta(**kwargs)


def actor(*roles: Role, name: str = "tester") -> Actor:
    """Return an actor with these roles."""
    return Actor(name=name, roles=frozenset(roles))


CUSTODIAN = actor(Role.RECORDS_CUSTODIAN, Role.ADMINISTRATOR, name="custodian")
CAMERA_FEED = actor(Role.SYSTEM, name="camera-feed")
OFFICER = actor(Role.OFFICER, name="officer")


def plate_image(
    text: str = "ABC1234", size: tuple[int, int] = (120, 60), ext: str = ".jpg"
) -> bytes:
    """Render a plain plate-like image with text."""
    w, h = size
    img = np.full((h, w, 3), 235, np.uint8)
    cv2.rectangle(img, (2, 2), (w - 3, h - 3), (40, 40, 40), 2)
    cv2.putText(img, text, (6, h * 2 // 3), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (20, 20, 20), 2)
    ok, buf = cv2.imencode(ext, img)
    assert ok
    return buf.tobytes()


def new_read(
    plate: str = "ABC1234",
    *,
    captured_at: datetime = T0,
    camera: str | None = "cam-1",
    client_read_id: str | None = None,
    with_images: bool = False,
    source: ReadSource = ReadSource.CAMERA,
    source_name: str = "",
    latitude: float | None = 46.59,
    longitude: float | None = -112.03,
    **overrides: object,
) -> NewRead:
    """Return a valid read, changed by the overrides."""
    values: dict[str, object] = {
        "client_read_id": client_read_id or f"r{next(_ids)}",
        "plate": plate,
        "captured_at": captured_at,
        "confidence": 0.93,
        "source": source,
        "source_name": source_name,
        "camera": camera,
        "jurisdiction": "MT",
        "alternatives": (Alternative(plate, 0.93), Alternative(plate[:-1] + "7", 0.04)),
        "latitude": latitude,
        "longitude": longitude,
        "plate_box": (10, 20, 120, 60),
    }
    if with_images:
        values["frame_image"] = plate_image(plate, (320, 180))
        values["crop_image"] = plate_image(plate, ext=".png")
    values.update(overrides)
    return NewRead(**values)  # type: ignore[arg-type]


PASSWORD = "Tr0ub4dor&3-Helena"


def enrol(rt: Runtime, username: str, *roles: Role, trained: bool = True) -> None:
    """Add a member with roles (and their training, unless told) through the services."""
    admin = actor(Role.ADMINISTRATOR, name="admin-factory")
    members.add_member(
        rt, admin, username=username, full_name=username.title(), password=PASSWORD, roles=roles
    )
    if trained:
        for role in roles:
            members.record_training(
                rt,
                admin,
                username=username,
                course=rt.policy.training.courses[role.value],
                completed_on=rt.clock.now() - timedelta(days=1),
            )


def member(rt: Runtime, username: str, *roles: Role, trained: bool = True) -> Actor:
    """Add a member with roles (and their training); return their actor, logged on."""
    enrol(rt, username, *roles, trained=trained)
    return auth.log_on(rt, username=username, password=PASSWORD).actor
