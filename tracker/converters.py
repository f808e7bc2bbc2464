"""Strict URL parameters. Flask's ``int`` converter matches any Unicode digit ("٣", "²") and
any length, which reaches the database as a value it cannot hold (a 500). Here an id is 1 to
18 ASCII digits (below 2**63, the largest BIGINT), so anything else is simply not a page: 404.
"""

from werkzeug.routing import IntegerConverter


class IdConverter(IntegerConverter):
    """``<int:...>`` in every rule of the app: ASCII digits, no sign, at most 18 of them."""

    regex = r"[0-9]{1,18}"

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, fixed_digits=0, min=0, max=None, signed=False)

    def to_python(self, value: str) -> int:
        return int(value, 10)


def register(app) -> None:
    """Before any blueprint adds a rule: rules pick their converter when they are added."""
    app.url_map.converters["int"] = IdConverter
