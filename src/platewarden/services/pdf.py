"""Printable documents in one style: A4 pages, DejaVu fonts, paragraphs that wrap cleanly.

The fonts are those matplotlib ships (it is a dependency already), so a PDF prints any member's
name or place name without a font download. Importing matplotlib takes a moment: only the
commands that print pay for it.
"""

import re
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

FONT = "DejaVu"
MONO = "DejaVuMono"
# A word this long may wrap after a separator (a path, a file name), never inside a part.
LONG_WORD = 24
SEPARATOR = re.compile(r"([/\\_])(?=.)")
ZERO_WIDTH_SPACE = "\u200b"


class Document(FPDF):
    """An A4 document whose every page ends with its title and "page N of M"."""

    def __init__(self, title: str, *, landscape: bool = False) -> None:
        super().__init__(orientation="L" if landscape else "P", format="A4")
        self.set_title(title)
        self.title_line = title

    def footer(self) -> None:
        """Print the document's title and the page number at the foot of each page."""
        self.set_y(-12)
        self.set_font(FONT, "", 7)
        self.cell(0, 5, f"{self.title_line} · page {self.page_no()} of {{nb}}", align=Align.C)


def new_pdf(title: str, *, landscape: bool = False) -> Document:
    """Return an empty A4 document with the DejaVu fonts registered."""
    import matplotlib  # noqa: PLC0415 (see the module's docstring)

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdf = Document(title, landscape=landscape)
    pdf.add_font(FONT, "", fonts / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", fonts / "DejaVuSans-Bold.ttf")
    pdf.add_font(MONO, "", fonts / "DejaVuSansMono.ttf")
    return pdf


def paragraph(pdf: FPDF, text: str, height: float, *, size: float = 10, bold: bool = False) -> None:
    """Write a paragraph across the page, wrapped at spaces and separators."""
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.multi_cell(0, height, breakable(text), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def breakable(text: str) -> str:
    """Let a long path or name wrap after its separators instead of mid-word.

    Only long words get the (invisible) break points, so plates, codes and short names copy
    out of the PDF as they are.
    """
    return " ".join(
        SEPARATOR.sub(r"\1" + ZERO_WIDTH_SPACE, word) if len(word) > LONG_WORD else word
        for word in text.split(" ")
    )


def column_widths(rows: list[tuple[object, ...]], *, longest: int = 40) -> tuple[int, ...]:
    """Return relative column widths from the longest value of each column (capped)."""
    return tuple(
        min(max(len(str(value)) for value in column), longest) + 4
        for column in zip(*rows, strict=True)
    )
