"""The car's console without a browser: on 127.0.0.1 alone, log-on against the unit's members,
the alerts raised in the car with their images, entry, STALE and hot-list age, and only the
step the alert allows next."""

import re
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from platewarden.cli.main import app
from platewarden.store.schema import audit_log
from tests.factories import FixedClock
from tests.functional.console.conftest import csrf_of
from tests.functional.unit.factories import Car


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
