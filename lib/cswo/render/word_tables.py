"""Tables in a Word paper laid out as in the PDF: widths from their content, rows that split only when long.

pandoc gives each column its share of the table (the Lua filter works the shares out from the
content, as for the PDF) but sizes them for a page 5.5 inches wide; here they are sized for the
text width of the council's own page set-up, so a number never wraps. A row short enough to keep
whole is kept whole; a longer one may split across pages, so no text is clipped. A short table
stays on one page; a longer one may break (its header row repeats) rather than leave most of a
page empty, keeping its header with its first rows and its last rows together.
"""

from __future__ import annotations

from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEADER_FILL = "E8EEF4"
TABLE_TEXT = "TableText"  # the reference document's paragraph style for table cells
TWIPS_PER_EMU = 1 / 635
CHAR_TWIPS = 100  # an average character of 10pt table text, on the generous side
ROW_LINES_KEPT_WHOLE = 12  # a row of up to this many lines never splits across pages
TABLE_LINES_KEPT_WHOLE = 12  # a table of up to this many lines stays on one page (as in the PDF)
KEPT_ROWS = 2  # a table that breaks keeps its header with this many rows, and its last rows together


def text_width(document) -> int:
    """The width between the margins of the document's page set-up, in twips."""
    section = document.sections[-1]
    return int((section.page_width - section.left_margin - section.right_margin) * TWIPS_PER_EMU)


def lay_out_tables(document) -> None:
    """Column widths for the page, rows kept whole only when short, small tables kept on one page.

    Cell text takes the reference document's "Table Text" style where it has one (10pt, as in the
    PDF); pandoc gives cells the "Compact" style, which tight lists share.
    """
    width = text_width(document)
    table_text = document.styles.element.find(f"{W}style[@{W}styleId='{TABLE_TEXT}']") is not None
    for table in document.element.body.iter(f"{W}tbl"):
        if table_text:
            for style in table.iter(f"{W}pStyle"):
                if style.get(f"{W}val") == "Compact":
                    style.set(f"{W}val", TABLE_TEXT)
        columns = size_columns(table, width)
        rows = table.findall(f"{W}tr")
        heights = [_row_lines(row, columns) for row in rows]
        for row, lines in zip(rows, heights, strict=True):
            _keep_whole(row, lines <= ROW_LINES_KEPT_WHOLE)
            _style_header(row)
        if sum(heights) <= TABLE_LINES_KEPT_WHOLE:
            kept = rows[:-1]
        else:
            header = [row for row in rows if _is_header(row)]
            body = [row for row in rows if not _is_header(row)]
            kept = header + body[: KEPT_ROWS - 1] + body[-KEPT_ROWS:-1]
        for row in kept:
            if heights[rows.index(row)] <= ROW_LINES_KEPT_WHOLE:  # a long row is free to start anywhere
                _keep_with_next(row)


def size_columns(table, width: int) -> list[int]:
    """Scale the table's column grid to its share of ``width`` (twips); returns the new widths."""
    grid = table.findall(f"{W}tblGrid/{W}gridCol")
    shares = [int(col.get(f"{W}w", "0")) for col in grid]
    if not shares or not sum(shares):
        return shares
    tblw = table.find(f"{W}tblPr/{W}tblW")
    fraction = 1.0
    if tblw is not None and tblw.get(f"{W}type") == "pct":
        fraction = min(1.0, int(tblw.get(f"{W}w", "5000")) / 5000)
    total = int(width * fraction)
    columns = [total * share // sum(shares) for share in shares]
    for col, twips in zip(grid, columns, strict=True):
        col.set(f"{W}w", str(twips))
    if tblw is not None:
        tblw.set(f"{W}type", "dxa")
        tblw.set(f"{W}w", str(sum(columns)))
    for row in table.findall(f"{W}tr"):
        for cell, twips in zip(row.findall(f"{W}tc"), columns, strict=False):
            tcpr = _child(cell, "tcPr", first=True)
            tcw = tcpr.find(f"{W}tcW")
            if tcw is None:
                tcw = OxmlElement("w:tcW")
                tcpr.insert(0, tcw)
            tcw.set(f"{W}w", str(twips))
            tcw.set(f"{W}type", "dxa")
    return columns


def _row_lines(row, columns: list[int]) -> int:
    """How many lines the row's tallest cell takes, estimated from its text and column width."""
    tallest = 1
    for cell, twips in zip(row.findall(f"{W}tc"), columns, strict=False):
        per_line = max(1, (twips - 216) // CHAR_TWIPS)  # less the cell's side margins
        lines = 0
        for paragraph in cell.findall(f"{W}p"):
            text = "".join(t.text or "" for t in paragraph.iter(f"{W}t"))
            lines += max(1, -(-len(text) // per_line))
        tallest = max(tallest, lines)
    return tallest


def _child(parent, name: str, first: bool = False):
    element = parent.find(f"{W}{name}")
    if element is None:
        element = OxmlElement(f"w:{name}")
        if first:
            parent.insert(0, element)
        else:
            parent.append(element)
    return element


def _trpr(row):
    trpr = row.find(f"{W}trPr")
    if trpr is None:
        trpr = OxmlElement("w:trPr")
        tblpr_ex = row.find(f"{W}tblPrEx")
        if tblpr_ex is not None:
            tblpr_ex.addnext(trpr)
        else:
            row.insert(0, trpr)
    return trpr


def _is_header(row) -> bool:
    return row.find(f"{W}trPr/{W}tblHeader") is not None


def _keep_whole(row, whole: bool) -> None:
    trpr = _trpr(row)
    present = trpr.find(f"{W}cantSplit")
    if whole and present is None:
        trpr.insert(0, OxmlElement("w:cantSplit"))
    elif not whole and present is not None:
        trpr.remove(present)


def _keep_with_next(row) -> None:
    for paragraph in row.iter(f"{W}p"):
        keep_paragraph_with_next(paragraph)


def keep_paragraph_with_next(paragraph) -> None:
    """Word's "keep with next" on one paragraph."""
    ppr = paragraph.find(f"{W}pPr")
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        paragraph.insert(0, ppr)
    if ppr.find(f"{W}keepNext") is None:
        ppr.insert(1 if ppr.find(f"{W}pStyle") is not None else 0, OxmlElement("w:keepNext"))


def _style_header(row) -> None:
    """The header row stands out: shaded and bold."""
    if not _is_header(row):
        return
    for cell in row.findall(f"{W}tc"):
        tcpr = _child(cell, "tcPr", first=True)
        if tcpr.find(f"{W}shd") is None:
            shading = parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/>')
            _insert_in_order(tcpr, shading, _AFTER_SHD)
        for run in cell.iter(f"{W}r"):
            rpr = run.find(f"{W}rPr")
            if rpr is None:
                rpr = OxmlElement("w:rPr")
                run.insert(0, rpr)
            if rpr.find(f"{W}b") is None:
                _insert_in_order(rpr, OxmlElement("w:b"), _AFTER_B)


# what the schema puts after a cell's shading and after a run's bold
_AFTER_SHD = ("noWrap", "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark")
_AFTER_B = tuple(
    "bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid vanish webHidden "
    "color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs em lang".split()
)


def _insert_in_order(parent, element, later: tuple[str, ...]) -> None:
    following = next((child for child in parent if child.tag in {f"{W}{name}" for name in later}), None)
    if following is None:
        parent.append(element)
    else:
        following.addprevious(element)
