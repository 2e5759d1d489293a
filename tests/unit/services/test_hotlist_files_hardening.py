"""Hot-list files that try to break the parser: the bad row is skipped and named, the rest load."""

import pytest
from tests.factories import CUSTODIAN

from platewarden.services import hotlists
from platewarden.services.errors import InvalidInputError
from platewarden.services.hotlist_files import parse_hotlist
from platewarden.services.runtime import Runtime

HEADER = "LIC,LIS,TYP,NIC,ORI,OCA,LIT,EXP"
TYPES = {"stolen vehicle": "stolen_vehicle"}


def parse(*rows: str) -> tuple[list[str], list[str]]:
    """Parse rows under HEADER; return the plates kept and the problems."""
    entries, problems = parse_hotlist("\n".join([HEADER, *rows]), record_types=TYPES)
    return [e["plate"] for e in entries], [str(p) for p in problems]


def test_an_expiry_past_the_year_9999_in_utc_is_a_bad_row() -> None:
    """9999-12-31T23:59:59-14:00 raised OverflowError when moved to UTC."""
    plates, problems = parse(
        "GOOD1,MT,stolen vehicle,,,,,2027-01-01",
        "BAD1,MT,stolen vehicle,,,,,9999-12-31T23:59:59-14:00",
        "GOOD2,MT,stolen vehicle,,,,,9999-12-31T23:59:59+00:00",
    )
    assert plates == ["GOOD1", "GOOD2"]
    assert problems == ["line 3: expires date '9999-12-31T23:59:59-14:00' is out of range in UTC"]


def test_over_long_nic_ori_oca_and_plate_type_are_bad_rows() -> None:
    """Longer than the hotlist_entries columns: failed the INSERT on PostgreSQL."""
    plates, problems = parse(
        f"BAD1,MT,stolen vehicle,{'N' * 33},,,,",
        f"BAD2,MT,stolen vehicle,,{'O' * 33},,,",
        f"BAD3,MT,stolen vehicle,,,{'C' * 65},,",
        f"BAD4,MT,stolen vehicle,,,,{'T' * 17},",
        f"GOOD1,MT,stolen vehicle,{'N' * 32},{'O' * 32},{'C' * 64},{'T' * 16},",
    )
    assert plates == ["GOOD1"]
    assert [p.split(":")[0] for p in problems] == ["line 2", "line 3", "line 4", "line 5"]
    assert "nic 'NNNN" in problems[0] and "is over 32 characters" in problems[0]


def test_nul_bytes_and_control_characters_are_bad_rows() -> None:
    """A NUL byte in any field failed the INSERT on PostgreSQL."""
    plates, problems = parse(
        "GOOD1,MT,stolen vehicle,,,,,",
        "BAD1,MT,stolen vehicle,V\x00,,,,",
        "BAD2,MT,stolen vehicle,,,\x1b[31m,,",
    )
    assert plates == ["GOOD1"]
    assert [p.split(":")[0] for p in problems] == ["line 3", "line 4"]
    assert all("has a control character" in p for p in problems)


def test_a_field_over_the_csv_limit_is_a_bad_row_and_the_next_rows_load() -> None:
    """A field over 131,072 characters stopped the csv reader with a traceback."""
    plates, problems = parse(
        "GOOD1,MT,stolen vehicle,,,,,",
        f"BAD1,MT,stolen vehicle,{'N' * 140_000},,,,",
        "GOOD2,MT,stolen vehicle,,,,,",
    )
    assert plates == ["GOOD1", "GOOD2"]
    assert problems == ["line 3: not valid CSV (field larger than field limit (131072))"]


def test_a_long_bad_value_is_quoted_in_80_characters() -> None:
    """A refusal quotes at most the first 80 characters of the value."""
    _, problems = parse(f"{'A' * 100_000},MT,stolen vehicle,,,,,")
    assert len(problems[0]) < 200


def test_a_file_with_nul_bytes_loads_its_good_rows_on_every_database(runtime: Runtime) -> None:
    """Through the service, on SQLite and PostgreSQL: the NUL row is skipped, nothing fails."""
    data = "\n".join(
        [HEADER, "GOOD1,MT,stolen vehicle,,,,,", "BAD1,MT,stolen vehicle,V\x00,,,,"]
    ).encode()
    load = hotlists.import_hotlist(runtime, CUSTODIAN, source="ncic", data=data)
    assert load.version.entry_count == 1
    assert [p.where for p in load.skipped] == ["line 3"]


@pytest.mark.parametrize(
    ("field", "value", "told"),
    [
        ("plate", "AB*C*D*E*F*G*H*J*K", "is over 16 characters"),
        ("notes", "seen near\x00the bank", "hold a control character"),
        ("notes", "x" * 5000, "are over 4000 characters"),
        ("plate", "A" * 100_000, "must have 1–10 letters or digits"),
    ],
    ids=["long pattern", "NUL in notes", "5000-character notes", "100,000-character plate"],
)
def test_a_manual_entry_the_table_cannot_hold_is_refused_in_one_line(
    runtime: Runtime, field: str, value: str, told: str
) -> None:
    values = {"plate": "ABC*", "notes": "seen near the bank\nblue sedan"} | {field: value}
    with pytest.raises(InvalidInputError, match=told) as refused:
        hotlists.add_entry(runtime, CUSTODIAN, purpose="major_crime", case_number="26-1", **values)
    assert len(str(refused.value)) < 300
    assert hotlists.list_entries(runtime, CUSTODIAN) == []
