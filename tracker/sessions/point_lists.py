"""A session's point rows gathered by the database into one text on the session's row, and
read back in order: for lists of many sessions (a long course's progress page, the clinic's
CSV), where a row of the result a point row, each made into a Python row and a label, cost
more than the database took to read them.

Aggregates promise no order (SQLite 3.40 has no ``ORDER BY`` inside one), so the positions
are gathered beside the labels, in the same pass and so in the same order: "1,2,3", then
``POSITIONS_END``, then the labels, each after a ``LABEL_SEPARATOR`` but the first. When the
positions read 1, 2, 3, ... (every session the tracker writes, read in the order it wrote
them) the labels are taken as they are; otherwise they are sorted by position.
"""

from functools import cache

from sqlalchemy import String, case, cast, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from tracker.points.models import Point
from tracker.sessions.models import PointApplication, TreatmentSession

# ASCII's record and unit separators, which no code, level or side letter holds.
POSITIONS_END, LABEL_SEPARATOR = "\x1e", "\x1f"


def point_name(ashi) -> ColumnElement:
    """A point row's name as the database writes it: "BL23", "BL23 T7" (with its level),
    ``ashi`` (a bound parameter or literal) for a custom row."""
    return case((Point.code.is_(None), ashi),
                (PointApplication.level != "",
                 Point.code.concat(" ").concat(PointApplication.level)),
                else_=Point.code)


def gathered_labels(label: ColumnElement, dialect: str):
    """The session's (``TreatmentSession.id``: correlated) point rows' ``label`` (an
    expression of ``PointApplication`` and ``Point``) gathered into one text, with their
    positions."""
    position = cast(PointApplication.position, String)
    if dialect == "postgresql":
        positions = func.string_agg(position, literal(",", String))
        labels = func.string_agg(label, literal(LABEL_SEPARATOR, String))
    else:
        positions = func.group_concat(position, ",")
        labels = func.group_concat(label, LABEL_SEPARATOR)
    return (select(positions.concat(POSITIONS_END).concat(labels)).select_from(PointApplication)
            .outerjoin(Point, Point.id == PointApplication.point_id)
            .where(PointApplication.session_id == TreatmentSession.id)
            .scalar_subquery())


def joined_labels(gathered: str | None, separator: str) -> str:
    """The labels of ``gathered_labels``' text in their positions' order, joined by
    ``separator`` ("" for a session without point rows)."""
    return separator.join(label_list(gathered))


def label_list(gathered: str | None) -> list[str]:
    """The labels of ``gathered_labels``' text in their positions' order."""
    if not gathered:
        return []
    positions, labels = gathered.split(POSITIONS_END)
    if positions == _in_order(labels.count(LABEL_SEPARATOR) + 1):
        return labels.split(LABEL_SEPARATOR)
    return _sorted_labels(positions, labels)


def _sorted_labels(positions: str, labels: str) -> list[str]:
    pairs = sorted(zip(map(int, positions.split(",")), labels.split(LABEL_SEPARATOR),
                       strict=True))
    return [label for _, label in pairs]


@cache
def _in_order(count: int) -> str:
    return ",".join(map(str, range(1, count + 1)))
