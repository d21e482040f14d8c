"""Find personal identifiers in data files and rendered committee papers.

A published paper must carry no CHI numbers, NHS numbers, National Insurance
numbers, email addresses, phone numbers or full postcodes of people. The
council's own public contact details are allowed only when listed in ``allow``
(the exact strings, e.g. ``{"01382 438302", "DD4 9FF"}``); spacing and case are
ignored when comparing, and a phone number matches in +44 or 0 form.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from stdnum.gb import nhs

from cswo.errors import DataValidationError, Problem, PublishCheckError
from cswo.project.paths import shown_path
from cswo.safeguards.published import document_texts

if TYPE_CHECKING:  # the readers are imported where used: the CLI masks every message without them
    import pandas as pd

CHI, NHS, NINO = "CHI number", "NHS number", "National Insurance number"
EMAIL, PHONE, POSTCODE = "email address", "phone number", "postcode"

_TEN_DIGITS = re.compile(r"(?<![\w.,])(?<!\+44 )(?<!\+44)(\d{3}[ -]?\d{3}[ -]?\d{4}|\d{6}[ -]?\d{4})(?![\w]|[.,]\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_NINO = re.compile(
    r"(?<![A-Za-z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_GLUED_TEN_DIGITS = re.compile(r"(?<!\d)\d{10}(?!\d)")
_GLUED_NINO = re.compile(r"([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])\d{6}[A-D](?![A-Za-z0-9])", re.IGNORECASE)
_NINO_BANNED_PREFIXES = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
_PHONE = re.compile(
    r"(?<![\w+])(?:\+44[ -]?(?:\(0\)[ -]?)?|\(0|0)\d{1,4}\)?[ -]?\d{3,4}[ -]?\d{3,4}"
    r"(?![\w]|[.,]\d)"
)
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])([A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?) ?(\d[ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_ORDINALS = {"st", "nd", "rd", "th"}
_BINARY_MIMES = ("image/", "application/vnd.", "application/pdf")  # encoded bytes or a widget's state
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")

_PERSONAL_COLUMNS = {
    "name", "names", "first_name", "firstname", "forename", "forenames", "given_name",
    "surname", "last_name", "lastname", "family_name", "full_name", "fullname",
    "client_name", "person_name", "child_name", "dob", "d_o_b", "date_of_birth",
    "birth_date", "birthdate", "address", "home_address", "chi", "chi_number", "chi_no",
    "nhs_number", "nhs_no", "ni_number", "nino", "national_insurance_number",
}  # fmt: skip
# Columns that hold organisational wording: two capitalised words there are not people.
_NOT_NAME_COLUMN_WORDS = {
    "source", "note", "notes", "label", "function", "lead", "recommendation", "title",
    "description", "service", "team", "area", "locality", "category", "indicator", "measure",
    "section", "heading", "organisation", "organization", "partnership", "partner", "status",
    "type", "group", "role", "outcome", "action", "theme", "priority", "sector", "agency",
    "body", "committee", "board", "council", "authority", "region", "comment", "comments",
    "narrative", "text", "unit", "programme", "project", "activity", "inspection", "report",
}  # fmt: skip
_NOT_NAME_CELL_WORDS = {
    "Services", "Service", "Care", "Team", "Council", "Justice", "Health", "Social", "Work",
    "Children", "Adult", "Adults", "Community", "Partnership", "Board", "Committee",
    "Scotland", "City", "Total", "Office", "Unit", "Centre", "Support", "Group", "Officer",
    "Manager", "Director", "Protection", "Housing", "Education", "Police", "Public",
    "Mental", "Learning", "Disability", "Older", "People", "Young", "Family", "Families",
    "Carers", "Home", "Residential", "Kinship", "Foster", "Fostering", "Adoption",
    "Criminal", "Improvement", "Quality", "Review", "Plan", "Strategy", "Report", "Not",
    "Known", "Other", "Unknown", "Inspectorate", "Commission", "Government", "Trust",
}  # fmt: skip
_DATE_COLUMN_WORDS = {
    "year", "years", "date", "dates", "period", "month", "quarter", "week", "start", "end",
    "from", "to", "updated", "published", "reported", "due", "deadline", "meeting", "as",
    "review", "created", "modified", "time", "timestamp", "fy", "day",
}  # fmt: skip
_NAME_WORD = r"(?:Mc|Mac|O')?[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_NAME_CELL = re.compile(rf"{_NAME_WORD}(?: {_NAME_WORD}){{1,2}}")
_DATE_FORMATS = (
    "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y",
    "%Y-%m-%d %H:%M:%S",
)  # fmt: skip
_FOUR_DIGITS = re.compile(r"\d{4}")
_MIN_CELLS_FOR_COLUMN_GUESS = 3


@dataclass(frozen=True)
class Finding:
    """One possible personal identifier; ``masked`` never shows it whole."""

    kind: str
    location: str
    masked: str = ""
    detail: str = ""

    def __str__(self) -> str:
        shown = f" ({self.masked})" if self.masked else ""
        extra = f": {self.detail}" if self.detail else ""
        # the location can quote a heading or file name that is itself the identifier
        return f"Possible {self.kind}{shown} in {redact(self.location)}{extra}."


def mask(identifier: str) -> str:
    """Hide all but at most the first two and last two characters."""
    compact = re.sub(r"[\s()-]", "", identifier)
    keep = 2 if len(compact) >= 10 else 1 if len(compact) >= 6 else 0
    hidden = "*" * (len(compact) - 2 * keep)
    return compact[:keep] + hidden + (compact[-keep:] if keep else "")


def _weighted_sum(first_nine: str) -> int:
    return sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))


def _valid_ddmmyy(six: str) -> bool:
    day, month, yy = int(six[:2]), int(six[2:4]), int(six[4:])
    if not 1 <= month <= 12:
        return False
    # The century is not in the number, so 29 February is allowed if either century had it.
    return 1 <= day <= max(monthrange(1900 + yy, month)[1], monthrange(2000 + yy, month)[1])


def ten_digit_kind(digits: str) -> str | None:
    """Say whether ten digits are a CHI number, an NHS number, or neither.

    CHI: the first six digits are a DDMMYY date and the tenth digit matches either
    the modulus 11 check (weights 10..2 on the first nine digits; 11 means 0, 10 is
    never issued) or the modulus 10 check used for numbers issued from 2026
    (same weights; check = (10 - sum mod 10) mod 10). The modulus 10 scheme is an
    ASSUMPTION to confirm against the NHS Scotland CHI specification.
    NHS number (England and Wales): the modulus 11 check only.
    """
    if len(digits) != 10 or not digits.isdecimal():
        return None
    digits = "".join(str(int(digit)) for digit in digits)  # any script's digits, as stdnum reads ASCII only
    modulus_11_ok = nhs.is_valid(digits)  # python-stdnum: the NHS number's check, which CHI shares
    modulus_10_ok = (10 - _weighted_sum(digits[:9]) % 10) % 10 == int(digits[9])
    if _valid_ddmmyy(digits[:6]) and (modulus_11_ok or modulus_10_ok):
        return CHI
    return NHS if modulus_11_ok else None


def _national_phone_digits(text: str) -> str | None:
    digits = re.sub(r"\D", "", text)
    if text.lstrip().startswith("+44"):
        digits = digits[2:]
    national = digits[1:] if digits.startswith("0") else digits
    if len(national) in (9, 10) and national[0] in "1235789":
        return national
    return None


def _canonical(kind: str, text: str) -> str:
    if kind == PHONE:
        return _national_phone_digits(text) or text
    return re.sub(r"[\s()-]", "", text).upper()


def _spans(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, text) of every possible identifier in ``text``, in order."""
    spans: list[tuple[int, int, str, str]] = []

    def claim(match: re.Match[str], kind: str) -> None:
        start, end = match.span()
        if not any(s < end and start < e for s, e, _, _ in spans):
            spans.append((start, end, kind, match.group()))

    for match in _EMAIL.finditer(text):
        claim(match, EMAIL)
    for match in _TEN_DIGITS.finditer(text):
        kind = ten_digit_kind(re.sub(r"\D", "", match.group()))
        if kind:
            claim(match, kind)
    for match in _NINO.finditer(text):
        if match.group(1).upper() not in _NINO_BANNED_PREFIXES:
            claim(match, NINO)
    for match in _PHONE.finditer(text):
        if _national_phone_digits(match.group()) and not _TEN_DIGITS.fullmatch(match.group()):
            claim(match, PHONE)
    for match in _POSTCODE.finditer(text):
        inward = match.group(2)
        if not (inward[1:].lower() in _ORDINALS and not inward.isupper()):
            claim(match, POSTCODE)
    return sorted(spans)


def scan_text(text: str, location: str, allow: Iterable[str] = ()) -> list[Finding]:
    """Find possible personal identifiers in one piece of text. Raises nothing.

    Numbers that look like identifiers but fail their check digit are ignored, as
    are phone numbers written in a ten-digit CHI layout (e.g. 0101011235).
    """
    allow = tuple(allow)
    findings = []
    for _, _, kind, raw in _spans(text):
        if _canonical(kind, raw) not in {_canonical(kind, a) for a in allow}:
            findings.append(Finding(kind, location, mask(raw)))
    return findings


def redact(text: str, allow: Iterable[str] = ()) -> str:
    """``text`` with every possible identifier masked: the one step every message passes through.

    Errors and warnings quote what the analyst wrote (a cell, a heading, a file name, a
    parameter); this keeps a CHI, NHS or NI number, email, phone or postcode in them from being
    shown whole on the console or in a log.
    """
    text = str(text)
    allow = tuple(allow)
    for start, end, kind, raw in reversed(_spans(text)):
        if _canonical(kind, raw) not in {_canonical(kind, a) for a in allow}:
            text = text[:start] + mask(raw) + text[end:]
    # A message can glue an identifier to a word ('complaints_1503851230', 'fileAB123456C.csv'),
    # which the document scan rightly ignores; on the console it is masked all the same.
    text = _GLUED_TEN_DIGITS.sub(lambda m: mask(m.group()) if ten_digit_kind(m.group()) else m.group(), text)
    return _GLUED_NINO.sub(
        lambda m: m.group() if m.group(1).upper() in _NINO_BANNED_PREFIXES else mask(m.group()), text
    )


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _column_words(name: str) -> set[str]:
    return set(re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_").split("_"))


def _looks_like_name(cell: str) -> bool:
    return bool(_NAME_CELL.fullmatch(cell)) and not set(cell.split()) & _NOT_NAME_CELL_WORDS


def _looks_like_birth_date(cell: str, today: date) -> bool:
    if not cell[:1].isdigit() or not _FOUR_DIGITS.search(cell):
        return False  # every format starts with a day or year and has a four-digit year (strptime is slow)
    for fmt in _DATE_FORMATS:
        try:
            when = datetime.strptime(cell, fmt).date()
        except ValueError:
            continue
        return today.year - 110 <= when.year and when <= today
    return False


def _column_content_finding(name: str, cells: list[str], where: str) -> Finding | None:
    filled = [cell for cell in cells if cell]
    if len(filled) < _MIN_CELLS_FOR_COLUMN_GUESS:
        return None
    words = _column_words(name)
    if not words & _NOT_NAME_COLUMN_WORDS:
        names = sum(_looks_like_name(cell) for cell in filled)
        if names * 2 > len(filled):
            detail = f"{names} of {len(filled)} filled cells look like people's names"
            return Finding("column of people's names", where, detail=detail)
    if not words & _DATE_COLUMN_WORDS:
        today = date.today()
        dates = sum(_looks_like_birth_date(cell, today) for cell in filled)
        if dates * 2 > len(filled):
            detail = f"{dates} of {len(filled)} filled cells are dates that could be birth dates"
            return Finding("column of dates of birth", where, detail=detail)
    return None


def scan_frame(frame: pd.DataFrame, label: str, allow: Iterable[str] = ()) -> list[Finding]:
    """Scan every heading and cell of a table, plus whole columns that look personal.

    Rows are numbered as the analyst sees them in a spreadsheet: the header is
    row 1, so the first data row is row 2 (position + 2). A column is flagged if
    its name is a personal-data field (e.g. 'surname', 'dob', 'chi'), or if, in at
    least three filled cells, more than half look like people's names or dates of
    birth. Raises nothing.
    """
    allow = set(allow)
    findings: list[Finding] = []
    for index, column in enumerate(frame.columns):
        name = str(column)
        where = f"{label}, column '{name}'"
        findings += scan_text(name, f"{label}, heading of column '{name}'", allow)
        cells = [_cell_text(value) for value in frame.iloc[:, index]]
        for position, cell in enumerate(cells):
            if cell:
                findings += scan_text(cell, f"{label}, row {position + 2}, column '{name}'", allow)
        if re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") in _PERSONAL_COLUMNS:
            detail = "its name suggests it holds personal details about individuals"
            findings.append(Finding("personal data column", where, detail=detail))
        elif content := _column_content_finding(name, cells, where):
            findings.append(content)
    return findings


def scan_files(paths: list[Path], root: Path, allow: Iterable[str] = ()) -> list[Finding]:
    """Scan .csv files and every sheet of .xlsx files for personal identifiers.

    Raises DataValidationError listing every file that is not .csv/.xlsx or cannot
    be read (an empty CSV is simply skipped).
    """
    import pandas as pd

    allow = set(allow)
    findings: list[Finding] = []
    problems: list[Problem] = []
    for path in map(Path, paths):
        label = shown_path(path, root)
        suffix = path.suffix.lower()
        try:
            if suffix == ".csv":
                sheets = {"": pd.read_csv(path, dtype=str, keep_default_na=False)}
            elif suffix in (".xlsx", ".xlsm"):
                sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
            else:
                rule = "is not a .csv or .xlsx file, so it cannot be checked for identifiers"
                problems.append(Problem(label, None, None, None, rule))
                continue
        except pd.errors.EmptyDataError:
            continue
        except Exception as error:  # any reader failure becomes a located problem
            rule = f"could not be read to check it for personal identifiers ({error})"
            problems.append(Problem(label, None, None, None, rule))
            continue
        for sheet, frame in sheets.items():
            where = f"{label}, sheet '{sheet}'" if suffix != ".csv" else label
            findings += scan_frame(frame, where, allow)
    if problems:
        raise DataValidationError(problems)
    return findings


def scan_notebook(path: Path, root: Path | None = None, allow: Iterable[str] = (), notebook=None) -> list[Finding]:
    """Scan a notebook's code, markdown and any saved outputs, cell by cell, before it runs.

    A comment or a hidden cell's output is not in the papers, but the notebook is shared with
    reviewers and its text can reach the page: nothing identifying may be in it at all. Pass
    ``notebook`` when it is already read (a ``.md`` twin, read with jupytext).
    """
    import nbformat

    label = shown_path(Path(path), root)
    notebook = notebook if notebook is not None else nbformat.read(path, as_version=4)
    findings: list[Finding] = []
    for number, cell in enumerate(notebook.cells, start=1):
        where = f"{label}, cell {number}"
        findings += scan_text(cell.get("source", ""), f"{where} ({cell.cell_type})", allow)
        for output in cell.get("outputs", []):
            for text in _output_texts(output):
                findings += scan_text(text, f"{where} (output)", allow)
    return findings


def _output_texts(output: dict) -> list[str]:
    """An output's text as a person reads it. Images (a chart the lab saved) are not text: their
    encoded bytes are skipped, as is an image embedded in HTML as a data: address."""
    texts = [output.get("text", ""), " ".join(output.get("traceback", []))]
    for mime, value in output.get("data", {}).items():
        if mime.startswith(_BINARY_MIMES):
            continue
        text = "".join(value) if isinstance(value, list) else str(value)
        texts.append(_DATA_URI.sub("", text) if mime == "text/html" else text)
    return ["".join(text) if isinstance(text, list) else text for text in texts]


def scan_document(path: Path, root: Path | None = None, allow: Iterable[str] = ()) -> list[Finding]:
    """Scan everything a reader can reach in a rendered .docx (every XML part: body, footnotes,
    endnotes, comments, headers, footers, tracked deletions, field instructions, properties, alt text,
    link targets) or .pdf (pages, metadata, annotations, bookmarks, embedded files): see
    :mod:`cswo.safeguards.published`.

    Raises PublishCheckError if the document is another type or cannot be opened.
    """
    path = Path(path)
    label, allow = shown_path(path, root), set(allow)
    if path.suffix.lower() not in (".docx", ".pdf"):
        raise PublishCheckError([f"{label} is not a .docx or .pdf, so it was not scanned."])
    try:
        texts = document_texts(path, label)
    except Exception as error:  # an unreadable paper must stop publishing
        raise PublishCheckError(
            [f"{label} could not be opened to check it for personal identifiers ({error})."]
        ) from error
    return [finding for text, where in texts for finding in scan_text(text, where, allow)]
