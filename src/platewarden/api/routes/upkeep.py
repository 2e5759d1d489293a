"""Camera maintenance, purge runs and the reports."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from platewarden.accountability import MaintenanceKind
from platewarden.api import problems
from platewarden.api.deps import CurrentActor, RuntimeDep
from platewarden.api.encode import to_json
from platewarden.services import maintenance, purge, report

router = APIRouter(tags=["upkeep"])


class Maintenance(BaseModel):
    """Maintenance or calibration done on a camera."""

    camera: Annotated[str, Field(min_length=1, max_length=100)]
    kind: MaintenanceKind
    done_on: datetime
    performed_by: Annotated[str, Field(min_length=1, max_length=200)]
    notes: Annotated[str | None, Field(max_length=4000)] = None
    next_due: datetime | None = None


class CameraName(BaseModel):
    """One camera, by name."""

    camera: Annotated[str, Field(min_length=1, max_length=100)]


class PurgeRequest(BaseModel):
    """A purge now; a dry run only counts."""

    dry_run: bool = True


@router.post("/maintenance", status_code=201, responses=problems.responses(404))
def add_maintenance(rt: RuntimeDep, actor: CurrentActor, body: Maintenance) -> dict[str, Any]:
    """Record maintenance or calibration."""
    return to_json(maintenance.add_maintenance(rt, actor, **body.model_dump()))


@router.post("/maintenance/query", responses=problems.responses(404))
def list_maintenance(rt: RuntimeDep, actor: CurrentActor, body: CameraName) -> list[Any]:
    """List a camera's maintenance records."""
    return to_json(maintenance.list_maintenance(rt, actor, camera=body.camera))


@router.get("/maintenance/overdue")
def overdue(rt: RuntimeDep, actor: CurrentActor) -> list[Any]:
    """List the cameras whose calibration is overdue."""
    return to_json(maintenance.overdue_calibrations(rt, actor))


@router.get("/purge-runs")
def purge_runs(rt: RuntimeDep, actor: CurrentActor) -> list[Any]:
    """List the latest purge runs."""
    return to_json(purge.list_runs(rt, actor))


@router.post("/purge-runs", status_code=201)
def purge_now(rt: RuntimeDep, actor: CurrentActor, body: PurgeRequest) -> dict[str, Any]:
    """Purge reads past retention unless held (a dry run by default), as the member."""
    return to_json(purge.purge(rt, actor, dry_run=body.dry_run))


@router.get("/reports/transparency")
def transparency(rt: RuntimeDep, actor: CurrentActor) -> dict[str, Any]:
    """Return the public transparency figures."""
    return to_json(report.transparency_page(rt, actor))


@router.get("/reports/yearly/{year}")
def yearly(
    rt: RuntimeDep, actor: CurrentActor, year: Annotated[int, Path(ge=2000, le=2200)]
) -> dict[str, Any]:
    """Return the yearly report's figures for the Chief of Police."""
    return to_json(report.yearly_report(rt, actor, year=year))
