"""The policy page without a browser: read-only, with its version and hash, for every role."""

from collections.abc import Callable

import httpx

from platewarden.policy.access import Role
from platewarden.services import policies
from platewarden.services.runtime import Runtime
from tests.factories import actor
from tests.functional.console.conftest import AddMember

LogOn = Callable[..., httpx.Client]


def test_an_officer_reads_the_policy_in_force_with_its_hash_and_history(
    runtime: Runtime, console: LogOn, add_member: AddMember
) -> None:
    add_member("ofc", Role.OFFICER)
    page = console("ofc").get("/policy")
    assert page.status_code == 200
    current = policies.current_policy(runtime, actor(Role.ADMINISTRATOR))
    assert f"Version {current.version}" in page.text
    assert current.sha256 in page.text
    assert "<form" not in page.text.split("<main", 1)[1].split("</main>")[0]  # read-only


def test_an_untrained_officer_is_refused_the_policy(
    client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    add_member("rookie", Role.OFFICER, trained=False)
    answer = console("rookie").get("/policy")
    assert answer.status_code == 403
    assert "needs current training" in answer.text


def test_an_investigator_reads_the_policy_and_nothing_on_it_changes_it(
    client: httpx.Client, console: LogOn, add_member: AddMember
) -> None:
    add_member("det", Role.INVESTIGATOR)
    assert console("det").get("/policy").status_code == 200
    assert client.post("/policy").status_code in (403, 405)  # nothing to change here
