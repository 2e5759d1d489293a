"""The policy in force and its versions."""

from typing import Any

from fastapi import APIRouter

from platewarden.api.deps import CurrentActor, RuntimeDep
from platewarden.api.encode import to_json
from platewarden.services import policies

router = APIRouter(prefix="/policy", tags=["policy"])


@router.get("")
def show(rt: RuntimeDep, actor: CurrentActor) -> dict[str, Any]:
    """Return the policy in force: version, hash, who applied it, and its text."""
    return to_json(policies.current_policy(rt, actor))


@router.get("/history")
def history(rt: RuntimeDep, actor: CurrentActor) -> list[dict[str, Any]]:
    """Return every version of the policy, the newest first."""
    return to_json(policies.policy_history(rt, actor))
