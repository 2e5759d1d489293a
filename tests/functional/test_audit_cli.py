"""The audit and maintenance commands end to end: tampering named, queries, a review, upkeep."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, select, update

from platewarden.cli import audit as audit_cli
from platewarden.domain import Actor
from platewarden.policy.access import Role
from platewarden.store.audit import AuditEntry, append_audit
from platewarden.store.engine import make_engine
from platewarden.store.schema import audit_log
from tests.factories import actor
from tests.functional.conftest import Run

AUDITOR = actor(Role.AUDITOR, Role.SUPERVISOR, name="auditor")
START = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=2)


@pytest.fixture
def engine(cli_env: dict[str, str]) -> Iterator[Engine]:
    """The instance's database, for writing searches and tampering with plain SQL."""
    engine = make_engine(cli_env["PLATEWARDEN_DATABASE_URL"])
    yield engine
    engine.dispose()


@pytest.fixture
def as_member(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Actor]]:
    """Act at the console as the actor in the list (an auditor until a test changes it)."""
    who = [AUDITOR]
    monkeypatch.setattr(audit_cli, "console_actor", lambda _rt: who[0])
    yield who


def searches(engine: Engine, *results: int, who: str = "det-ruiz") -> list[int]:
    """Write the audit records of searches an hour apart from START; return their ids."""
    with engine.begin() as conn:
        return [
            append_audit(
                conn,
                entry=AuditEntry(
                    at=START + timedelta(hours=n),
                    actor=who,
                    action="search_reads",
                    outcome="allowed",
                    reason="",
                    purpose="major_crime",
                    case_number=f"26-{100 + n}",
                    parameters={"plate": "ABC*"},
                    result_count=count,
                ),
            )
            for n, count in enumerate(results)
        ]


def test_verify_names_edited_deleted_and_reordered_records(
    run: Run, engine: Engine, as_member: list[Actor]
) -> None:
    ids = searches(engine, 1, 2, 3, 4, 5, 6)
    intact = run("audit", "verify")
    assert intact.exit_code == 0, intact.output
    assert "audit trail intact" in intact.output
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.id == ids[0]).values(purpose="none"))
        conn.execute(delete(audit_log).where(audit_log.c.id == ids[2]))
        parked = ids[-1] + 100
        for old, new in ((ids[4], parked), (ids[5], ids[4]), (parked, ids[5])):
            conn.execute(update(audit_log).where(audit_log.c.id == old).values(id=new))

    broken = run("audit", "verify")

    assert broken.exit_code == 1
    assert f"record {ids[0]}: its content was changed" in broken.output
    assert f"record {ids[3]}: does not follow the record before it" in broken.output
    assert f"record {ids[4]}: does not follow" in broken.output
    assert f"record {ids[5]}: does not follow" in broken.output
    # The first verify's own record followed ids[5], whose content now sits at ids[4].
    assert f"record {ids[5] + 1}: does not follow" in broken.output
    assert f"record {ids[2]}: deleted" in broken.output
    assert "audit trail broken: 6 problems" in broken.output


def test_verify_with_an_anchor_shows_the_end_cut_off(
    run: Run, engine: Engine, as_member: list[Actor]
) -> None:
    searches(engine, 1, 2)
    taken = run("audit", "anchor")
    assert taken.exit_code == 0, taken.output
    anchor = taken.output.strip()
    number = int(anchor.split(":")[0])
    with engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.id >= number))

    cut = run("audit", "verify", "--anchor", anchor)
    assert cut.exit_code == 1
    assert f"record {number}, named by the anchor, is gone" in cut.output

    for bad in ("12", "x:" + "0" * 64, f"{number}:abc"):  # tried: no hash, no number, short hash
        refused = run("audit", "verify", "--anchor", bad)
        assert refused.exit_code == 2
        assert "RECORD:HASH" in refused.output


def test_query_filters_and_prints_json(run: Run, engine: Engine, as_member: list[Actor]) -> None:
    searches(engine, 1, 0, 2)
    searches(engine, 5, who="ofc-lee")
    since = (START + timedelta(minutes=30)).isoformat()
    found = run("audit", "query", "--member", "det-ruiz", "--since", since, "--json")
    assert found.exit_code == 0, found.output
    rows = [json.loads(line) for line in found.output.splitlines()]
    assert [(r["actor"], r["case_number"], r["result_count"]) for r in rows] == [
        ("det-ruiz", "26-101", 0),
        ("det-ruiz", "26-102", 2),
    ]
    table = run("audit", "query", "--case", "26-100", "--action", "search_reads")
    assert "ofc-lee" in table.output and "det-ruiz" in table.output
    assert "26-101" not in table.output
    assert "narrow the query" in run("audit", "query", "--limit", "1").output


def test_an_officer_may_not_query_the_audit_trail(
    run: Run, engine: Engine, as_member: list[Actor]
) -> None:
    as_member[0] = actor(Role.OFFICER, name="ofc-lee")
    refused = run("audit", "query")
    assert refused.exit_code == 1
    assert "ofc-lee may not view audit" in refused.output
    with engine.connect() as conn:
        last = conn.execute(select(audit_log).order_by(audit_log.c.id.desc())).mappings().first()
    assert last is not None
    assert (last["actor"], last["action"], last["outcome"]) == ("ofc-lee", "view_audit", "denied")


def test_a_review_from_sample_to_report(run: Run, engine: Engine, as_member: list[Actor]) -> None:
    ids = searches(engine, 3, 0, 4, 1)
    period = ("--since", START.isoformat(), "--until", (START + timedelta(days=1)).isoformat())
    drawn = run("audit", "sample", *period, "--size", "2", "--seed", "11")
    assert drawn.exit_code == 0, drawn.output
    assert "review 1: 2 searches" in drawn.output and "seed 11" in drawn.output

    done = run("audit", "review", "1", "1", "--finding", "not_justified", "--notes", "no case")
    assert done.exit_code == 0, done.output
    assert "item 1 of review 1: not_justified (auditor)" in done.output
    refused = run("audit", "review", "1", "2", "--finding", "not_justified")
    assert refused.exit_code == 1
    assert "notes: say why" in refused.output

    report = run("audit", "report", "1")
    assert report.exit_code == 0, report.output
    assert "0 justified, 1 not justified, 1 pending; 4 searches in the period" in report.output
    assert "searches without results: 1" in report.output
    assert f"record {ids[1]}: det-ruiz" in report.output


def test_maintenance_is_recorded_listed_and_overdue_shown(run: Run) -> None:
    for name in ("cam-1", "cam-2"):
        assert run("camera", "add", name).exit_code == 0
    now = datetime.now(UTC)
    added = run(
        "maintenance",
        "add",
        "cam-1",
        "--kind",
        "calibration",
        "--by",
        "Acme Signals",
        "--done-on",
        (now - timedelta(days=400)).isoformat(),
        "--next-due",
        (now - timedelta(days=35)).isoformat(),
        "--notes",
        "aimed at lane 2",
    )
    assert added.exit_code == 0, added.output
    assert "record 1: calibration of cam-1" in added.output

    listed = run("maintenance", "list", "cam-1")
    assert "Acme Signals" in listed.output and "aimed at lane 2" in listed.output
    overdue = run("maintenance", "overdue")
    assert "cam-1" in overdue.output and "cam-2" in overdue.output and "never" in overdue.output

    bad = run("maintenance", "add", "cam-9", "--kind", "cleaning", "--by", "x")
    assert bad.exit_code == 1
    assert "camera: there is no camera with this name" in bad.output


def test_the_audit_commands_are_themselves_audited(
    run: Run, engine: Engine, as_member: list[Actor]
) -> None:
    searches(engine, 1)
    run("audit", "verify")
    run("audit", "query")
    with engine.connect() as conn:
        actions = list(conn.scalars(select(audit_log.c.action).order_by(audit_log.c.id)))
    assert actions[-2:] == ["audit_verify", "audit_query"]
