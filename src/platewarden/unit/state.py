"""The unit's small state in its own database: hot-list cursor and time, last contact."""

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert

from platewarden.store.schema import unit_state

CURSOR = "hotlist_cursor"  # the station's cursor of the copy held
AS_OF = "hotlist_as_of"  # the station's time of the copy held (ISO 8601)
LAST_CONTACT = "last_contact"  # when the station last answered (ISO 8601, this laptop's clock)


def get_state(conn: Connection, key: str) -> str | None:
    """Return a state value, or None when never set."""
    return conn.scalar(select(unit_state.c.value).where(unit_state.c.key == key))


def set_state(conn: Connection, key: str, value: str) -> None:
    """Set a state value in the caller's transaction."""
    statement = insert(unit_state).values(key=key, value=value)
    conn.execute(statement.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
