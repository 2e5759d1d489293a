"""Reads as other ALPR systems send them, turned into our rows (the fields of `ingest`).

Three shapes besides ours (`{"reads": [...]}`), as their public documentation gives them:
OpenALPR / Rekor agents' `alpr_results` (one message per image, confidences 0–100, times in
epoch milliseconds) and Plate Recognizer's Snapshot answer and Stream webhook (scores 0–1,
ISO times). Their messages carry no read id of ours, so one is made from what names the image
and the plate's place in it: a message sent again gives the same ids and is stored once.
"""

import hashlib
from datetime import UTC, datetime
from typing import Any

from platewarden.quoting import quote


class FormatError(ValueError):
    """The body is none of the shapes we take."""


def rows_from_body(body: Any) -> list[Any]:
    """Return our rows from a body of any shape we take; raise FormatError otherwise."""
    if not isinstance(body, dict):
        raise FormatError("the body is not a JSON object")
    if "reads" in body:
        reads = body["reads"]
        if not isinstance(reads, list):
            raise FormatError("reads is not a list")
        return reads
    if body.get("data_type") == "alpr_results":
        return _openalpr(body)
    if isinstance(body.get("hook"), dict) and isinstance(body.get("data"), dict):
        return _plate_recognizer(body["data"], origin=str(body["hook"].get("id") or ""))
    if isinstance(body.get("results"), list):
        return _plate_recognizer(body, origin="snapshot")
    raise FormatError(
        'the body is none of: {"reads": [...]}, OpenALPR alpr_results, Plate Recognizer '
        "Snapshot or Stream"
    )


def _openalpr(body: dict[str, Any]) -> list[dict[str, Any]]:
    epoch_ms = body.get("epoch_time")
    if isinstance(epoch_ms, bool) or not isinstance(epoch_ms, int | float):
        raise FormatError(f"epoch_time {quote(epoch_ms)} is not a number of milliseconds")
    try:
        captured = datetime.fromtimestamp(epoch_ms / 1000, UTC).isoformat()
    except (OverflowError, OSError, ValueError):
        raise FormatError(f"epoch_time {quote(epoch_ms)} is out of range") from None
    image = str(body.get("uuid") or epoch_ms)
    rows = []
    for index, result in enumerate(_list(body, "results")):
        rows.append(
            {
                "read_id": _read_id("openalpr", image, result.get("plate_index", index)),
                "plate": result.get("plate"),
                "captured_at": captured,
                "confidence": _scaled(result.get("confidence"), 100),
                "jurisdiction": _region(result.get("region")),
                "alternatives": [
                    [c.get("plate"), _scaled(c.get("confidence"), 100)]
                    for c in _list(result, "candidates")
                ],
            }
        )
    return rows


def _plate_recognizer(data: dict[str, Any], *, origin: str) -> list[dict[str, Any]]:
    captured = data.get("timestamp")
    image = f"{origin}/{data.get('camera_id') or ''}/{data.get('filename') or ''}/{captured}"
    rows = []
    for index, result in enumerate(_list(data, "results")):
        region = result.get("region")
        rows.append(
            {
                "read_id": _read_id("platerecognizer", image, index),
                "plate": result.get("plate"),
                "captured_at": captured,
                "confidence": result.get("score"),
                "jurisdiction": _region(region.get("code") if isinstance(region, dict) else None),
                "alternatives": [
                    [c.get("plate"), c.get("score")] for c in _list(result, "candidates")
                ],
            }
        )
    return rows


def _list(parent: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = parent.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise FormatError(f"{key} is not a list of objects")
    return items


def _read_id(system: str, image: str, index: object) -> str:
    digest = hashlib.sha256(f"{system}\n{image}\n{index}".encode()).hexdigest()[:32]
    return f"{system}-{digest}"


def _scaled(value: object, scale: float) -> object:
    """Return a 0–scale confidence as 0–1; anything else as it came (ingest refuses it)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value / scale
    return value


def _region(code: object) -> str | None:
    """Return the jurisdiction of a region code: "us-wa" is WA, "gb" is GB."""
    if not isinstance(code, str) or not code:
        return None
    return code.rsplit("-", 1)[-1].upper()[:8]
