"""A refusal is always recorded, whatever the member typed, and quotes it briefly."""

import pytest
from tests.factories import actor

from platewarden.policy.access import Role
from platewarden.services.errors import AccessDeniedError
from platewarden.services.runtime import Runtime
from platewarden.services.search import SearchQuery, search_reads
from platewarden.store.audit import audit_entries


@pytest.mark.parametrize(
    ("case_number", "purpose"),
    [("C" * 100_000, "stolen_vehicle"), ("26\x00-1", "stolen_vehicle"), ("26-1", "p\x00" * 50)],
    ids=["100,000-character case", "NUL in the case", "NUL in the purpose"],
)
def test_a_search_refused_for_its_case_or_purpose_is_audited_in_the_columns_size(
    runtime: Runtime, case_number: str, purpose: str
) -> None:
    investigator = actor(Role.INVESTIGATOR, name="det")
    with pytest.raises(AccessDeniedError) as refused:
        search_reads(runtime, investigator, SearchQuery(purpose, case_number, plate="ABC123"))
    assert len(str(refused.value)) < 400
    with runtime.engine.connect() as conn:
        (entry,) = [e for _, e in audit_entries(conn) if e.outcome == "denied"]
    assert entry.actor == "det"
    assert entry.case_number is not None and len(entry.case_number) <= 64
    assert "\x00" not in entry.case_number + (entry.purpose or "")
