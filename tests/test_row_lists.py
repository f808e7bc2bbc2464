"""``fields.RowList``, without HTTP: a posted list of rows read through one reused row form
says and holds exactly what WTForms' own ``FieldList``, a form per row, says and holds."""

from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms import FieldList, FormField

from tracker.fields import RowList, StrictFieldList, error_list
from tracker.sessions.forms import PointRowForm


def _rows_form(list_class, most=None):
    class RowsForm(FlaskForm):
        class Meta:
            csrf = False

        points = list_class(FormField(PointRowForm, label=""), max_entries=most,
                            label="Point row")

    return RowsForm


ReadForm, BuiltForm = _rows_form(RowList), _rows_form(FieldList)

# What a browser, a slip or an attacker may send for each control of a point row.
VALUES = {
    "code": ["ST36", "li 4", "", "  GV20 ", "X" * 21, "合谷"],
    "custom_label": ["", "left T7 paraspinal", "y" * 201],
    "region": ["", "upper_back", "moon"],
    "level": ["", "T7", "Z9"],
    "laterality": ["", "left", "bilateral", "midline", "up"],
    "depth": ["", "12", "0,5", "NaN", "1e3", "٣", " "],
    "depth_unit": ["mm", "cun", "inch", ""],
    "angle": ["", "oblique", "sideways"],
    "gauge_mm": ["", "0.25", "0.9", "abc"],
    "length_mm": ["", "40", "2", "130"],
    "technique": ["", "even", "tonifying", "?"],
    "deqi_sought": ["y", "", "false"],
    "deqi_obtained": ["", "yes", "no", "maybe"],
    "stimulation": ["manual", "electrical", "laser"],
    "retention_minutes": ["", "20", "0", "241", "²", "twenty"],
    "remove": ["", "y"],
}
row_posts = st.dictionaries(
    st.sampled_from(sorted(VALUES)), st.integers(0, 99)
).map(lambda picks: {name: VALUES[name][pick % len(VALUES[name])]
                     for name, pick in picks.items()})
posts = st.lists(st.tuples(st.sampled_from([0, 1, 2, 5, 17, 3]), row_posts), max_size=4)


def _post(rows) -> dict:
    return {f"points-{index}-{name}": value for index, row in rows for name, value in row.items()}


def _submitted(app, form_class, data):
    with app.test_request_context(method="POST", data=data):
        form = form_class()
        valid = form.validate()
        return form, valid


def _rendered(form) -> list[str]:
    return [str(field) for row in form.points for field in row.form]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=posts)
def test_a_read_list_says_and_holds_what_a_form_per_row_does(app, rows):
    data = _post(rows)
    read, read_valid = _submitted(app, ReadForm, data)
    built, built_valid = _submitted(app, BuiltForm, data)
    assert read_valid == built_valid
    assert read.points.rows_data() == [entry.data for entry in built.points]
    assert read.errors == built.errors
    assert read.data == built.data
    assert _rendered(read) == _rendered(built)


def test_a_valid_post_is_read_without_building_its_rows(app):
    data = _post([(0, {"code": "ST36", "laterality": "left"}),
                  (4, {"code": "LI4", "laterality": "right", "depth": "12"})])
    form, valid = _submitted(app, ReadForm, data)
    assert valid
    assert [(row["code"], row["laterality"], row["depth"]) for row in form.points.rows_data()] \
        == [("ST36", "left", None), ("LI4", "right", 12)]
    assert not form.points.built
    # Shown again (an override asked for, say), the rows are built, renumbered as posted.
    assert [row.form.code.name for row in form.points] == ["points-0-code", "points-1-code"]
    assert form.points.built


def test_a_refused_row_is_built_with_its_message_at_its_field(app):
    data = _post([(0, {"code": "ST36", "laterality": "left"}),
                  (1, {"code": "GV20", "laterality": "midline", "depth": "deep"})])
    form, valid = _submitted(app, ReadForm, data)
    assert not valid
    assert form.points.built
    assert form.points[1].form.depth.errors == ["Enter a number, such as 12 or 0.5."]
    assert 'value="deep"' in str(form.points[1].form.depth)
    # The summary at the top of the page names the row and links to the field.
    assert error_list(form) == [("points-1-depth", "Point row 2: Depth",
                                 "Enter a number, such as 12 or 0.5.")]


def test_a_strict_lists_rows_are_named_in_the_summary(app):
    data = _post([(0, {"code": "ST36", "laterality": "up"})])
    form, valid = _submitted(app, _rows_form(StrictFieldList), data)
    assert not valid
    assert error_list(form) == [("points-0-laterality", "Point row 1: Side", "Not a valid choice.")]


def test_a_list_reads_no_more_rows_than_it_holds(app):
    data = _post([(index, {"code": "ST36", "laterality": "left"}) for index in range(5)])
    form, valid = _submitted(app, _rows_form(RowList, most=3), data)
    assert valid and len(form.points.rows_data()) == 3
    assert len(form.points) == 3


def test_a_changed_list_is_the_rows_it_holds_now(app):
    data = _post([(0, {"code": "ST36", "laterality": "left"})])
    with app.test_request_context(method="POST", data=data):
        form = ReadForm()
        form.points.append_entry({"code": "LI4", "laterality": "right"})
        assert [row["code"] for row in form.points.rows_data()] == ["ST36", "LI4"]
