"""The demo department on the server: a member for each role, a live camera, a browser log-on.

After the narrated 100 days, `platewarden demo` serves the same folder: a newcomer logs on in a
browser with the names and passwords printed on the terminal, and the demo's camera reads a
plate now and then, sometimes one on the hot list, so an officer's open page shows live alerts.
"""

import random
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pyotp
import segno
from rich.table import Table

from platewarden.api.server import run_server
from platewarden.cli.context import console
from platewarden.cli.vision import load_recognizer
from platewarden.domain import Actor, Alternative, NewRead
from platewarden.policy.access import Role
from platewarden.services import auth, devices, hotlists, members
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime, open_runtime
from platewarden.settings import Settings, get_settings, sqlite_url

# Each member of the demo department, with what a newcomer can try as them.
MEMBERS: tuple[tuple[str, Role, str], ...] = (
    ("officer", Role.OFFICER, "live alerts: confirm a hit step by step"),
    ("investigator", Role.INVESTIGATOR, "search with a purpose and a case number"),
    ("supervisor", Role.SUPERVISOR, "alerts, holds and the members' activity"),
    ("custodian", Role.RECORDS_CUSTODIAN, "holds, exports and purge runs"),
    ("auditor", Role.AUDITOR, "the audit trail and its reviews"),
)
LIVE_CAMERA = "main-and-5th"
LIVE_AT = (46.5891, -112.0391)
WANTED_PLATE = "KXT442"  # on the hot list the demo loads: the live camera reads it now and then


@dataclass(frozen=True)
class Login:
    """A member of the demo department and how to log on as them."""

    username: str
    password: str
    role: Role
    what: str
    totp_secret: str | None = None
    totp_uri: str | None = None


def serve_demo(folder: Path, *, every_s: float) -> None:
    """Serve the demo folder with a member for each role; print how to log on; run until ^C."""
    settings = Settings(
        data_dir=folder, database_url=sqlite_url(folder), listen=get_settings().listen
    )
    reader = load_recognizer(None)
    rt = open_runtime(settings)
    try:
        logins = found_department(rt)
        token = _camera_token(rt)
        stop = threading.Event()
        camera = threading.Thread(
            target=_live_camera, args=(rt, stop, every_s), name="demo-camera", daemon=True
        )
        camera.start()
        run_server(
            rt,
            jobs=True,
            reader=reader,
            on_ready=lambda url: _welcome(url, logins, token),
        )
        stop.set()
    finally:
        rt.close()


def found_department(rt: Runtime) -> list[Login]:
    """Create the administrator and a trained member for each role, with ready passwords."""
    now = datetime.now(UTC)
    admin_password = _password()
    _, enrollment = members.create_first_administrator(
        rt,
        username="admin",
        full_name="Demo administrator",
        password=admin_password,
        course_completed_on=now,
    )
    chief = auth.log_on(
        rt,
        username="admin",
        password=admin_password,
        totp_code=pyotp.TOTP(enrollment.secret).now(),
    ).actor
    logins = [
        Login(
            "admin",
            admin_password,
            Role.ADMINISTRATOR,
            "members, cameras, hot lists, sharing",
            enrollment.secret,
            enrollment.uri,
        )
    ]
    for username, role, what in MEMBERS:
        given, password = _password(), _password()
        members.add_member(
            rt,
            chief,
            username=username,
            full_name=f"Demo {role.value.replace('_', ' ')}",
            password=given,
            roles=[role],
        )
        course = rt.policy.training.courses[role.value]
        members.record_training(rt, chief, username=username, course=course, completed_on=now)
        # The demo's members choose their password at once, as a new member does at first log-on.
        auth.change_password(rt, username=username, old_password=given, new_password=password)
        enrolled = None
        if role.value in rt.policy.access.totp_roles or rt.policy.access.totp_everyone:
            enrolled = members.enroll_totp(rt, chief, username=username)
        logins.append(
            Login(
                username,
                password,
                role,
                what,
                enrolled.secret if enrolled else None,
                enrolled.uri if enrolled else None,
            )
        )
    _fresh_hotlist(rt, chief)
    return logins


def _fresh_hotlist(rt: Runtime, actor: Actor) -> None:
    extract = (
        "LIC|LIS|TYP|NIC\nSTL8812|MT|Stolen Vehicle|V26000417\n"
        f"{WANTED_PLATE}|CO|Stolen Plate|P26000099\n"
    )
    hotlists.import_hotlist(rt, actor, source="ncic", data=extract.encode())


def _camera_token(rt: Runtime) -> str:
    """A device token of the live camera, for pushing real photos to the frame API."""
    installer = Actor("demo-installer", frozenset({Role.ADMINISTRATOR}))
    return devices.add_device(rt, installer, name=f"{LIVE_CAMERA}-unit", camera=LIVE_CAMERA)[1]


def _live_camera(rt: Runtime, stop: threading.Event, every_s: float) -> None:
    """Read a passing plate every few seconds; every fourth is the wanted one."""
    feed = Actor("camera-feed", frozenset({Role.SYSTEM}))
    rng = random.Random()
    count = 0
    while not stop.wait(every_s):
        count += 1
        plate = WANTED_PLATE if count % 4 == 1 else None
        read = camera_read(rng, datetime.now(UTC), plate, camera=LIVE_CAMERA, position=LIVE_AT)
        ingest_reads(rt, feed, [read])


def _welcome(url: str, logins: list[Login], token: str) -> None:
    console.print(f"\nPlatewarden's demo department is open at [bold]{url}/[/bold]")
    table = Table("user name", "password", "role", "try")
    for login in logins:
        extra = " + authenticator code" if login.totp_secret else ""
        table.add_row(login.username, login.password + extra, login.role.value, login.what)
    console.print(table)
    console.print(
        f"The camera {LIVE_CAMERA} reads a plate every few seconds; every fourth is "
        f"{WANTED_PLATE}, on the hot list: log on as officer and watch the alerts."
    )
    for login in logins:
        if login.totp_secret:
            console.print(f"{login.username}'s authenticator secret: {login.totp_secret}")
    admin = next(login for login in logins if login.role == Role.ADMINISTRATOR)
    if admin.totp_uri:
        console.print("Scan the administrator's secret with an authenticator app:")
        segno.make(admin.totp_uri).terminal(compact=True)
    console.print(
        f"Push a photo as the camera would:\n  curl -X POST -H 'Authorization: Bearer {token}' "
        f"-H 'Content-Type: image/jpeg' --data-binary @photo.jpg "
        f"'{url}/api/v1/frames?frame_id=1&captured_at={datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}'",
        highlight=False,
        soft_wrap=True,
    )
    console.print("Stop with Ctrl+C.")


def _password() -> str:
    return "demo-" + secrets.token_urlsafe(9)


def camera_read(
    rng: random.Random,
    at: datetime,
    plate: str | None,
    *,
    camera: str,
    position: tuple[float, float],
    n: int = 0,
) -> NewRead:
    """A camera's read of a plate (a random one unless given), with a frame and a crop."""
    plate = plate or "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3)) + str(
        rng.randint(1000, 9999)
    )
    captured = at + timedelta(minutes=37 * n)
    frame, crop = _images(plate, rng)
    return NewRead(
        client_read_id=f"{camera}-{captured:%Y%m%d%H%M%S%f}-{n}",
        plate=plate,
        captured_at=captured,
        confidence=round(rng.uniform(0.82, 0.99), 2),
        camera=camera,
        jurisdiction="MT",
        alternatives=(Alternative(plate, 0.9), Alternative(plate.replace("8", "B"), 0.05)),
        latitude=position[0] + rng.uniform(-0.0005, 0.0005),
        longitude=position[1] + rng.uniform(-0.0005, 0.0005),
        plate_box=(140, 90, 120, 40),
        frame_image=frame,
        crop_image=crop,
    )


def _images(plate: str, rng: random.Random) -> tuple[bytes, bytes]:
    frame = np.full((240, 400, 3), rng.randint(60, 120), np.uint8)
    cv2.rectangle(frame, (140, 90), (260, 130), (235, 235, 235), -1)
    cv2.putText(frame, plate, (146, 120), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (20, 20, 20), 2)
    crop = frame[90:130, 140:260]
    return cv2.imencode(".jpg", frame)[1].tobytes(), cv2.imencode(".png", crop)[1].tobytes()
