"""The members who may log on at a patrol-car unit: read at the station, kept at the unit."""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from platewarden.store.schema import members, training_records

# What of a member travels to a unit: enough to check a password and training, nothing more.
MEMBER_FIELDS = (
    "id",
    "username",
    "full_name",
    "badge_number",
    "roles",
    "password_hash",
    "password_changed_at",
    "must_change_password",
    "active",
    "created_at",
)
DATES = ("password_changed_at", "created_at")


def credentials_for_units(conn: Connection, *, roles: frozenset[str]) -> list[dict[str, Any]]:
    """Return the active members holding one of these roles, with their training (JSON-ready)."""
    rows = conn.execute(
        select(*(members.c[name] for name in MEMBER_FIELDS)).where(members.c.active.is_(True))
    ).mappings()
    chosen = [dict(row) for row in rows if set(row["roles"]) & roles]
    courses: dict[int, list[dict[str, Any]]] = {m["id"]: [] for m in chosen}
    if courses:
        query = select(training_records).where(training_records.c.member_id.in_(list(courses)))
        for row in conn.execute(query).mappings():
            courses[row["member_id"]].append(
                {
                    "course": row["course"],
                    "completed_on": row["completed_on"].isoformat(),
                    "expires_on": row["expires_on"].isoformat() if row["expires_on"] else None,
                }
            )
    for member in chosen:
        member.update({name: member[name].isoformat() for name in DATES})
        member["training"] = courses[member["id"]]
    return sorted(chosen, key=lambda m: m["id"])


def replace_members(conn: Connection, *, given: list[dict[str, Any]], at: datetime) -> int:
    """Make the unit's members the station's list; deactivate the others; return how many."""
    held = {row.id: row for row in conn.execute(select(members.c.id, members.c.active))}
    for member in given:
        values = {name: member[name] for name in MEMBER_FIELDS}
        values |= {name: datetime.fromisoformat(member[name]) for name in DATES}
        values |= {"deactivated_at": None, "deactivated_by": None}
        if member["id"] in held:  # the lockout counters stay the unit's own
            conn.execute(update(members).where(members.c.id == member["id"]).values(values))
        else:
            extra = {"failed_logons": 0, "created_by": "station"}
            conn.execute(insert(members).values(values | extra))
        conn.execute(delete(training_records).where(training_records.c.member_id == member["id"]))
        for course in member["training"]:
            conn.execute(
                insert(training_records).values(
                    member_id=member["id"],
                    course=course["course"],
                    completed_on=datetime.fromisoformat(course["completed_on"]),
                    expires_on=(
                        datetime.fromisoformat(course["expires_on"])
                        if course["expires_on"]
                        else None
                    ),
                    recorded_by="station",
                    recorded_at=at,
                )
            )
    gone = [i for i, row in held.items() if row.active and i not in {m["id"] for m in given}]
    if gone:
        conn.execute(
            update(members)
            .where(members.c.id.in_(gone))
            .values(active=False, deactivated_at=at, deactivated_by="station")
        )
    return len(given)
