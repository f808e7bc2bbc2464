"""The form controls' attributes: written by tracker.widgets exactly as WTForms writes them."""

import importlib

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from tracker import widgets

# WTForms' own writer, from a fresh copy of its module (the app replaces the installed one).
ORIGINAL = importlib.reload(importlib.import_module("wtforms.widgets.core")).html_params
widgets.install()

KEYS = st.sampled_from(["name", "id", "class_", "for_", "value", "data_row_id", "data_x_y",
                        "aria_label", "aria_describedby", "placeholder", "min", "step"])
VALUES = st.one_of(
    st.text(), st.text().map(Markup), st.booleans(), st.integers(), st.none(),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.sampled_from(['"quoted"', "<b>&amp;</b>", "it's", Markup('<i class="x">')]),
)


@given(st.dictionaries(KEYS, VALUES, max_size=8))
def test_attributes_are_written_as_wtforms_writes_them(attributes):
    assert widgets.html_params(**attributes) == ORIGINAL(**attributes)


def test_the_form_controls_use_it(app):
    from wtforms import Form, SelectField, StringField
    from wtforms.fields.choices import SelectChoice

    class Example(Form):
        name = StringField(render_kw={"aria_describedby": "hint"})
        side = SelectField(choices=[SelectChoice("left", 'Left "L"'),
                                    SelectChoice("right", "<Right>")])

    from wtforms.widgets import core

    assert core.html_params is widgets.html_params  # installed by create_app
    form = Example(data={"name": 'A "B" <c>', "side": "right"})
    assert str(form.name()) == ('<input aria-describedby="hint" id="name" name="name" '
                                'type="text" value="A &#34;B&#34; &lt;c&gt;">')
    assert '<option selected value="right">&lt;Right&gt;</option>' in str(form.side())
    assert '<option value="left">Left &#34;L&#34;</option>' in str(form.side())
