"""Members who log on with their second factor, for the API tests."""

import pyotp

from platewarden.policy.access import Role
from platewarden.services import members
from platewarden.services.runtime import Runtime
from tests.factories import PASSWORD, actor
from tests.functional.api.conftest import Client


def log_on_with_code(rt: Runtime, client: Client, username: str, *roles: Role) -> dict[str, str]:
    """Add a trained member with a TOTP secret, log them on; return their Authorization header."""
    founder = actor(Role.ADMINISTRATOR, name="founder")
    members.add_member(
        rt, founder, username=username, full_name=username, password=PASSWORD, roles=roles
    )
    for role in roles:
        members.record_training(
            rt,
            founder,
            username=username,
            course=rt.policy.training.courses[role.value],
            completed_on=rt.clock.now(),
        )
    secret = members.enroll_totp(rt, founder, username=username).secret
    code = pyotp.TOTP(secret).at(rt.clock.now())
    answer = client.post(
        "/api/v1/session", json={"username": username, "password": PASSWORD, "code": code}
    )
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}
