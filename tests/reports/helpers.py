"""What the adverse-event report tests expect, worked out from the known data set
(``tests.factories.build_report_data``) and the published figures, and a reader of the
report's table."""

import re

from tests.factories import REPORT_SESSIONS
from tests.pages import plain

# Bäumler et al., BMJ Open 2021: at least one adverse event in 7.57% of treatments; serious
# adverse events 7.98 per million treatments. The report compares per 1,000 treatments.
PUBLISHED_ANY_PER_1000 = 7.57 / 100 * 1000
PUBLISHED_SERIOUS_PER_1000 = 7.98 / 1_000_000 * 1000


def per_1000(count: int, sessions: int = REPORT_SESSIONS) -> float:
    """``count`` events per 1,000 signed sessions (of the known data set by default)."""
    return count * 1000 / sessions


def report_rows(page: str) -> dict[str, list[str]]:
    """The report table: row label -> [count, per 1,000, reference per 1,000]."""
    rows = {}
    for row in re.findall(r'<tr[^>]*>(\s*<th scope="row".*?)</tr>', page, re.S):
        cells = [plain(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows[cells[0]] = cells[1:]
    return rows
