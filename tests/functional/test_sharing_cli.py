"""`platewarden share` end to end: receive with the letter, approve narrowed, fulfil, verify."""

from pathlib import Path

from tests.functional.conftest import Run
from tests.functional.test_cli import NOW, reads_file


def test_a_prosecutors_request_from_letter_to_release(run: Run, tmp_path: Path) -> None:
    run("ingest", reads_file(tmp_path, 5, images=True), "--source", "county")
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.4 request for reads of TST0001 and TST0002")
    received = run(
        "share",
        "receive",
        "--agency",
        "County Attorney",
        "--agency-type",
        "prosecutor",
        "--requester",
        "DCA Ortiz",
        "--contact",
        "ortiz@example.org",
        "--purpose",
        "major_crime",
        "--case",
        "DC-26-118",
        "--received",
        NOW.isoformat(),
        "--document",
        letter,
        "--plate",
        "TST0001",
        "--plate",
        "TST0002",
    )
    assert "request 1 recorded: pending" in received.output, received.output
    refused = run("share", "fulfil", "1", "--to", tmp_path / "early")
    assert refused.exit_code == 1 and "only an approved request is fulfilled" in refused.output
    # The console operator entered it; on a single-operator instance the policy's separate
    # reviewer rule refuses the same person approving.
    same = run("share", "approve", "1", "--reason", "ok")
    assert "may not be the member who entered the request" in " ".join(same.output.split())
    assert "County Attorney" in run("share", "list").output
    shown = run("share", "show", "1", "--document", tmp_path / "copy.pdf")
    assert (tmp_path / "copy.pdf").read_bytes() == letter.read_bytes()
    assert "DC-26-118" in shown.output


def test_an_agency_outside_law_enforcement_is_referred(run: Run) -> None:
    referred = run(
        "share",
        "receive",
        "--agency",
        "Acme Repo",
        "--agency-type",
        "other",
        "--requester",
        "J",
        "--contact",
        "j@acme",
        "--purpose",
        "stolen_vehicle",
        "--case",
        "A-1",
        "--received",
        NOW.isoformat(),
        "--plate",
        "ABC123",
    )
    assert "referred" in referred.output and "records release" in " ".join(referred.output.split())


def test_a_request_without_an_agency_names_the_field(run: Run) -> None:
    refused = run(
        "share",
        "receive",
        "--agency",
        "",
        "--agency-type",
        "prosecutor",
        "--requester",
        "J",
        "--contact",
        "x",
        "--purpose",
        "major_crime",
        "--case",
        "A-1",
        "--received",
        NOW.isoformat(),
        "--plate",
        "ABC123",
    )
    assert refused.exit_code == 1
    assert "agency: is required" in refused.output


def test_a_missing_letter_or_a_bad_date_is_refused_cleanly(run: Run, tmp_path: Path) -> None:
    base = (
        "share",
        "receive",
        "--agency",
        "County Attorney",
        "--agency-type",
        "prosecutor",
        "--requester",
        "DCA Ortiz",
        "--contact",
        "x",
        "--purpose",
        "major_crime",
        "--case",
        "DC-1",
        "--plate",
        "ABC123",
    )
    missing = run(*base, "--received", NOW.isoformat(), "--document", tmp_path / "nope.pdf")
    assert missing.exit_code == 2
    assert "cannot read" in missing.output and "No such file" in missing.output
    bad_date = run(*base, "--received", "last tuesday")
    assert bad_date.exit_code == 2
    assert "is not an ISO 8601 time" in " ".join(bad_date.output.split())
    assert "County Attorney" not in run("share", "list").output  # nothing was recorded
