"""CSV as the clinic's spreadsheets read it (DOMAIN.md section 7): UTF-8, RFC 4180 quoting
(the csv module's minimal quoting, CRLF line ends), a byte-order mark only for the Excel
variant, and no cell that a spreadsheet would run as a formula. A core module: the
follow-up list and the session exports write through it.

A cell starting with ``= + - @``, a tab or a carriage return gets a leading ``'`` (the OWASP
advice against CSV injection): a patient named ``=HYPERLINK(...)`` stays a name. Writers of
signed numbers should use the Unicode minus (``−3``), which no spreadsheet reads as a formula,
so the guard never has to touch them.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from itertools import chain

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_CHARACTERS = frozenset(FORMULA_STARTS)
BOM = "\ufeff"
CSV_MIMETYPE = "text/csv; charset=utf-8"


def safe_cell(value) -> str:
    """The text of one cell, with ``'`` in front when a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(header: Iterable, rows: Iterable[Iterable], *, bom: bool = False) -> Iterator[str]:
    """The header and every row, one CSV line at a time (so a long export can stream)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        yield BOM
    for row in chain([header], rows):
        # safe_cell, inlined: it runs for every cell of exports of a million rows.
        writer.writerow([
            value if type(value) is str and value[:1] not in _FORMULA_CHARACTERS
            else safe_cell(value) for value in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def csv_text(header: Iterable, rows: Iterable[Iterable], *, bom: bool = False) -> str:
    """The whole file as one string."""
    return "".join(csv_lines(header, rows, bom=bom))
