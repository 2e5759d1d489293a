"""Schemathesis over every operation of our OpenAPI document, against a real server.

Three callers: nobody, a member holding every member role (trained), and a camera's device token.
Whatever they send, the server never answers 5xx, every answer is one the document describes
(status, media type, schema), and every error is application/problem+json. Bounded so that the
file takes about a minute on two cores: few examples per operation, no deadline, no shrinking.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyotp
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, CheckContext, GenerationMode
from schemathesis.core.transport import Response

from platewarden.domain import CameraKind
from platewarden.policy.access import MACHINE_ROLES, Role
from platewarden.services import auth, cameras, devices, members
from platewarden.services.runtime import Runtime, open_runtime, upgrade_schema
from platewarden.settings import Settings, sqlite_url
from tests.factories import CUSTODIAN, PASSWORD, FixedClock, actor
from tests.functional.api.conftest import serving

MEMBER = "fuzz.all"
MEMBER_ROLES = tuple(r for r in Role if r not in MACHINE_ROLES)
EXAMPLES = 15  # per operation and caller: the bound that keeps this file near a minute
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is shown as found
    suppress_health_check=list(HealthCheck),
    database=None,
)

# Bodies the API takes as they come (an export's archive): any bytes, sent unchanged.
schemathesis.serializer.alias("application/zip", "application/octet-stream")


@schemathesis.check
def errors_are_problems(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every 4xx and 5xx answer is RFC 9457 problem+json naming its status."""
    if response.status_code < 400:
        return None
    kind = response.headers.get("content-type", [""])[0].split(";")[0]
    assert kind == "application/problem+json", f"an error as {kind!r}, not problem+json"
    body = response.json()
    assert body.get("status") == response.status_code, f"problem status {body.get('status')}"
    assert body.get("detail"), "a problem without a detail"
    return True


CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
    errors_are_problems,
]


@dataclass
class Member:
    """The fuzzing member's session; a new one when a fuzzed call ended it."""

    runtime: Runtime
    secret: str
    token: str = ""

    def headers(self) -> dict[str, str]:
        """Return a live session's Authorization header."""
        if not self.token:
            clock = self.runtime.clock
            assert isinstance(clock, FixedClock)
            clock.advance(seconds=30)  # a TOTP code counts once: the next log-on needs a new one
            self.token = auth.log_on(
                self.runtime,
                username=MEMBER,
                password=PASSWORD,
                totp_code=pyotp.TOTP(self.secret).at(clock.now()),
            ).token
        return {"Authorization": f"Bearer {self.token}"}

    def saw(self, response: Response) -> None:
        """Forget the session when a 401 says it is over (not when a case dropped the header)."""
        if response.status_code != 401:
            return
        try:
            auth.resume(self.runtime, self.token)
        except auth.LogonError:
            self.token = ""


@dataclass
class Served:
    """The server under fuzzing and its callers' credentials."""

    base_url: str
    member: Member
    device_token: str


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server over a fresh SQLite instance for the whole file."""
    root: Path = tmp_path_factory.mktemp("fuzz")
    config = Settings(data_dir=root / "data", database_url=sqlite_url(root))
    upgrade_schema(config)
    clock = FixedClock()
    rt: Runtime = open_runtime(config, clock=clock)
    try:
        cameras.add_camera(rt, CUSTODIAN, name="cam-1", kind=CameraKind.FIXED, location="Main")
        founder = actor(Role.ADMINISTRATOR, name="founder")
        members.add_member(
            rt,
            founder,
            username=MEMBER,
            full_name="Fuzz All",
            password=PASSWORD,
            roles=MEMBER_ROLES,
        )
        for role in MEMBER_ROLES:
            members.record_training(
                rt,
                founder,
                username=MEMBER,
                course=rt.policy.training.courses[role.value],
                completed_on=clock.now(),
            )
        secret = members.enroll_totp(rt, founder, username=MEMBER).secret
        token = devices.add_device(rt, CUSTODIAN, name="fuzz-cam", camera="cam-1")[1]
        with serving(rt) as url:
            yield Served(url, Member(rt, secret), token)
    finally:
        rt.close()


CALLERS = ("nobody", "member", "device")


@pytest.mark.parametrize("caller", CALLERS)
def test_every_operation(served: Served, caller: str, subtests: pytest.Subtests) -> None:
    schema = schemathesis.openapi.from_url(f"{served.base_url}/api/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40, "the document lost its operations"
    for operation in operations:
        if operation.path.endswith("/alerts/stream"):
            continue  # the stream stays open while the member may listen: fuzzing it only waits
        with subtests.test(msg=operation.label):
            _fuzz(operation, served, caller)


def _fuzz(operation: APIOperation, served: Served, caller: str) -> None:
    """Send an operation well-formed and malformed cases as the caller; check every answer."""
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @FUZZ
    @given(case=cases)
    def run(case: Case) -> None:
        headers = {}
        if caller == "member":
            headers = served.member.headers()
        elif caller == "device":
            headers = {"Authorization": f"Bearer {served.device_token}"}
        response = case.call_and_validate(base_url=served.base_url, headers=headers, checks=CHECKS)
        if caller == "member":
            served.member.saw(response)

    run()


def test_a_body_that_is_not_text_is_a_422_naming_the_body(served: Served) -> None:
    answer = httpx.post(
        f"{served.base_url}/api/v1/session",
        content=b"\xff\xfe{",
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["problems"] == [
        {"where": "body", "message": "the body is not UTF-8 JSON text"}
    ]
