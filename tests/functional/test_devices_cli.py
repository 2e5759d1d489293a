"""`platewarden device`: a token shown once, listed without it, revoked for good."""

from tests.functional.conftest import Run


def test_a_device_is_added_with_a_token_listed_and_revoked(run: Run) -> None:
    assert run("camera", "add", "gate-1").exit_code == 0
    added = run("device", "add", "gate-1-cam", "--camera", "gate-1")
    assert added.exit_code == 0, added.output
    token = added.output.strip().splitlines()[-1]
    assert token.startswith("pwd_") and len(token) > 40
    listed = run("device", "list").output
    assert "gate-1-cam" in listed and "never" in listed and token not in listed
    both = run("device", "add", "x", "--camera", "gate-1", "--source", "county")
    assert both.exit_code == 1 and "give a camera or a source, not both" in both.output
    assert run("device", "revoke", "gate-1-cam").exit_code == 0
    assert "gate-1-cam" in run("device", "list").output
    assert run("device", "revoke", "nope").exit_code == 1
