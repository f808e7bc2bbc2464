"""The strict fields every form shares, without HTTP: what each accepts and what it says."""

from datetime import date

import pytest
from flask_wtf import FlaskForm
from wtforms.validators import Optional

from tracker import fields
from tracker.fields import (
    ClinicalDateField,
    MultiCheckboxField,
    StrictDecimalField,
    not_in_future,
    parse_id,
)


class DatesForm(FlaskForm):
    class Meta:
        csrf = False

    seen_on = ClinicalDateField("Seen on", validators=[Optional()])
    onset = ClinicalDateField("Onset", validators=[Optional(), not_in_future])
    depth = StrictDecimalField("Depth", places=1, validators=[Optional()])


def submit(app, **data):
    with app.test_request_context(method="POST", data=data):
        form = DatesForm()
        form.validate()
        return form


@pytest.mark.parametrize(("today", "last"), [
    (date(2026, 11, 30), "2031-11-30"),
    (date(2028, 2, 29), "2033-02-28"),  # no 29 February five years on: never a 500
])
def test_a_date_past_the_window_is_refused_with_the_window(app, monkeypatch, today, last):
    monkeypatch.setattr(fields, "clinic_today", lambda: today)
    form = submit(app, seen_on="9999-12-31")
    assert form.seen_on.errors == [f"Give a date from 1900-01-01 to {last}."]
    assert submit(app, seen_on=last).seen_on.errors == []


def test_a_date_that_may_not_be_in_the_future_says_so(app):
    form = submit(app, onset="9999-12-31", seen_on="0001-01-01")
    assert form.onset.errors == ["This date is in the future."]
    assert len(form.seen_on.errors) == 1
    assert form.seen_on.errors[0].startswith("Give a date from 1900-01-01 to ")


@pytest.mark.parametrize("typed", ["NaN", "sNaN", "Infinity", "-inf", "1e-400", "1e3",
                                   "12345678901", "٣", "1,2,3"])
def test_decimals_a_person_would_not_type_are_refused(app, typed):
    form = submit(app, depth=typed)
    assert form.depth.data is None
    assert form.depth.errors == ["Enter a number, such as 12 or 0.5."]


@pytest.mark.parametrize(("typed", "kept"), [("12", "12.0"), ("0,55", "0.6"), (".5", "0.5")])
def test_decimals_as_typed_are_kept_rounded(app, typed, kept):
    assert str(submit(app, depth=typed).depth.data) == kept


@pytest.mark.parametrize(("text", "number"), [
    ("1", 1), ("000123", 123), ("9" * 18, int("9" * 18)),
    ("9" * 19, None), ("-1", None), ("٣", None), ("²", None), ("1e3", None), (" 1", None),
    ("", None), (None, None),
])
def test_ids_from_outside_are_ascii_digits_only(text, number):
    assert parse_id(text) == number


class ChoicesForm(FlaskForm):
    class Meta:
        csrf = False

    causes = MultiCheckboxField("Causes", choices=[("a", "A"), ("b", "B")])


def test_a_choice_sent_twice_is_stored_once(app):
    with app.test_request_context(method="POST", data={"causes": ["a", "b", "a"]}):
        form = ChoicesForm()
        assert form.validate() and form.causes.data == ["a", "b"]


class NeedleForm(FlaskForm):
    class Meta:
        csrf = False

    material = fields.SelectField("Material", choices=[("", "—"), ("steel", "Steel")])
    gauge = fields.SelectField("Gauge", choices=[(16, "0.16 mm"), (20, "0.20 mm")], coerce=int)


@pytest.mark.parametrize(("data", "refused"), [
    ({"material": "steel", "gauge": "20"}, set()),
    ({"material": "", "gauge": "16"}, set()),
    ({"material": "gold", "gauge": "20"}, {"material"}),  # not one of the choices
    ({"material": "steel", "gauge": "18"}, {"gauge"}),  # a number, not one of the choices
])
def test_a_select_takes_only_its_choices(app, data, refused):
    with app.test_request_context(method="POST", data=data):
        form = NeedleForm()
        form.validate()
    assert set(form.errors) == refused
    for name in refused:
        assert form.errors[name] == ["Not a valid choice."]
