"""Purposes of use (426.4.1): every access of data names a lawful purpose and a case."""

import re

from platewarden.policy.decision import Decision
from platewarden.policy.model import Policy
from platewarden.quoting import quote

CASE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{1,63}$")


def check_purpose(policy: Policy, purpose: str | None, case_number: str | None) -> Decision:
    """Check that a purpose is one of the policy's and that a plausible case number is given."""
    if not purpose:
        return Decision.deny("a purpose of use is required (no purpose, no data)")
    if policy.purpose(purpose) is None:
        known = ", ".join(p.code for p in policy.purposes)
        return Decision.deny(f"unknown purpose {quote(purpose)}; the policy allows: {known}")
    if not case_number:
        return Decision.deny("a case number is required: access must be tied to a case")
    if not CASE_NUMBER.match(case_number):
        return Decision.deny(
            f"case number {quote(case_number)} is not valid: 2–64 letters, digits, '.', '_', '/' "
            "or '-'"
        )
    return Decision.allow(f"purpose {purpose} for case {case_number}")
