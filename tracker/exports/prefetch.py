"""Rows read ahead while the previous ones are written: a streamed export on PostgreSQL.

A clinic-wide export reads its rows through a server-side cursor, a batch a round trip, and
PostgreSQL works each batch out (the sessions' point rows, techniques, events and
amendments gathered) only when asked for it. Read in turn, the export waited for the
server, then the server for the export: 0.5 s of a quick-scale export's 1.3 s was the app
waiting. Here a thread asks for the next batch while the export writes the one it has
(psycopg waits for the server without holding the GIL), at most ``AHEAD`` batches ahead.
"""

import queue
import threading
from collections.abc import Iterator
from contextlib import suppress

# Rows a fetch, and fetched batches waiting for the reader: at most three batches exist at
# once (the reader's, one waiting, the one being fetched), so memory stays flat however
# long the export (tests/exports/test_csv_memory.py). Quick scale, the clinic-wide CSV on
# PostgreSQL: 1.20-1.27 s without reading ahead; 250 rows a fetch, one waiting, 0.79-0.85 s
# (100 rows, two waiting: 0.9-1.1 s; 500 rows: within the host's noise of 250).
FETCH_ROWS = 250
AHEAD = 1
_DONE = object()


def read_ahead(result, batch: int = FETCH_ROWS) -> Iterator:
    """The rows of ``result`` (a SQLAlchemy result no one else reads) in order, fetched
    ``batch`` at a time by a thread of its own. An error while fetching is raised here, at
    the row it stopped before; closing the iterator early (a client gone) stops the thread
    after the batch it is fetching, before the result is closed."""
    batches: queue.Queue = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()

    def fetch() -> None:
        try:
            while not stop.is_set():
                rows = result.fetchmany(batch)
                if not rows:
                    break
                batches.put(rows)
        except BaseException as error:  # noqa: BLE001 - handed to the reader, raised there
            batches.put(error)
            return
        batches.put(_DONE)

    fetcher = threading.Thread(target=fetch, name="export-read-ahead", daemon=True)
    fetcher.start()
    try:
        while (item := batches.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield from item
    finally:
        stop.set()
        while fetcher.is_alive():  # let a fetcher waiting to hand over a batch see the stop
            with suppress(queue.Empty):
                batches.get(timeout=0.01)
        fetcher.join()
