"""Reads in OpenALPR/Rekor and Plate Recognizer shapes, as their documentation describes them."""

import pytest
from sqlalchemy import select

from platewarden.services import devices
from platewarden.services.runtime import Runtime
from platewarden.store.schema import reads
from tests.factories import CUSTODIAN, T0
from tests.functional.api.conftest import Client

EPOCH_MS = int(T0.timestamp() * 1000)

OPENALPR = {
    "version": 2,
    "data_type": "alpr_results",
    "epoch_time": EPOCH_MS,
    "img_width": 1280,
    "img_height": 720,
    "processing_time_ms": 84.2,
    "uuid": "agent-7-cam-2-1780315200000",
    "camera_id": 2,
    "site_id": "north-gate",
    "results": [
        {
            "plate": "AKS6530",
            "confidence": 94.37,
            "matches_template": 1,
            "plate_index": 0,
            "region": "us-wa",
            "region_confidence": 98,
            "coordinates": [
                {"x": 10, "y": 20},
                {"x": 90, "y": 20},
                {"x": 90, "y": 50},
                {"x": 10, "y": 50},
            ],
            "candidates": [
                {"plate": "AKS6530", "confidence": 94.37, "matches_template": 1},
                {"plate": "AK56530", "confidence": 80.1, "matches_template": 0},
            ],
        },
        {
            "plate": "7ABC123",
            "confidence": 88.0,
            "plate_index": 1,
            "region": "us-ca",
            "candidates": [{"plate": "7ABC123", "confidence": 88.0}],
        },
    ],
}

SNAPSHOT = {
    "processing_time": 288.8,
    "results": [
        {
            "box": {"xmin": 143, "ymin": 481, "xmax": 282, "ymax": 575},
            "plate": "nhk552",
            "region": {"code": "gb", "score": 0.747},
            "score": 0.904,
            "candidates": [{"score": 0.904, "plate": "nhk552"}, {"score": 0.8, "plate": "nhk55z"}],
            "dscore": 0.99,
        }
    ],
    "filename": "1617_7M83K_car.jpg",
    "version": 1,
    "camera_id": None,
    "timestamp": T0.isoformat(),
}

STREAM = {
    "hook": {
        "target": "https://platewarden.example/api/v1/reads",
        "id": "camera-1",
        "event": "recognition",
    },
    "data": {
        "camera_id": "camera-1",
        "filename": "camera-1_screenshots/20260601_120000.jpg",
        "timestamp": T0.isoformat(),
        "results": [
            {
                "plate": "bbt4417",
                "score": 0.87,
                "region": {"code": "us-mt", "score": 0.7},
                "candidates": [{"plate": "bbt4417", "score": 0.87}],
                "box": {"xmin": 1, "ymin": 2, "xmax": 3, "ymax": 4},
            }
        ],
    },
}


@pytest.fixture
def feed(runtime: Runtime) -> dict[str, str]:
    """The Authorization header of another system's device."""
    token = devices.add_device(runtime, CUSTODIAN, name="county-alpr", source="county")[1]
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("message", "stored"),
    [
        (OPENALPR, [("7ABC123", "CA", 0.88), ("AKS6530", "WA", 0.9437)]),
        (SNAPSHOT, [("NHK552", "GB", 0.904)]),
        (STREAM, [("BBT4417", "MT", 0.87)]),
    ],
    ids=["OpenALPR alpr_results", "Plate Recognizer Snapshot", "Plate Recognizer Stream"],
)
def test_another_systems_message_is_stored_once(
    runtime: Runtime,
    client: Client,
    feed: dict[str, str],
    message: dict[str, object],
    stored: list[tuple[str, str, float]],
) -> None:
    first = client.post("/api/v1/reads", headers=feed, json=message)
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/reads", headers=feed, json=message)
    assert (first.json()["stored"], again.json()["stored"]) == (len(stored), 0)
    with runtime.engine.connect() as conn:
        rows = conn.execute(
            select(reads.c.plate, reads.c.jurisdiction, reads.c.confidence, reads.c.captured_at)
        ).all()
    assert sorted((p, j, round(c, 4)) for p, j, c, _ in rows) == stored
    assert {at for *_, at in rows} == {T0}


@pytest.mark.parametrize(
    ("body", "told"),
    [
        (b"{not json", "the body is not valid JSON"),
        (b'{"something": "else"}', "the body is none of"),
        (b'{"data_type": "alpr_results", "epoch_time": "yesterday", "results": []}', "epoch_time"),
        (b"[" * 100_000 + b"]" * 100_000, "the body is not valid JSON"),
    ],
    ids=["not JSON", "unknown shape", "bad epoch time", "nested 100,000 deep"],
)
def test_a_body_of_no_known_shape_is_a_422_saying_why(
    client: Client, feed: dict[str, str], body: bytes, told: str
) -> None:
    answer = client.post(
        "/api/v1/reads", headers={**feed, "Content-Type": "application/json"}, content=body
    )
    assert answer.status_code == 422, answer.text
    assert told in answer.json()["problems"][0]["message"]
