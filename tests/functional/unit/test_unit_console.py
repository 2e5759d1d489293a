"""The car's console without a browser: on 127.0.0.1 alone, log-on against the unit's members,
the alerts raised in the car with their images, entry, STALE and hot-list age, and only the
step the alert allows next."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from platewarden.cli.main import app
from platewarden.policy.access import Role
from platewarden.services import hotlists
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.services.unit_status import register_camera
from platewarden.store.schema import audit_log
from platewarden.unit.config import UnitConfig, open_unit, unit_actor
from platewarden.unit.station import Station
from platewarden.unit.sync import sync_hotlists
from tests.factories import CUSTODIAN, PASSWORD, FixedClock, enrol, new_read
from tests.functional.api.conftest import serving
from tests.functional.console.conftest import csrf_of
from tests.functional.unit.factories import CAR, car_console, enrol_unit


@dataclass(frozen=True)
class Car:
    """A unit synced with its station, and a browser-less client of its console."""

    unit: Runtime
    config: UnitConfig
    url: str
    http: httpx.Client

    def raise_alert(self, plate: str = "STL4411") -> int:
        """Read a hot-listed plate in the car (as `unit run` does); return the alert's id."""
        read = new_read(plate, camera=CAR, with_images=True, captured_at=self.unit.clock.now())
        (alert_id,) = ingest_reads(self.unit, unit_actor(self.config), [read]).alerts
        return alert_id

    def log_on(self, username: str = "ofc", password: str = PASSWORD) -> httpx.Response:
        """Log on through the console's form."""
        form = self.http.get("/login")
        data = {"username": username, "password": password, "csrf_token": csrf_of(form.text)}
        return self.http.post("/login", data=data)

    def post(self, path: str, **data: str) -> httpx.Response:
        """Send a step as the page's HTMX form does, with the page's CSRF token."""
        token = csrf_of(self.http.get("/alerts").text)
        headers = {"HX-Request": "true", "X-CSRF-Token": token}
        return self.http.post(path, data=data, headers=headers)


@pytest.fixture
def car(runtime: Runtime, clock: FixedClock, tmp_path: Path) -> Iterator[Car]:
    enrol(runtime, "ofc", Role.OFFICER)
    enrol(runtime, "inv", Role.INVESTIGATOR)  # handles no alerts: never sent to a unit
    with serving(runtime) as url:
        config = enrol_unit(runtime, tmp_path / "unit", url)
        hotlists.add_entry(
            runtime,
            CUSTODIAN,
            plate="STL4411",
            purpose="stolen_vehicle",
            case_number="26-41",
            notes="grey sedan",
        )
        unit = open_unit(tmp_path / "unit", clock=clock)
        register_camera(unit, unit_actor(config), camera=CAR)
        with Station(config) as station:
            sync_hotlists(unit, unit_actor(config), config, station)
    # The station is out of reach from here on: the car's console needs none.
    with car_console(unit, config) as address, httpx.Client(base_url=address) as http:
        yield Car(unit, config, address, http)
    unit.close()


def test_the_console_listens_on_127_0_0_1_alone_and_refuses_another_sites_host(car: Car) -> None:
    assert car.url.startswith("http://127.0.0.1:")
    rebound = car.http.get("/login", headers={"Host": "alpr.example.com"})
    assert rebound.status_code == 400  # a site pointing its name at 127.0.0.1 gets nothing


def test_pages_need_a_member_of_the_car_logged_on_with_the_stations_look(car: Car) -> None:
    for path in ("/", "/alerts", "/alerts/1"):
        answer = car.http.get(path)
        assert (answer.status_code, answer.headers["location"]) == (303, "/login"), path
    assert car.log_on("inv").status_code == 401  # not sent to the car: no log-on there
    assert car.log_on("ofc", "not the password").status_code == 401
    logged_on = car.log_on()
    assert logged_on.status_code == 303
    cookie = next(c for c in logged_on.headers.get_list("set-cookie") if "pw_session=" in c)
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    home = car.http.get("/")
    assert (home.status_code, home.headers["location"]) == (303, "/alerts")
    page = car.http.get("/alerts")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "/static/console.css" in page.text and 'data-stream="/alerts/stream"' in page.text
    line = re.sub(r"\s+", " ", re.search(r'<p class="unit-line".*?</p>', page.text, re.S)[0])
    assert "Unit unit-12 (camera car-12) · hot lists: 0 min old" in line
    assert "1 entries" in line and "STALE" not in line
    nav = re.search(r"<nav.*?</nav>", page.text, re.S)[0]
    assert re.findall(r'href="([^"]+)"', nav) == ["/alerts"]  # the car holds nothing else
    with car.unit.engine.connect() as conn:
        actions = conn.execute(select(audit_log.c.actor, audit_log.c.action)).all()
    assert ("ofc", "logon") in actions


def test_an_alert_in_the_car_shows_images_and_entry_and_only_the_next_step(car: Car) -> None:
    car.log_on()
    alert_id = car.raise_alert()
    feed = car.http.get("/alerts/feed", headers={"HX-Request": "true"})
    assert "STL4411" in feed.text and f'data-alert="{alert_id}"' in feed.text
    panel = car.http.get(f"/alerts/{alert_id}").text
    assert panel.count('src="data:image/jpeg;base64,') == 2  # the crop and the whole frame
    assert "grey sedan" in panel and "26-41" in panel and "Stolen vehicle" in panel
    assert "I compared the image" in panel and "Confirm the hit" not in panel
    skipped = car.post(f"/alerts/{alert_id}/other-confirmation", how="NCIC", answer="valid")
    assert skipped.status_code == 422 and "compare the captured plate image" in skipped.text

    compared = car.post(f"/alerts/{alert_id}/visual-confirmation")
    assert compared.status_code == 200
    assert "Confirm the hit" in compared.text and "I compared the image" not in compared.text
    confirmed = car.post(
        f"/alerts/{alert_id}/other-confirmation", how="dispatch", answer="stolen, confirmed"
    )
    assert "Record the outcome" in confirmed.text and "Confirm the hit" not in confirmed.text
    with car.unit.engine.connect() as conn:
        actions = [a for (a,) in conn.execute(select(audit_log.c.action))]
    assert {"view_alert", "alert_visual_confirmation", "alert_other_confirmation"} <= set(actions)


def test_a_hot_list_copy_older_than_the_policy_makes_the_cars_alerts_stale(
    car: Car, clock: FixedClock
) -> None:
    clock.advance(hours=car.unit.policy.hotlists.max_age_hours + 2)
    car.log_on()
    alert_id = car.raise_alert()
    page = car.http.get(f"/alerts/{alert_id}").text
    line = re.search(r'<p class="unit-line".*?</p>', page, re.S)[0]
    assert "26 h 0 min old" in line and "STALE" in line
    assert "the hot list was older than 24 hours when it matched" in page
    feed = car.http.get("/alerts/feed", headers={"HX-Request": "true"}).text
    assert '<span class="flag">STALE</span>' in feed


def test_a_password_is_changed_at_the_station_not_in_the_car(car: Car) -> None:
    answer = car.http.get("/password")
    assert answer.status_code == 409 and "changed at the station" in answer.text
    changed = car.http.post("/password", data={"csrf_token": csrf_of(car.http.get("/login").text)})
    assert changed.status_code == 409  # the station's form is not served here


def test_unit_console_refuses_a_folder_never_set_up_instead_of_serving(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["unit", "console", "--dir", str(tmp_path / "none")])
    assert result.exit_code == 1 and "not set up as a unit" in " ".join(result.output.split())
