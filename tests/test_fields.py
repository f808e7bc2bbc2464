"""The strict fields every form shares, without HTTP: what each accepts and what it says."""

from datetime import date

import pytest
import wtforms
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, StringField
from wtforms.validators import DataRequired, Optional

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


def _row_fields():
    return {
        "site": StringField("Site", validators=[DataRequired()], render_kw={"class": "site"}),
        "side": fields.SelectField("Side", choices=[("", "—"), ("left", "Left")]),
        "depth": StrictDecimalField("Depth", places=1, validators=[Optional()]),
    }


CopiedRow = type("CopiedRow", (fields.RowForm,), _row_fields())
BoundRow = type("BoundRow", (wtforms.Form,), _row_fields())  # WTForms' own binding


def _rows_form(row_class):
    class RowsForm(FlaskForm):
        class Meta:
            csrf = False

        rows = FieldList(FormField(row_class))

    return RowsForm


def test_row_forms_copied_fields_behave_as_freshly_bound_ones(app):
    data = {"rows-0-site": "left T7", "rows-0-side": "left", "rows-0-depth": "12.34",
            "rows-1-site": "", "rows-1-side": "gold", "rows-1-depth": "deep",
            "rows-2-site": "GV9", "rows-2-side": ""}
    forms = []
    for row_class in (CopiedRow, BoundRow):
        with app.test_request_context(method="POST", data=data):
            form = _rows_form(row_class)()
            form.validate()
            forms.append(form)
    copied, bound = forms
    assert [row.form.data for row in copied.rows] == [row.form.data for row in bound.rows]
    assert copied.errors == bound.errors
    assert copied.errors == {"rows": [{}, {"site": ["This field is required."],
                                           "side": ["Not a valid choice."],
                                           "depth": ["Enter a number, such as 12 or 0.5."]}, {}]}
    for copied_row, bound_row in zip(copied.rows, bound.rows, strict=True):
        for name in ("site", "side", "depth"):
            assert str(copied_row.form[name]) == str(bound_row.form[name])
            assert str(copied_row.form[name].label) == str(bound_row.form[name].label)
    assert copied.rows[1].form.site.flags.required


def test_a_copied_rows_fields_are_its_own(app):
    with app.test_request_context(method="POST", data={"rows-0-site": "a", "rows-1-site": "b"}):
        form = _rows_form(CopiedRow)()
    first, second = form.rows[0].form, form.rows[1].form
    first.site.render_kw["class"] = "changed"
    first.site.flags.hidden = True
    first.site.errors = ["one row's error"]
    assert second.site.render_kw == {"class": "site"}
    assert not second.site.flags.hidden
    assert not second.site.errors
    assert (first.site.name, second.site.name) == ("rows-0-site", "rows-1-site")
    assert second.site.label.field_id == "rows-1-site"
    assert first.site.data == "a" and second.site.data == "b"
