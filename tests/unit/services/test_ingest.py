"""Ingest: batches are stored once, with their images, and bad batches store nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from tests.factories import CAMERA_FEED, OFFICER, T0, new_read

from platewarden.domain import Alternative, ReadSource
from platewarden.services.errors import AccessDeniedError, InvalidInputError
from platewarden.services.ingest import ingest_reads
from platewarden.services.runtime import Runtime
from platewarden.store.reads import find_reads
from platewarden.store.schema import reads as reads_table


def stored(rt: Runtime) -> list:
    with rt.engine.connect() as conn:
        return find_reads(conn)


def test_batch_is_stored_with_images_and_alternatives(runtime: Runtime) -> None:
    batch = [new_read("abc-1234", with_images=True), new_read("XYZ 987", with_images=True)]
    result = ingest_reads(runtime, CAMERA_FEED, batch)
    assert (result.received, result.stored, result.duplicates) == (2, 2, 0)
    reads = stored(runtime)
    assert [r.plate for r in reads] == ["ABC1234", "XYZ987"]
    assert reads[0].camera == "cam-1"
    assert reads[0].captured_at == T0
    assert reads[0].alternatives[0].plate == "ABC1234"
    assert runtime.blobs.get(reads[0].frame_blob) == batch[0].frame_image
    assert runtime.blobs.get(reads[0].crop_blob) == batch[0].crop_image


def test_alternatives_are_kept_as_pairs_and_older_objects_still_read(runtime: Runtime) -> None:
    ingest_reads(runtime, CAMERA_FEED, [new_read("ABC1234")])
    with runtime.engine.begin() as conn:
        column = conn.scalar(select(reads_table.c.alternatives))
        assert column == [["ABC1234", 0.93], ["ABC1237", 0.04]]
        # A read stored before the pairs: its alternatives as {"plate", "confidence"} objects.
        older = [{"plate": "ABC1234", "confidence": 0.9}, {"plate": "A8C1234", "confidence": 0.07}]
        conn.execute(update(reads_table).values(alternatives=older))
    (read,) = stored(runtime)
    assert read.alternatives == (Alternative("ABC1234", 0.9), Alternative("A8C1234", 0.07))


def test_resent_batch_makes_no_duplicates(runtime: Runtime) -> None:
    batch = [new_read(with_images=True) for _ in range(5)]
    ingest_reads(runtime, CAMERA_FEED, batch[:3])
    result = ingest_reads(runtime, CAMERA_FEED, batch)
    assert (result.stored, result.duplicates) == (2, 3)
    assert len(stored(runtime)) == 5


def test_same_client_id_twice_in_one_batch_is_stored_once(runtime: Runtime) -> None:
    read = new_read(client_read_id="dup-1")
    result = ingest_reads(runtime, CAMERA_FEED, [read, read])
    assert (result.stored, result.duplicates) == (1, 1)


def test_bad_reads_refuse_the_whole_batch_and_name_each_problem(runtime: Runtime) -> None:
    ingest_reads(runtime, CAMERA_FEED, [new_read("KEEP1")])
    batch = [
        new_read("GOOD1"),
        new_read("GOOD2", camera="nowhere"),
        new_read("GOOD3", captured_at=T0 + timedelta(hours=2)),
        new_read("---"),
        new_read("GOOD4", frame_image=b"not an image"),
        new_read("GOOD5", crop_image=new_read(with_images=True).crop_image[:-40]),
        new_read("GOOD6", captured_at=T0 - timedelta(days=200)),
        new_read("GOOD7", confidence=1.5),
    ]
    with pytest.raises(InvalidInputError) as refused:
        ingest_reads(runtime, CAMERA_FEED, batch)
    where = [p.where.split(" (")[0] for p in refused.value.problems]
    assert where == ["read 2", "read 3", "read 4", "read 5", "read 6", "read 7", "read 8"]
    message = str(refused.value)
    for expected in (
        "unknown camera 'nowhere'",
        "in the future",
        "letters or digits",
        "frame image is not a whole",
        "crop image is not a whole",
        "past the retention period",
        "confidence 1.5",
    ):
        assert expected in message
    assert [r.plate for r in stored(runtime)] == ["KEEP1"]


def test_imported_reads_are_tagged_with_their_source_and_audited(runtime: Runtime) -> None:
    read = new_read(camera=None, source=ReadSource.IMPORT, source_name="county-alpr")
    ingest_reads(runtime, CAMERA_FEED, [read])
    (only,) = stored(runtime)
    assert (only.source, only.source_name, only.camera) == (ReadSource.IMPORT, "county-alpr", None)


def test_an_officer_may_not_ingest(runtime: Runtime) -> None:
    with pytest.raises(AccessDeniedError, match="ingest needs one of the roles"):
        ingest_reads(runtime, OFFICER, [new_read()])
