"""The printable sheet of an evidence export: the chain of custody and every read with its files.

The sheet is a file of the package like the others (listed with its hash in the manifest), so
what is printed and booked into evidence can be checked against the media. Times are shown in
the department's zone, with the zone named; reads.csv and reads.json keep them in UTC.
"""

from datetime import datetime, tzinfo
from typing import Any

from fpdf.fonts import FontFace

from platewarden.local_time import show_time
from platewarden.services.pdf import FONT, MONO, Document, new_pdf, paragraph

SHEET = "evidence_sheet.pdf"
BLANK_CUSTODY_ROWS = 5  # transfers written in by hand after the export
# Columns of the reads table (mm across a landscape page): a read is one row, its image files
# one a line with their hashes beside them, each hash whole in a fixed-width font.
READ_COLUMNS = ("read", "plate", "captured", "camera", "position", "image files", "SHA-256")
READ_WIDTHS = (12, 26, 39, 26, 41, 40, 93)
HASH_FACE = FontFace(family=MONO, size_pt=6.5)
KEEP_WITH_TITLE_MM = 30  # the reads' title starts a page unless its first rows fit below it


def evidence_sheet(
    custody: dict[str, Any],
    rows: list[dict[str, Any]],
    hashes: dict[str, str],
    *,
    agency: str,
    purposes: dict[str, str],
    zone: tzinfo | None,
) -> bytes:
    """Return the sheet (PDF) of an export: its custody record, then each read and its images."""
    hold = custody["hold"]
    exported = custody["custody"][0]
    at = datetime.fromisoformat(exported["at"])
    pdf = new_pdf(
        f"Evidence {custody['evidence_number']}: reads and chain of custody", landscape=True
    )
    pdf.set_creation_date(at)  # the same export gives the same bytes
    pdf.add_page()
    paragraph(pdf, f"{agency}: ALPR evidence export", 8, size=14, bold=True)
    paragraph(pdf, f"Evidence number {custody['evidence_number']}", 7, size=12, bold=True)
    pdf.ln(2)
    _facts(
        pdf,
        (
            ("Case number", hold["case_number"]),
            ("Purpose", purposes.get(hold["purpose"], hold["purpose"])),
            ("Hold", f"hold {hold['id']} ({hold['kind'].replace('_', ' ')}): {hold['reason']}"),
            ("Hold placed", _placed(hold, zone)),
            ("Exported by", exported["by"]),
            ("Exported at", show_time(at, zone, seconds=True)),
            ("Contents", f"{custody['reads']} reads, {custody['images']} images"),
            ("Made by", custody["system"]),
            ("Manifest SHA-256", "(from the export's receipt or label)"),
        ),
    )
    pdf.ln(3)
    paragraph(pdf, "Chain of custody", 7, size=11, bold=True)
    _custody(pdf, at=show_time(at, zone, seconds=True), by=exported["by"], hold=hold["id"])
    if pdf.will_page_break(KEEP_WITH_TITLE_MM):
        pdf.add_page()
    else:
        pdf.ln(3)
    paragraph(pdf, "Reads and image files", 7, size=11, bold=True)
    paragraph(
        pdf,
        "Each image file is in the package's images/ folder; its SHA-256 here, in manifest.json "
        "and of the file itself must agree. Positions are latitude, longitude (WGS 84). Times "
        "are local with their zone; reads.csv gives them in UTC.",
        4,
        size=8,
    )
    pdf.ln(1)
    _reads(pdf, rows, hashes, zone)
    return bytes(pdf.output())


def _placed(hold: dict[str, Any], zone: tzinfo | None) -> str:
    return f"{show_time(datetime.fromisoformat(hold['created_at']), zone)} by {hold['created_by']}"


def _facts(pdf: Document, facts: tuple[tuple[str, str], ...]) -> None:
    pdf.set_font(FONT, "", 9)
    with pdf.table(
        col_widths=(1, 4), width=200, align="LEFT", text_align="LEFT", first_row_as_headings=False
    ) as table:
        for label, value in facts:
            row = table.row()
            row.cell(label)
            row.cell(str(value))


def _custody(pdf: Document, *, at: str, by: str, hold: int) -> None:
    pdf.set_font(FONT, "", 9)
    with pdf.table(
        col_widths=(3, 3, 3, 4, 3), text_align="LEFT", line_height=9, align="LEFT"
    ) as table:
        heading = table.row()
        for title in ("date and time", "released by", "received by", "purpose", "signature"):
            heading.cell(title)
        first = table.row()
        for value in (at, "Platewarden (export)", by, f"evidence export of hold {hold}", ""):
            first.cell(value)
        for _ in range(BLANK_CUSTODY_ROWS):
            blank = table.row()
            for _ in range(5):
                blank.cell("")


def _reads(
    pdf: Document, rows: list[dict[str, Any]], hashes: dict[str, str], zone: tzinfo | None
) -> None:
    pdf.set_font(FONT, "", 8)
    with pdf.table(col_widths=READ_WIDTHS, text_align="LEFT", line_height=4.5) as table:
        heading = table.row()
        for title in READ_COLUMNS:
            heading.cell(title)
        for read in rows:
            images = [read[k] for k in ("frame_image", "crop_image") if read[k]]
            row = table.row()
            for value in _read_facts(read, zone):
                row.cell(value)
            row.cell("\n".join(images) or "no image")
            row.cell("\n".join(hashes[name] for name in images), style=HASH_FACE)


def _read_facts(read: dict[str, Any], zone: tzinfo | None) -> tuple[str, ...]:
    plate = f"{read['plate']} ({read['jurisdiction']})" if read["jurisdiction"] else read["plate"]
    captured = show_time(datetime.fromisoformat(read["captured_at"]), zone, seconds=True)
    camera = read["camera"] or f"{read['source']}: {read['source_name'] or 'unnamed'}"
    position = (
        f"{read['latitude']:.6f}, {read['longitude']:.6f}"
        if read["latitude"] is not None and read["longitude"] is not None
        else "not recorded"
    )
    return (str(read["id"]), plate, captured, camera, position)
