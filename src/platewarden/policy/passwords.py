"""Password rules (426.6 a, FBI CJIS practice): long enough, not common, not the user's name."""

from functools import cache
from importlib.resources import files

from platewarden.policy.decision import Decision
from platewarden.policy.model import Policy


@cache
def common_passwords() -> frozenset[str]:
    """Return the packaged list of passwords attackers try first."""
    text = files("platewarden.policy").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def check_password(policy: Policy, password: str, *, username: str) -> Decision:
    """Allow a new password only when it meets the policy."""
    minimum = policy.access.password_min_length
    if len(password) < minimum:
        return Decision.deny(f"the password needs at least {minimum} characters")
    lowered = password.lower()
    if lowered in common_passwords() or lowered.rstrip("0123456789!") in common_passwords():
        return Decision.deny("the password is on the list of common passwords")
    if username.lower() in lowered:
        return Decision.deny("the password must not contain the user name")
    if len(set(password)) < 5:
        return Decision.deny("the password repeats too few different characters")
    return Decision.allow("password meets the policy")
