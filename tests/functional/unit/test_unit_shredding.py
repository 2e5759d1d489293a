"""Retention in the car destroys the key of each day it leaves without a read (crypto-shredding),
so that a copy of the laptop's disk taken before the purge opens none of that day's images."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from platewarden.services.ingest import ingest_reads
from platewarden.services.unit_retention import purge_expired
from platewarden.services.unit_status import register_camera
from platewarden.store.blobs import BlobMissingError
from platewarden.store.reads import find_reads
from platewarden.store.schema import audit_log
from platewarden.unit.config import UnitConfig, open_unit, unit_actor
from tests.factories import T0, FixedClock, new_read, plate_image
from tests.functional.unit.factories import CAR

CONFIG = UnitConfig("unit-12", CAR, "http://127.0.0.1:9", "token", "00" * 32)


def test_a_day_left_without_a_read_by_the_purge_loses_its_key_and_the_next_day_keeps_its(
    clock: FixedClock, tmp_path: Path
) -> None:
    unit = open_unit(tmp_path / "unit", clock=clock)
    machine = unit_actor(CONFIG)
    register_camera(unit, machine, camera=CAR)
    old = new_read("OLD0001", camera=CAR, with_images=True, captured_at=T0)
    kept = new_read("NEW0001", camera=CAR, with_images=True, captured_at=T0 + timedelta(days=1))
    clock.at = T0 + timedelta(days=1, hours=1)
    ingest_reads(unit, machine, [old, kept])
    with unit.engine.connect() as conn:
        stored = {read.plate: read for read in find_reads(conn)}
    crop = stored["OLD0001"].crop_blob
    assert crop is not None
    backup = (unit.settings.blob_dir / crop).read_bytes()  # a copy of the disk

    clock.at = T0 + timedelta(days=unit.policy.retention.days, hours=13)  # cutoff: day 2, 01:00
    done = purge_expired(unit, machine)

    assert (done.purged, done.days_shredded) == (1, ("2026-06-01",))
    assert unit.blobs.stored_days() == ["2026-06-02"]
    restored = unit.settings.blob_dir / crop
    restored.parent.mkdir(parents=True, exist_ok=True)
    restored.write_bytes(backup)
    with pytest.raises(BlobMissingError, match="key was destroyed"):
        unit.blobs.get(crop)
    new_crop = stored["NEW0001"].crop_blob
    assert new_crop is not None and unit.blobs.get(new_crop)  # the day still in use keeps its key
    with unit.engine.connect() as conn:
        query = select(audit_log.c.parameters).where(audit_log.c.action == "unit_purge")
        (recorded,) = conn.scalars(query)
    assert recorded["days_shredded"] == ["2026-06-01"]
    unit.close()


def test_an_ended_days_key_goes_even_when_no_read_of_it_was_left_to_purge(
    clock: FixedClock, tmp_path: Path
) -> None:
    """An image sealed by a `unit run` killed before it wrote the read keeps its day's key."""
    unit = open_unit(tmp_path / "unit", clock=clock)
    machine = unit_actor(CONFIG)
    unit.blobs.put(date(2026, 6, 1), plate_image("CUT0001"))
    clock.at = T0 + timedelta(days=unit.policy.retention.days + 1)
    done = purge_expired(unit, machine)
    assert (done.purged, done.days_shredded) == (0, ("2026-06-01",))
    assert unit.blobs.stored_days() == []
    again = purge_expired(unit, machine)
    assert again.days_shredded == ()
    with unit.engine.connect() as conn:
        query = select(audit_log.c.action).where(audit_log.c.action == "unit_purge")
        assert len(conn.scalars(query).all()) == 1  # a purge with nothing to do records nothing
    unit.close()
