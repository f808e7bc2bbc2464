"""The exports' JSON layout (``json_text``): whatever the value, a reader parses back exactly
what was written, and laid out to every level it is ``json.dumps(indent=2)``'s own text."""

import json

from hypothesis import given
from hypothesis import strategies as st

from tracker.exports.json_text import json_text

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=30)


@given(VALUES, st.integers(min_value=0, max_value=5))
def test_any_value_reads_back_as_written(value, levels):
    assert json.loads(json_text(value, levels)) == value


@given(VALUES)
def test_laid_out_to_every_level_it_is_the_indented_text(value):
    assert json_text(value, levels=99) == json.dumps(value, ensure_ascii=False, indent=2)


def test_items_below_the_levels_are_one_a_line():
    bundle = {"resourceType": "Bundle", "entry": [{"resource": {"id": "1", "code": [1, 2]}},
                                                  {"resource": {"id": "2", "name": "佐藤"}}]}
    assert json_text(bundle, levels=2).splitlines() == [
        "{",
        '  "resourceType": "Bundle",',
        '  "entry": [',
        '    {"resource": {"id": "1", "code": [1, 2]}},',
        '    {"resource": {"id": "2", "name": "佐藤"}}',
        "  ]",
        "}",
    ]
    assert json_text({1: None, "empty": {}, "none": []}, levels=1) == (
        '{\n  "1": null,\n  "empty": {},\n  "none": []\n}')
