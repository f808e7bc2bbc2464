"""Reading an export's rows ahead in a thread (``exports.prefetch``, used on PostgreSQL):
every row in order, an error raised where the reader is, and nothing left running when the
reader stops early."""

import threading

import pytest
from sqlalchemy import text

from tracker.exports.prefetch import read_ahead
from tracker.extensions import db

NUMBERS = text("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 50) "
               "SELECT x FROM n ORDER BY x")


def readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "export-read-ahead"]


def test_every_row_comes_in_order_across_many_batches(app_ctx):
    with db.engine.connect() as connection:
        result = connection.execute(NUMBERS.execution_options(yield_per=7))
        assert [row.x for row in read_ahead(result, batch=7)] == list(range(1, 51))
    assert readers() == []


def test_a_reader_that_stops_early_leaves_no_thread_and_the_connection_usable(app_ctx):
    with db.engine.connect() as connection:
        result = connection.execute(NUMBERS.execution_options(yield_per=3))
        rows = read_ahead(result, batch=3)
        assert [next(rows).x for _ in range(4)] == [1, 2, 3, 4]
        rows.close()  # a client gone mid-download
        assert readers() == []
        result.close()
        assert connection.scalar(text("SELECT 41 + 1")) == 42


class _FailingResult:
    """A result whose third fetch fails, as a dropped connection would."""

    def __init__(self):
        self.fetches = 0

    def fetchmany(self, size):
        self.fetches += 1
        if self.fetches == 3:
            raise ConnectionError("server closed the connection unexpectedly")
        return [(self.fetches, n) for n in range(size)]


def test_an_error_while_fetching_is_raised_to_the_reader_after_the_rows_before_it():
    seen = []
    with pytest.raises(ConnectionError, match="closed the connection"):
        for row in read_ahead(_FailingResult(), batch=2):
            seen.append(row)
    assert seen == [(1, 0), (1, 1), (2, 0), (2, 1)]
    assert readers() == []
