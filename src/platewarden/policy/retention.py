"""Retention (§ 46-5-118): when a read is due for purge."""

from datetime import datetime, timedelta

from platewarden.policy.model import Policy


def retention_cutoff(policy: Policy, now: datetime) -> datetime:
    """Return the capture time before which reads are due for purge unless held."""
    return now - timedelta(days=policy.retention.days)
