"""The outcome review's filters, read from the query string."""

from datetime import date, timedelta

from werkzeug.datastructures import MultiDict
from wtforms.validators import ValidationError

from tracker.fields import ClinicalDateField, SelectField
from tracker.forms import AppForm
from tracker.i18n import _, _l

STATUSES = (("all", _l("All")), ("open", _l("Open")), ("closed", _l("Closed")))


class ReviewForm(AppForm):
    """Which episodes the review counts: opened (intake date) from .. to, and their status.
    The query string says ``from``, ``to`` and ``status``; ``from`` is a Python keyword, so
    the attributes are named for what they filter."""

    class Meta:
        csrf = False  # a GET form: it changes nothing

    # No "required" validator: ``review_filters`` fills an empty filter with its default, and
    # DataRequired would replace the message of a date that cannot be read with its own.
    opened_from = ClinicalDateField(_l("Intake from"), name="from")
    opened_to = ClinicalDateField(_l("Intake to"), name="to")
    status = SelectField(_l("Episode status"), choices=STATUSES)

    def validate_opened_to(self, field):
        if self.opened_from.data and field.data and field.data < self.opened_from.data:
            raise ValidationError(_("The end is before the start."))


def review_filters(args: MultiDict, today: date) -> MultiDict:
    """The query string with each filter left out or left empty at its default (intake in
    the twelve months up to ``today``, every status), so the page always shows the period
    it counts."""
    defaults = {"from": _year_before(today).isoformat(), "to": today.isoformat(),
                "status": "all"}
    values = MultiDict(args)
    for name, default in defaults.items():
        if not values.get(name):
            values.setlist(name, [default])
    return values


def _year_before(day: date) -> date:
    """The day after the same date a year earlier: twelve months, ``day`` included."""
    try:
        return day.replace(year=day.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February: a year earlier has no such day
        return day.replace(year=day.year - 1, day=28) + timedelta(days=1)
