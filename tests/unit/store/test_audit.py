"""The audit chain: any changed, deleted or re-ordered record is found and named."""

from datetime import timedelta

from sqlalchemy import delete, update
from tests.factories import CUSTODIAN

from platewarden.services.audit import record
from platewarden.services.runtime import Runtime
from platewarden.store.audit import verify_chain
from platewarden.store.schema import audit_log


def write_three(rt: Runtime) -> None:
    with rt.engine.begin() as conn:
        for n in range(3):
            record(conn, rt, CUSTODIAN, "test", parameters={"n": n}, result_count=n)
            rt.clock.advance(seconds=1)  # type: ignore[attr-defined]


def ids(rt: Runtime) -> list[int]:
    with rt.engine.connect() as conn:
        return list(
            conn.scalars(
                audit_log.select().with_only_columns(audit_log.c.id).order_by(audit_log.c.id)
            )
        )


def test_an_untouched_chain_verifies(runtime: Runtime) -> None:
    write_three(runtime)
    with runtime.engine.connect() as conn:
        assert verify_chain(conn) == []


def test_an_edited_record_is_named(runtime: Runtime) -> None:
    write_three(runtime)
    target = ids(runtime)[-2]
    with runtime.engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.id == target).values(result_count=99))
    with runtime.engine.connect() as conn:
        assert verify_chain(conn) == [f"record {target}: its content was changed"]


def test_a_deleted_record_breaks_the_link_of_the_next(runtime: Runtime) -> None:
    write_three(runtime)
    all_ids = ids(runtime)
    with runtime.engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.id == all_ids[-2]))
    with runtime.engine.connect() as conn:
        assert verify_chain(conn) == [f"record {all_ids[-1]}: does not follow the record before it"]


def test_a_backdated_record_is_found(runtime: Runtime) -> None:
    write_three(runtime)
    first = ids(runtime)[-3]
    with runtime.engine.begin() as conn:
        row = conn.execute(audit_log.select().where(audit_log.c.id == first)).mappings().one()
        conn.execute(
            update(audit_log)
            .where(audit_log.c.id == first)
            .values(at=row["at"] - timedelta(days=1))
        )
    with runtime.engine.connect() as conn:
        assert verify_chain(conn) == [f"record {first}: its content was changed"]
