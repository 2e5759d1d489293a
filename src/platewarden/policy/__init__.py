"""Pure policy rules, loaded from the policy file; no I/O besides reading that file."""

from platewarden.policy.decision import Decision
from platewarden.policy.model import Policy, PolicyError, PurposeDef, load_policy

__all__ = ["Decision", "Policy", "PolicyError", "PurposeDef", "load_policy"]
