"""WTForms fields shared by several features' forms."""

from wtforms import RadioField, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    """A multi-select shown as a list of checkboxes (each with its own label)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        allowed = {value for value, _label in self.choices}
        unknown = [value for value in self.data or [] if value not in allowed]
        if unknown:
            raise ValidationError("Choose only from the listed options.")


class ScoreField(RadioField):
    """An integer score from ``low`` to ``high`` picked from a row of buttons (pain NRS 0-10).

    Whatever is posted, the user gets the same plain message, never a coercion error.
    """

    def __init__(self, label=None, validators=None, low=0, high=10, **kwargs):
        self.low, self.high = low, high
        choices = [(n, str(n)) for n in range(low, high + 1)]
        super().__init__(label, validators, choices=choices, coerce=int, **kwargs)

    @property
    def range_message(self) -> str:
        return f"Choose a whole number from {self.low} to {self.high}."

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
