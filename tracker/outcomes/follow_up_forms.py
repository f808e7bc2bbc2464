"""The follow-up list's query string (GET, so no CSRF), read strictly: "٣", "1e3", "+3",
twenty digits and 0 are refused with a message next to the field, never a 500."""

from wtforms import Field, IntegerField
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from tracker.fields import parse_id
from tracker.forms import AppForm
from tracker.i18n import _, _l
from tracker.outcomes.follow_ups import DEFAULT_DAYS, MAX_DAYS, MIN_DAYS


def days_message() -> str:
    return _("Enter a whole number of days from %(low)d to %(high)d.", low=MIN_DAYS,
             high=MAX_DAYS)


class DaysField(IntegerField):
    """A number of days in ASCII digits (``fields.parse_id``); Python's ``int()`` would take
    "٣", "1_0" and " +3 ", which nobody types on purpose. A text box (with a numeric
    keyboard on tablets), so that what was typed comes back to be corrected: a number box
    shows nothing for "abc"."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        if not valuelist:
            return  # not asked: the default
        self.data = parse_id(valuelist[0].strip(" "))
        if self.data is None:
            raise ValueError(days_message())

    def pre_validate(self, form):
        if self.data is not None and not MIN_DAYS <= self.data <= MAX_DAYS:
            raise ValidationError(days_message())


class ExcelField(Field):
    """The export's Excel variant: "1" or "0", or absent (no)."""

    def process_formdata(self, valuelist):
        if not valuelist:
            self.data = False
            return
        if valuelist[0] not in ("0", "1"):
            self.data = False
            raise ValueError(_("Choose 1 (for Excel) or 0."))
        self.data = valuelist[0] == "1"


class FollowUpForm(AppForm):
    class Meta:
        csrf = False

    days = DaysField(_l("No visit for at least (days)"), default=DEFAULT_DAYS,
                     description=_l("From %(low)d to %(high)d days.", low=MIN_DAYS,
                                    high=MAX_DAYS))


class FollowUpExportForm(FollowUpForm):
    excel = ExcelField(_l("For Excel"), default=False)

    def problems(self) -> str:
        """The refusal as one plain line (the CSV answer has no page to show it on)."""
        return " ".join(f"{self[name].label.text}: {error}"
                        for name, errors in self.errors.items() for error in errors)
