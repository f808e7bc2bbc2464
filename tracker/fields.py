"""WTForms fields, filters and validators shared by several features' forms.

Vocabularies are plain ``(code, label)`` tuples (templates use them for labels too). WTForms
3.3 deprecates tuple choices, so the choice fields here turn whatever they are given, at
construction or when a view sets ``.choices`` later, into ``SelectChoice`` objects.
"""

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

import wtforms
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import Flags
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.dates import clinic_today
from tracker.i18n import _, _l


def as_select_choices(choices):
    if choices is None or callable(choices):
        return choices
    return [c if isinstance(c, SelectChoice) else SelectChoice(c[0], c[1]) for c in choices]


# A form class's choices are the same list every time a form is made (a vocabulary): turned
# into choice objects once per list, not once per field per form (the session form makes
# about 90 fields; its 24-row save spent a twentieth of its time here). Kept with the list
# itself, so its id cannot be reused; bounded, in case a form class is ever made per request.
_CONVERTED: dict[int, tuple[object, list]] = {}
_CONVERTED_LIMIT = 1024


def _declared_choices(choices):
    if not isinstance(choices, list | tuple):
        return as_select_choices(choices)
    kept = _CONVERTED.get(id(choices))
    if kept is not None and kept[0] is choices:
        return kept[1]
    converted = as_select_choices(choices)
    if len(_CONVERTED) < _CONVERTED_LIMIT:
        _CONVERTED[id(choices)] = (choices, converted)
    return converted


class _ChoiceObjects:
    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, choices=_declared_choices(choices), **kwargs)

    @property
    def choices(self):
        return wtforms.SelectField.choices.fget(self)

    @choices.setter
    def choices(self, value):
        wtforms.SelectField.choices.fset(self, as_select_choices(value))


class SelectField(_ChoiceObjects, wtforms.SelectField):
    def pre_validate(self, form):
        """WTForms' check that the value is one of the choices, without building an option
        object (label, attributes) for every choice to find it: a session's save checks
        about a hundred selects."""
        if self.process_errors or not self.validate_choice:
            return
        if self.choices is None:
            raise TypeError(self.gettext("Choices cannot be None."))
        data, coerce = self.data, self.coerce
        if not any(coerce(choice.value) == data
                   for choice in self._choices_from_input(self.choices) or []):
            raise ValidationError(
                self.invalid_choice_message or self.gettext("Not a valid choice."))


class RadioField(_ChoiceObjects, wtforms.RadioField):
    pass


class MultiCheckboxField(_ChoiceObjects, wtforms.SelectMultipleField):
    """A multi-select shown as a list of checkboxes (each with its own label)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_formdata(self, valuelist):
        # A code sent twice (causes=a&causes=a) is one choice, stored once.
        super().process_formdata(list(dict.fromkeys(valuelist)))

    def pre_validate(self, form):
        allowed = {choice.value for choice in self.choices}
        unknown = [value for value in self.data or [] if value not in allowed]
        if unknown:
            raise ValidationError(_("Choose only from the listed options."))


@cache
def _score_choices(low: int, high: int) -> list[tuple[int, str]]:
    return [(n, str(n)) for n in range(low, high + 1)]


class ScoreField(RadioField):
    """An integer score from ``low`` to ``high`` picked from a row of buttons (pain NRS 0-10).

    Whatever is posted, the user gets the same plain message, never a coercion error.
    """

    def __init__(self, label=None, validators=None, low=0, high=10, **kwargs):
        self.low, self.high = low, high
        super().__init__(label, validators, choices=_score_choices(low, high), coerce=int,
                         **kwargs)

    @property
    def range_message(self) -> str:
        return _("Choose a whole number from %(low)d to %(high)d.", low=self.low, high=self.high)

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0] == "":
            self.data = None
            return
        try:
            self.data = int(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(self.range_message) from None

    def pre_validate(self, form):
        if self.data is not None and not (self.low <= self.data <= self.high):
            raise ValidationError(self.range_message)


def strip(value):
    """Field filter: surrounding spaces never count, and an empty box becomes ""."""
    return value.strip() if value else ""


def not_in_future(form, field):
    """The date is not after the clinic's today (a Tokyo clinic's today, not the server's)."""
    if field.data and field.data > clinic_today():
        raise ValidationError(_("This date is in the future."))


def submitted_version(field) -> int | None:
    """The record version an edit form was loaded at (its hidden field), or None if absent.

    Without the field in the post, WTForms falls back to the record's own integer version.
    """
    return parse_id(str(field.data if field.data is not None else ""))


ID = re.compile(r"[0-9]{1,18}")


def parse_id(text: str | None) -> int | None:
    """An id or count from outside (a query string, a hidden field): 1 to 18 ASCII digits,
    so below 2**63, the largest integer a column holds. Anything else is None: "٣", "²",
    "-1", "1e3" and 20 digits are not ids."""
    return int(text) if text and ID.fullmatch(text) else None


def page_number(text: str | None) -> int:
    """The page of a list asked for in a query string: 1 unless a sane page number is given
    (a page past the end just shows no rows)."""
    number = parse_id(text)
    return number if number is not None and 1 <= number <= 1_000_000 else 1


class StrictDecimalField(wtforms.DecimalField):
    """A decimal as a person types it: finite, at most 9 digits before the point, rounded to
    ``places``. NaN, sNaN, Infinity and 1e-400 are refused with a message (WTForms' own
    DecimalField accepts them, and they fail later, in a comparison or in the database)."""

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0] in ("", None):
            self.data = None
            return
        text = valuelist[0].strip().replace(",", ".")
        if not re.fullmatch(r"[+-]?[0-9]{1,9}(\.[0-9]*)?|[+-]?\.[0-9]+", text):
            self.data = None
            raise ValueError(_("Enter a number, such as 12 or 0.5."))
        value = Decimal(text)
        if self.places is not None:
            value = value.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP)
        self.data = value


class ClinicalDateField(wtforms.DateField):
    """A date inside the tracker's plausible window: from 1900 to five years from the clinic's
    today. Year 1 and 9999 are typing slips, and they overflow time-zone arithmetic."""

    earliest = date(1900, 1, 1)
    years_ahead = 5

    def pre_validate(self, form):
        if self.data is None:
            return
        today = clinic_today()
        # 29 February five years on does not exist: the window then ends on the 28th.
        latest = today.replace(year=today.year + self.years_ahead,
                               day=min(today.day, 28) if today.month == 2 else today.day)
        if self.earliest <= self.data <= latest:
            return
        # Nothing else runs on such a date (a form-level check would overflow on year 9999),
        # but the field's own plain checks ("This date is in the future.", "Check the year")
        # say it better than the window does, so they speak first.
        for validator in self.validators:
            try:
                validator(form, self)
            except ValidationError as own:
                if str(own):
                    raise StopValidation(str(own)) from None
        raise StopValidation(_("Give a date from %(first)s to %(last)s.",
                               first=self.earliest.isoformat(), last=latest.isoformat()))


class EmailAddress:
    """Email syntax check (no DNS lookup: clinics run on closed networks). Unlike WTForms'
    Email validator it accepts the reserved test domains, which the demo accounts use."""

    def __init__(self, message: str | None = None):
        self.message = message or _l("Enter a valid email address.")

    def __call__(self, form, field):
        from email_validator import EmailNotValidError, validate_email

        if not field.data:
            return
        try:
            validate_email(field.data, check_deliverability=False, test_environment=True)
        except EmailNotValidError:
            raise ValidationError(str(self.message)) from None


def error_list(form) -> list[tuple[str, str, str]]:
    """Every error of a form as ``(field id, what the field is, message)``, in form order,
    rows included ("Point row 3: Side"), for the summary at the top of a refused form."""
    found: list[tuple[str, str, str]] = []

    def walk(fields, prefix: str) -> None:
        for field in fields:
            if isinstance(field, wtforms.FieldList):
                # A list whose rows label themselves ("Section 3") has an empty label.
                for index, entry in enumerate(field.entries, start=1):
                    walk([entry], f"{prefix}{field.label.text} {index}: "
                         if field.label.text else prefix)
            elif field.type == "FormField":
                walk(field.form, prefix)
            elif field.type not in ("CSRFTokenField", "HiddenField"):
                found.extend((field.id, f"{prefix}{field.label.text}", message)
                             for message in field.errors)
            elif field.errors:  # a stale page or a tampered post: no field to link to
                found.extend(("", _("This form"), message) for message in field.errors)

    walk(form, "")
    found.extend(("", _("This form"), message) for message in getattr(form, "form_errors", []))
    return found


# A bound field per (unbound field, translations) to copy for every row: see RowForm.
_BOUND_TEMPLATES: dict[tuple, wtforms.Field] = {}


class RowForm(wtforms.Form):
    """A form repeated as the rows of a list (a session's point rows and techniques).

    Binding a WTForms field runs its whole constructor (validators checked, flags gathered
    from them and the widget, label built): the session save binds about 260 fields, most of
    them in its rows, a sixth of its time. A row's fields are the same in every row but for
    their name, so each is bound once per process and copied for every row, with its own
    name, id, label, flags and form (``Meta.bind_field``, WTForms' hook for this). What a
    field holds per request (data, raw data, errors) is set when the form processes its
    input, on the copy.
    """

    class Meta:
        def bind_field(self, form, unbound_field, options):
            key = (unbound_field, options.get("translations"))
            template = _BOUND_TEMPLATES.get(key)
            if template is None:
                template = unbound_field.bind(form=form, **options)
                template._form = None  # the template outlives the form it was bound in
                _BOUND_TEMPLATES[key] = template
            field = object.__new__(type(template))
            field.__dict__.update(template.__dict__)
            field._form, field.meta = form, form.meta
            field.name = options.get("prefix", "") + options["name"]
            field.short_name = options["name"]
            field.id = unbound_field.kwargs.get("id") or field.name
            field.label = wtforms.Label(field.id, template.label.text)
            field.flags = Flags()  # (copy.copy of one costs more than the rest of this)
            field.flags.__dict__.update(template.flags.__dict__)
            if template.render_kw is not None:
                field.render_kw = dict(template.render_kw)
            return field


ROW_NUMBER = re.compile(r"[0-9]{1,9}")


class StrictFieldList(wtforms.FieldList):
    """WTForms' ``FieldList``, taking only ASCII row numbers from a post. Its own reads any
    number ``str.isdigit`` accepts, then ``int()`` fails on "points-²-code": a 500 for a
    hand-made post. (Nine digits at most: ``int()`` refuses thousands.)"""

    def _extract_indices(self, prefix, formdata):
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                number = key[offset:].split(self._field_separator, 1)[0]
                if ROW_NUMBER.fullmatch(number):
                    yield int(number)


class RowList(StrictFieldList):
    """A list of ``RowForm`` rows whose posted rows are read through one row form, reused for
    every row, until the rows are needed as fields.

    A session's save posts 12 to 24 point rows; a form per row (bound, processed, validated,
    then its data read) was a quarter of the save's time. A valid post needs only each row's
    data and the verdict, and those come from the same WTForms code run on one row form
    renamed row by row. The rows are built as fields, as a ``FieldList`` builds them, when a
    row is refused (its messages go next to its fields), when the form is shown again, and
    when a caller changes the list (``entries``).
    """

    def process(self, formdata, data=wtforms.utils.unset_value, extra_filters=None):
        self._posted, self._read = None, None
        if (formdata and data is wtforms.utils.unset_value and not extra_filters
                and not self.min_entries):
            self._posted, self._entries = formdata, None
            self.last_index, self.object_data = -1, self.default
            return
        super().process(formdata, data, extra_filters)

    def post_process(self, formdata=None):
        if self._entries is not None:
            super().post_process(formdata)

    @property
    def entries(self):
        if self._entries is None:  # a post not yet built into rows: build it now
            super().process(self._posted)
            super().post_process(self._posted)
        return self._entries

    @entries.setter
    def entries(self, value):
        self._entries = value

    @property
    def built(self) -> bool:
        """Whether the rows have been built as fields."""
        return self._entries is not None

    def rows_data(self) -> list[dict]:
        """Every row's data (``RowForm.data``: its fields' data by name), in posted order."""
        if self._entries is None and self._read_posted():
            return self._read
        return [entry.data for entry in self.entries]

    def validate(self, form, extra_validators=()):
        if (self._entries is None and not self.validators and not extra_validators
                and self._read_posted()):
            self.errors = []
            return True
        return super().validate(form, extra_validators)

    def _read_posted(self) -> bool:
        """Whether every posted row passes its own fields' checks; their data is then kept
        (``_read``). A refused row leaves the rows to be built, so that each message is shown
        at its field."""
        if self._read is None:
            self._read = self._read_rows()
        return self._read is not False

    def _read_rows(self) -> list[dict] | bool:
        row_field = self.meta.bind_field(self._form, self.unbound_field, {
            "name": f"{self.name}{self._separator}0", "id": self.id, "_meta": self.meta,
            "translations": self._translations})
        row_field.process(None)
        row = row_field.form
        indices = sorted(set(self._extract_indices(self.name, self._posted)))
        read = []
        for index in indices[: self.max_entries or None]:
            # The row's fields take each row's names in turn; what a field holds for a row
            # (data, raw data, errors) is set again by process() and validate().
            prefix = f"{self.name}{self._separator}{index}{row_field.separator}"
            for field in row:
                field.name = prefix + field.short_name
            row.process(self._posted)
            row.post_process(self._posted)
            if not row.validate():
                return False
            read.append(row.data)
        return read
