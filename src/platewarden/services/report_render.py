"""Write the yearly report (HTML, PDF, PNG charts, one CSV per section) and the public page.

The report's sections (report_sections) are tables built once from the figures, so that the
HTML, the PDF and the CSV files say the same thing. Charts are drawn on matplotlib Figure
objects (the Agg canvas, no pyplot state), so that nothing needs a display and nothing is built
at import.
"""

import csv
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from fpdf import FPDF
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from platewarden.services.pdf import (
    FONT,
    ZERO_WIDTH_SPACE,
    breakable,
    column_widths,
    new_pdf,
    paragraph,
)
from platewarden.services.report_figures import TransparencyPage, YearlyReport
from platewarden.services.report_sections import Chart, Section, sections, summary

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TEMPLATES = ("platewarden", "templates/report")
# A section's title starts a new page unless this much room (mm) is left below it for its note
# and the first rows of its table.
KEEP_WITH_TITLE_MM = 45


def draw_chart(chart: Chart, path: Path) -> None:
    """Draw a (stacked) bar chart to a PNG file."""
    chart_figure(chart).savefig(path, format="png", dpi=100)


def chart_figure(chart: Chart) -> "Figure":
    """Lay out a (stacked) bar chart, its legend below the axes, clear of the bars."""
    # matplotlib takes a second to import: only the commands that draw pay for it.
    from matplotlib.figure import Figure  # noqa: PLC0415
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    legend = len(chart.series) > 1
    height = 3.4 if not chart.horizontal else 0.9 + 0.35 * len(chart.labels) + 0.3 * legend
    # Constrained layout makes room for the title, the tick labels and the legend outside
    # the axes, so that nothing is drawn over the bars.
    figure = Figure(figsize=(7, height), layout="constrained")
    axes = figure.add_subplot()
    base = [0.0] * len(chart.labels)
    for name, values in chart.series:
        if chart.horizontal:
            axes.barh(chart.labels, values, left=base, label=name)
        else:
            axes.bar(chart.labels, values, bottom=base, label=name)
        base = [b + v for b, v in zip(base, values, strict=True)]
    (axes.xaxis if chart.horizontal else axes.yaxis).set_major_locator(MaxNLocator(integer=True))
    axes.set_title(chart.title)
    if chart.horizontal:
        axes.invert_yaxis()  # the first row of the table on top
    else:
        axes.tick_params(axis="x", labelrotation=45)
    if legend:
        figure.legend(loc="outside lower center", ncols=len(chart.series), frameon=False)
    return figure


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader(*TEMPLATES),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["wbr"] = _word_breaks
    return environment


def _word_breaks(value: object) -> Markup:
    """Escape a value and let a long path in it wrap after its separators (<wbr>)."""
    return Markup(str(escape(breakable(str(value)))).replace(ZERO_WIDTH_SPACE, "<wbr>"))


def write_yearly(report: YearlyReport, directory: Path) -> list[Path]:
    """Write report.html, report.pdf, the charts and one CSV per section; return the files."""
    directory.mkdir(parents=True, exist_ok=True)
    parts = sections(report)
    lines = summary(report)
    written: list[Path] = []
    for part in parts:
        path = directory / f"{part.key}.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(part.columns)
            writer.writerows(part.rows)
        written.append(path)
        if part.chart:
            draw_chart(part.chart, directory / part.chart.file)
            written.append(directory / part.chart.file)
    html = (
        _environment()
        .get_template("yearly.html")
        .render(report=report, summary=lines, sections=parts)
    )
    (directory / "report.html").write_text(html, encoding="utf-8")
    _write_pdf(report, lines, parts, directory, directory / "report.pdf")
    return [directory / "report.html", directory / "report.pdf", *written]


def yearly_files(report: YearlyReport) -> dict[str, bytes]:
    """Return the files write_yearly writes, by name, without leaving any on disk."""
    with tempfile.TemporaryDirectory(prefix="platewarden-report-") as folder:
        return {path.name: path.read_bytes() for path in write_yearly(report, Path(folder))}


def _write_pdf(
    report: YearlyReport, lines: list[str], parts: list[Section], charts: Path, path: Path
) -> None:
    pdf = new_pdf(f"ALPR yearly report {report.year}")
    pdf.add_page()
    paragraph(pdf, f"{report.agency}: ALPR yearly report {report.year}", 9, size=16, bold=True)
    paragraph(pdf, _period(report), 5, size=9)
    paragraph(pdf, "Summary", 8, size=12, bold=True)
    for line in lines:
        paragraph(pdf, line, 5.5)
        pdf.ln(1)
    for part in parts:  # the sections flow on after the summary
        if pdf.will_page_break(KEEP_WITH_TITLE_MM):
            pdf.add_page()
        else:
            pdf.ln(6)
        paragraph(pdf, part.title, 8, size=12, bold=True)
        paragraph(pdf, part.note, 4.5, size=8)
        pdf.ln(2)
        if part.rows:
            _table(pdf, part)
        else:
            paragraph(pdf, "Nothing recorded in the period.", 5, size=8)
        if part.chart:
            pdf.ln(3)
            pdf.image(charts / part.chart.file, w=170)
    pdf.output(str(path))


def _table(pdf: FPDF, part: Section) -> None:
    rows = [part.columns, *part.rows]
    pdf.set_font(FONT, "", 8)
    with pdf.table(text_align="LEFT", line_height=5, col_widths=column_widths(rows)) as table:
        for row in rows:
            cells = table.row()
            for value in row:
                cells.cell(breakable(str(value)))


def _period(report: YearlyReport) -> str:
    to = f"{report.end:%Y-%m-%d}" if not report.complete else "the end of the year"
    return (
        f"Local calendar year {report.year} ({report.start:%Z %z}), to {to}. "
        f"Made {report.generated_at:%Y-%m-%d %H:%M} UTC."
    )


def write_transparency(page: TransparencyPage, directory: Path) -> Path:
    """Write the public page, index.html: no plate, no name, no case number."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "index.html"
    path.write_text(transparency_html(page), encoding="utf-8")
    return path


def transparency_html(page: TransparencyPage) -> str:
    """Render the public page: no plate, no name, no case number."""
    return _environment().get_template("transparency.html").render(page=page)
