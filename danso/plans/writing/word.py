"""A plan as a Word document laid out as Nghị định 30/2020/NĐ-CP, Phụ lục I, asks.

A4 portrait, margins 20 mm top and bottom, 30 mm left, 15 mm right; Times New Roman 14 pt
body, justified, 1,27 cm first-line indent, 6 pt after each paragraph.  The page number
is centred in the top margin from the second page on.  The header, the signature block
and every appendix are real tables (borderless for the first two), so that the reader
in ``danso.plans.reading`` finds them by structure, not by guessing at tabs.  Each
appendix, and the activity schedule, is a landscape section of its own whose pages are
numbered on their own, as the decree asks for appendices.
"""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section as WordSection
from docx.shared import Length, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from danso.plans.document import PlanDocument
from danso.plans.writing.tables import (
    SCHEDULE_HEADERS,
    SCHEDULE_LABEL,
    SCHEDULE_TITLE,
    Layout,
    appendix_label,
    appendix_layout,
    cell_text,
    schedule_rows,
)
from danso.plans.writing.wording import (
    Block,
    Style,
    attached_line,
    date_line,
    issuer_lines,
    number_line,
    outline,
    recipient_lines,
    signer_lines,
    title_lines,
)

FONT = "Times New Roman"
BODY_SIZE = 14
FIRST_LINE = Mm(12.7)
PORTRAIT_MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
LANDSCAPE_MARGINS = {"top": Mm(20), "bottom": Mm(15), "left": Mm(20), "right": Mm(15)}
# The header table spans the text width: the issuing body left, the national motto right.
HEADER_WIDTHS = (Mm(62), Mm(103))
SIGNATURE_WIDTHS = (Mm(80), Mm(85))

_ALIGN = WD_ALIGN_PARAGRAPH


Container = WordDocument | _Cell  # both add paragraphs


def plan_docx(doc: PlanDocument) -> bytes:
    """The plan as a .docx file: header, title, căn cứ and parts, signature block, then
    one landscape section per appendix and one for the activity schedule."""
    word = Document()
    _set_fonts(word)
    first = word.sections[0]
    _page(first, landscape=False)
    _page_numbers(first)
    _header_block(word, doc)
    _title(word, doc)
    blocks = outline(doc)
    for index, block in enumerate(blocks):
        # The last paragraph stays on the page of the signature block.
        _block(word, block, keep=index == len(blocks) - 1)
    _signature(word, doc)
    for index, appendix in enumerate(doc.appendices):
        _landscape_section(word)
        _appendix_heading(word, appendix_label(appendix, index), [appendix.title], doc)
        _allocation_table(word, appendix_layout(appendix))
    if doc.activities:
        _landscape_section(word)
        _appendix_heading(word, SCHEDULE_LABEL, [SCHEDULE_TITLE, *title_lines(doc)], doc)
        _schedule_table(word, doc)
    buffer = BytesIO()
    word.save(buffer)
    return buffer.getvalue()


# --- page and fonts -------------------------------------------------------------------


def _set_fonts(word: WordDocument) -> None:
    """Times New Roman everywhere: in the document defaults (which the stock template
    sets to theme fonts, which would win over a style's font in Word) and in Normal."""
    styles = word.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        for fonts in defaults.iter(qn("w:rFonts")):
            for name in list(fonts.attrib):
                del fonts.attrib[name]
            for script in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
                fonts.set(qn(script), FONT)
    normal = word.styles["Normal"]
    font = normal.font
    font.name = FONT
    font.size = Pt(BODY_SIZE)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for script in ("w:cs", "w:eastAsia"):
        fonts.set(qn(script), FONT)
    layout = normal.paragraph_format
    layout.space_before = Pt(0)
    layout.space_after = Pt(6)
    layout.line_spacing = 1.15
    word.core_properties.language = "vi-VN"


def _page(section: WordSection, *, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.page_width, section.page_height = width, height
    margins = LANDSCAPE_MARGINS if landscape else PORTRAIT_MARGINS
    section.top_margin = margins["top"]
    section.bottom_margin = margins["bottom"]
    section.left_margin = margins["left"]
    section.right_margin = margins["right"]
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)


def _page_numbers(section: WordSection, *, restart: bool = False) -> None:
    """The page number centred in the top margin, not on a section's first page."""
    section.different_first_page_header_footer = True
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    paragraph.alignment = _ALIGN.CENTER
    for kind, text in (("begin", ""), ("", "PAGE"), ("end", "")):
        run = paragraph.add_run()
        run.font.size = Pt(13)
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = f" {text} "
            run._r.append(instruction)
    section.first_page_header.is_linked_to_previous = False
    if restart:
        numbering = OxmlElement("w:pgNumType")
        numbering.set(qn("w:start"), "1")
        section._sectPr.append(numbering)


def _landscape_section(word: WordDocument) -> None:
    section = word.add_section(WD_SECTION.NEW_PAGE)
    for old in section._sectPr.findall(qn("w:pgNumType")):
        section._sectPr.remove(old)
    _page(section, landscape=True)
    _page_numbers(section, restart=True)


# --- paragraphs -----------------------------------------------------------------------


def _format(
    paragraph: Paragraph,
    *,
    align: int | None = None,
    first_line: Length | None = None,
    before: float = 0,
    after: float = 6,
    line: float | None = 1.15,
) -> Paragraph:
    layout = paragraph.paragraph_format
    if align is not None:
        layout.alignment = align
    layout.first_line_indent = first_line
    layout.space_before = Pt(before)
    layout.space_after = Pt(after)
    layout.line_spacing = line
    return paragraph


def _run(
    paragraph: Paragraph,
    text: str,
    *,
    size: float = BODY_SIZE,
    bold: bool = False,
    italic: bool = False,
) -> None:
    run = paragraph.add_run(text)  # python-docx turns "\n" into a line break
    run.font.size = Pt(size)
    run.font.bold = bold or None
    run.font.italic = italic or None


def _line(
    container: Container,
    text: str,
    *,
    size: float = BODY_SIZE,
    bold: bool = False,
    italic: bool = False,
    align: int = _ALIGN.CENTER,
    before: float = 0,
    after: float = 0,
    line: float | None = 1.0,
) -> Paragraph:
    paragraph = container.add_paragraph()
    _format(paragraph, align=align, before=before, after=after, line=line)
    _run(paragraph, text, size=size, bold=bold, italic=italic)
    return paragraph


def _rule(container: Container, width: Length, room: Length) -> None:
    """A centred horizontal line ``width`` long, in a column ``room`` wide: the bottom
    border of an empty paragraph narrowed by its indents (a real table-free line that
    every word processor draws the same way)."""
    paragraph = container.add_paragraph()
    _format(paragraph, after=0, line=None)
    side = Length(max(0, (room - width) // 2))
    paragraph.paragraph_format.left_indent = side
    paragraph.paragraph_format.right_indent = side
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1")):
        bottom.set(qn(name), value)
    bottom.set(qn("w:color"), "000000")
    borders.append(bottom)
    properties.append(borders)
    spacing = properties.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        properties.append(spacing)
    spacing.set(qn("w:line"), "40")  # 2 pt: the line sits right under the text above
    spacing.set(qn("w:lineRule"), "exact")
    mark = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "4")
    mark.append(size)
    properties.append(mark)


def _block(word: WordDocument, block: Block, *, keep: bool = False) -> None:
    paragraph = word.add_paragraph()
    if block.style == Style.TEXT:
        _format(paragraph, align=_ALIGN.JUSTIFY, first_line=FIRST_LINE)
        paragraph.paragraph_format.keep_with_next = keep or None
        _run(paragraph, block.text)
        return
    _format(paragraph, align=_ALIGN.JUSTIFY, first_line=FIRST_LINE, before=3)
    paragraph.paragraph_format.keep_with_next = True
    italic = block.style in (Style.SUBHEADING, Style.MINOR)
    _run(paragraph, block.text, bold=block.style != Style.MINOR, italic=italic)


# --- tables ---------------------------------------------------------------------------


def _table(word: WordDocument, rows: int, widths: list[Length], *, borders: bool) -> Table:
    table: Table = word.add_table(rows=rows, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    properties = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    properties.append(layout)
    edges = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single" if borders else "nil")
        if borders:
            line.set(qn("w:sz"), "4")
            line.set(qn("w:space"), "0")
            line.set(qn("w:color"), "000000")
        edges.append(line)
    properties.append(edges)
    for index, width in enumerate(widths):
        table.columns[index].width = width
        for cell in table.columns[index].cells:
            cell.width = width
    return table


def _clear(cell: _Cell) -> None:
    """Drop the empty paragraph a new cell starts with, so that add_paragraph is first."""
    for paragraph in cell.paragraphs:
        paragraph._p.getparent().remove(paragraph._p)


def _header_block(word: WordDocument, doc: PlanDocument) -> None:
    """Issuing body and number left; national name, motto, place and date right."""
    table = _table(word, 2, list(HEADER_WIDTHS), borders=False)
    left, right = table.rows[0].cells
    for cell in (left, right, *table.rows[1].cells):
        _clear(cell)
    for line in issuer_lines(doc.issuer):
        _line(left, line.text, size=13, bold=line.bold)
    _rule(left, Mm(22), HEADER_WIDTHS[0])
    _line(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12.5, bold=True)
    _line(right, "Độc lập - Tự do - Hạnh phúc", size=13.5, bold=True)
    _rule(right, Mm(61), HEADER_WIDTHS[1])
    number, when = table.rows[1].cells
    _line(number, number_line(doc), size=13, before=6)
    _line(when, date_line(doc), size=14, italic=True, before=6)


def _title(word: WordDocument, doc: PlanDocument) -> None:
    _line(word, "KẾ HOẠCH", bold=True, before=18, after=0)
    lines = title_lines(doc)
    if lines:
        _line(word, "\n".join(lines), bold=True, after=0)
    _rule(word, Mm(40), Mm(165))
    word.add_paragraph().paragraph_format.space_after = Pt(6)


def _signature(word: WordDocument, doc: PlanDocument) -> None:
    table = _table(word, 1, list(SIGNATURE_WIDTHS), borders=False)
    left, right = table.rows[0].cells
    _clear(left)
    _clear(right)
    _line(left, "Nơi nhận:", size=12, bold=True, italic=True, align=_ALIGN.LEFT, before=6)
    for recipient in recipient_lines(doc.recipients):
        _line(left, recipient, size=11, align=_ALIGN.LEFT)
    titles = signer_lines(doc)
    for index, title in enumerate(titles):
        _line(right, title, size=14, bold=True, before=6 if index == 0 else 0)
    if not titles:
        _line(right, "", before=6)
    for _ in range(4):  # room for the signature and the seal
        _line(right, "")
    _line(right, " ".join(doc.signer_name.split()), size=14, bold=True)
    keep = table.rows[0]._tr.get_or_add_trPr()
    keep.append(OxmlElement("w:cantSplit"))


def _appendix_heading(word: WordDocument, label: str, titles: list[str], doc: PlanDocument) -> None:
    _line(word, label, bold=True, after=0)
    for title in titles:
        if title.strip():
            _line(word, title.strip(), bold=True, after=0)
    _line(word, attached_line(doc), italic=True, after=0)
    _rule(word, Mm(50), Mm(262))
    word.add_paragraph().paragraph_format.space_after = Pt(0)


def _table_font(columns: int) -> float:
    if columns <= 7:
        return 13
    if columns <= 10:
        return 12
    if columns <= 14:
        return 11
    return 10


def _write(
    cell: _Cell, text: str, *, size: float, bold: bool = False, align: int = _ALIGN.CENTER
) -> None:
    paragraph = cell.paragraphs[0]
    _format(paragraph, align=align, before=2, after=2, line=1.0)
    _run(paragraph, text, size=size, bold=bold)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _repeat_and_keep(table: Table, header_rows: int) -> None:
    for index, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if index < header_rows:
            properties.append(OxmlElement("w:tblHeader"))


def _text_width(text: str, size: float, *, longest_word: bool = False) -> int:
    """About how wide ``text`` prints in Times New Roman (half an em a character, bold)."""
    words = text.split() if longest_word else [text]
    chars = max((len(w) for w in words), default=0)
    return int(Pt(chars * size * 0.55))


def _allocation_widths(layout: Layout, size: float, margin: Length) -> list[Length]:
    """Column widths that fit the landscape page: every number on one line, header words
    unbroken where there is room, the value columns all alike."""
    room = int(Mm(262))
    padding = 2 * int(margin)
    texts = [[row.number for row in layout.rows], [row.unit_name for row in layout.rows]]
    texts += [
        [cell_text(row.values[i], fmt) for row in layout.rows]
        for i, fmt in enumerate(layout.formats)
    ]
    leaves = {spot.col: spot.text for spot in layout.header_cells if spot.colspan == 1}
    needed: list[int] = []
    for col, column in enumerate(texts):
        widest = max((_text_width(t, size) for t in column), default=0)
        word = _text_width(leaves.get(col, ""), size, longest_word=True)
        needed.append(max(widest, word, int(Mm(8))) + padding)
    least = Mm(35) if len(needed) <= 10 else Mm(25)
    needed[1] = min(max(needed[1], int(least)), int(Mm(45)))
    values = len(needed) - 2
    if values:  # value columns alike, as wide as the widest needs, sharing what is spare
        each = max(max(needed[2:]), (room - needed[0] - needed[1]) // values)
        needed = [*needed[:2], *([each] * values)]
    if sum(needed) > room:
        needed = [w * room // sum(needed) for w in needed]
    return [Length(w) for w in needed]


def _cell_margins(table: Table, side: Length) -> None:
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), str(int(side) // 635))  # EMU to twentieths of a point
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.append(margins)


def _allocation_table(word: WordDocument, layout: Layout) -> None:
    columns = len(layout.headers)
    size = _table_font(columns)
    margin = Mm(0.8) if columns > 10 else Mm(1.9)
    widths = _allocation_widths(layout, size, margin)
    table = _table(word, layout.depth + len(layout.rows), widths, borders=True)
    _cell_margins(table, margin)
    for spot in layout.header_cells:
        cell = table.cell(spot.row, spot.col)
        if spot.rowspan > 1 or spot.colspan > 1:
            cell = cell.merge(table.cell(spot.row + spot.rowspan - 1, spot.col + spot.colspan - 1))
        _write(cell, spot.text, size=size, bold=True)
    for offset, row in enumerate(layout.rows):
        cells = table.rows[layout.depth + offset].cells
        _write(cells[0], row.number, size=size, bold=row.is_total)
        _write(cells[1], row.unit_name, size=size, bold=row.is_total, align=_ALIGN.LEFT)
        for cell, value, fmt in zip(cells[2:], row.values, layout.formats, strict=True):
            _write(cell, cell_text(value, fmt), size=size, bold=row.is_total, align=_ALIGN.RIGHT)
    _repeat_and_keep(table, layout.depth)


def _schedule_table(word: WordDocument, doc: PlanDocument) -> None:
    rows = schedule_rows(doc.activities)
    widths = [Mm(12), Mm(100), Mm(40), Mm(55), Mm(55)]
    table = _table(word, 1 + len(rows), list(widths), borders=True)
    size = 12
    for cell, text in zip(table.rows[0].cells, SCHEDULE_HEADERS, strict=True):
        _write(cell, text, size=size, bold=True)
    for offset, row in enumerate(rows, start=1):
        cells = table.rows[offset].cells
        _write(cells[0], row.cells[0], size=size, bold=row.is_group)
        for cell, text in zip(cells[1:], row.cells[1:], strict=True):
            _write(cell, text, size=size, bold=row.is_group, align=_ALIGN.LEFT)
    _repeat_and_keep(table, 1)
