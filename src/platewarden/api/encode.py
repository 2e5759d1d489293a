"""Service results as JSON: dataclasses, enums and times as FastAPI writes them, images base64."""

import base64
from typing import Any

from fastapi.encoders import jsonable_encoder


def to_json(value: Any) -> Any:
    """Return a JSON-ready copy of a service's result; bytes (images) become base64 text."""
    return jsonable_encoder(
        value, custom_encoder={bytes: lambda data: base64.b64encode(data).decode("ascii")}
    )
