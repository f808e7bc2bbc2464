"""A page of a list, with what the ``pagination_nav`` macro reads (the same names as
Flask-SQLAlchemy's ``Pagination``, whose instances only a query may make): for lists worked
out in Python before they are shown, such as the follow-up list (``ListPage``), and for a
page read with its total in one statement (``counted_page``)."""

from collections.abc import Callable, Iterator, Sequence
from math import ceil

from sqlalchemy import Row, Select, func, select

from tracker.extensions import db


class ListPage:
    def __init__(self, rows: Sequence, page: int, per_page: int, *, total: int | None = None):
        """Page ``page`` of ``rows``; or, given their ``total``, ``rows`` are that page's."""
        if total is None:
            start = (page - 1) * per_page
            rows, total = rows[start:start + per_page], len(rows)
        self.total, self.per_page, self.page = total, per_page, page
        self.pages = max(1, ceil(total / per_page))
        self.items = list(rows)

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def iter_pages(self, *, left_edge: int = 2, left_current: int = 2, right_current: int = 4,
                   right_edge: int = 2) -> Iterator[int | None]:
        """Page numbers to link, None where a run of them is left out (as Flask-SQLAlchemy)."""
        shown = set(range(1, min(left_edge, self.pages) + 1))
        shown |= set(range(max(1, self.page - left_current),
                           min(self.pages, self.page + right_current) + 1))
        shown |= set(range(max(1, self.pages - right_edge + 1), self.pages + 1))
        previous = 0
        for number in sorted(shown):
            if number > previous + 1:
                yield None
            yield number
            previous = number

    def __iter__(self):
        return iter(self.items)


def counted_page(stmt: Select, page: int, per_page: int, *,
                 item: Callable[[Row], object] | None = None) -> ListPage:
    """A page of the entities ``stmt`` selects (its loader options honoured) and how many
    there are in all, in one statement: each row carries the total (``count(*) OVER ()``),
    so a search reads its matches once, not once for the page and again for its count. A
    page past the end has no row to carry it: then the total is counted on its own.
    ``item`` makes each of the page's items from its row (the selected columns, the total
    last); the row's entity when not given."""
    rows = db.session.execute(
        stmt.add_columns(func.count().over()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    if rows:
        total = rows[0][-1]
    elif page > 1:
        total = db.session.scalar(select(func.count()).select_from(
            stmt.order_by(None).subquery()))
    else:
        total = 0
    make = item or (lambda row: row[0])
    return ListPage([make(row) for row in rows], page, per_page, total=total)


def page_counted_apart(stmt: Select, page: int, per_page: int) -> ListPage:
    """A page of the entities ``stmt`` selects and how many there are in all, counted by a
    statement of its own. For a list an index both orders and counts (the clinic's patients
    by name): its page reads only its rows, and the count only the index, where one
    statement carrying the total (``counted_page``) would read every row in order to count
    it. A page past the end is not read."""
    total = db.session.scalar(
        stmt.with_only_columns(func.count(), maintain_column_froms=True).order_by(None))
    rows = (db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
            if total > (page - 1) * per_page else [])
    return ListPage(rows, page, per_page, total=total)


class KeysetPage:
    """A page of an ever-growing list read newest first by id, without counting it: the
    page's rows, and the ids to ask for the pages on either side (None where there is none).
    Counting the audit log (every page view adds a row: millions a year) took longer than
    reading any page of it, and an offset deep into it reads every row it skips."""

    def __init__(self, items: list, *, newer_than: int | None, older_than: int | None,
                 newest: bool):
        self.items, self.newer_than, self.older_than = items, newer_than, older_than
        self.newest = newest  # the list's first page (asked for no other)

    def __iter__(self):
        return iter(self.items)


def keyset_page(stmt: Select, id_column, *, before: int | None = None,
                after: int | None = None, per_page: int) -> KeysetPage:
    """The page of ``stmt``'s entities (newest, that is highest ``id_column``, first) with ids
    below ``before``, or else the one just above ``after``, or else the newest. One
    statement; one row more than a page is read to know whether there is another."""
    if after is not None and before is None:
        rows = list(db.session.scalars(
            stmt.where(id_column > after).order_by(id_column.asc()).limit(per_page + 1)))
        more_newer, rows = len(rows) > per_page, rows[:per_page][::-1]
        more_older = True
    else:
        if before is not None:
            stmt = stmt.where(id_column < before)
        rows = list(db.session.scalars(stmt.order_by(id_column.desc()).limit(per_page + 1)))
        more_older, rows = len(rows) > per_page, rows[:per_page]
        more_newer = before is not None
    key = id_column.key
    return KeysetPage(rows,
                      newer_than=getattr(rows[0], key) if rows and more_newer else None,
                      older_than=getattr(rows[-1], key) if rows and more_older else None,
                      newest=before is None and after is None)
