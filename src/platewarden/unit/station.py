"""The unit's client of its station: hot-list changes and reads, with its device token."""

from typing import Any

import httpx

from platewarden.services.unit_sync import SIGNATURE_HEADER
from platewarden.unit.config import UnitConfig, UnitError


class StationUnreachableError(UnitError):
    """The station did not answer, or answered that it cannot take anything now: try later."""


class StationRefusedError(UnitError):
    """The station answered that it will not take what was sent (a 4xx other than 429)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class Station:
    """The station's API as a unit uses it."""

    def __init__(self, config: UnitConfig, *, timeout_s: float = 30.0) -> None:
        self._http = httpx.Client(
            base_url=config.server_url.rstrip("/") + "/api/v1",
            headers={"Authorization": f"Bearer {config.token}"},
            timeout=timeout_s,
        )

    def hotlist_changes(self, since: str | None) -> tuple[bytes, str]:
        """Return the station's signed answer: the changes since a cursor (all when None)."""
        params = {"since": since} if since else {}
        answer = self._send("GET", "/units/hotlists", params=params)
        return answer.content, answer.headers.get(SIGNATURE_HEADER, "")

    def push_reads(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        """Send a batch of reads with their images; return the station's receipt."""
        receipt: dict[str, Any] = self._send("POST", "/reads", json={"reads": rows}).json()
        return receipt

    def push_records(self, body: dict[str, Any]) -> dict[str, Any]:
        """Send the unit's audit records and alert events; return the station's receipt."""
        receipt: dict[str, Any] = self._send("POST", "/units/records", json=body).json()
        return receipt

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __enter__(self) -> "Station":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            answer = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise StationUnreachableError(f"the station did not answer: {exc}") from None
        if answer.status_code in (429, 502, 503, 504) or answer.status_code >= 500:
            raise StationUnreachableError(f"the station answered {answer.status_code}: try later")
        if answer.status_code >= 400:
            try:
                detail = answer.json().get("detail") or answer.text
            except ValueError:
                detail = answer.text
            message = f"the station refused ({answer.status_code}): {detail}"[:400]
            raise StationRefusedError(message, answer.status_code)
        return answer
