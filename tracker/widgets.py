"""WTForms' attribute writer, with the same output at a fraction of the cost.

WTForms writes every attribute of every control through ``Markup('{k}="{v}"').format(...)``,
which runs ``string.Formatter`` and escapes each piece again. The session form has about 60
selects and 600 options: that alone was a third of the page's time. ``html_params`` below
writes the same bytes (tests/test_widgets.py compares the two on generated input) with one
escape and an f-string, and ``install`` puts it where WTForms' widgets look it up.
"""

from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.widgets import core


def html_params(**kwargs) -> Markup:
    """``wtforms.widgets.html_params``: sorted attributes, ``data_x``/``aria_x`` as
    ``data-x``/``aria-x``, a trailing ``_`` dropped (``class_``), True as a bare attribute,
    False left out, every value escaped (double quotes as ``&quot;``)."""
    params = []
    for key, value in sorted(kwargs.items()):
        name = _NAMES.get(key) or _name(key)
        if value is True:
            params.append(name[0])
        elif value is not False:
            if type(value) is str:
                # escape() turns a plain string's double quotes into &#34; itself.
                params.append(f'{name[1]}="{escape(value)}"')
            else:
                # escape() leaves a double quote alone only inside Markup: replace it there.
                params.append(f'{name[1]}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    # Every key and value above went through escape(): the joined text is markup already.
    return Markup(" ".join(params))  # nosec B704


# An attribute's name as written, bare and escaped, by the keyword it is given as: the same
# few dozen names on every form (``class_``, ``aria_describedby``...), worked out once.
_NAMES: dict[str, tuple[str, str]] = {}


def _name(key: str) -> tuple[str, str]:
    clean = core.clean_key(key)
    name = (clean, str(escape(clean)))
    if len(_NAMES) < 500:  # names come from the code, not the request: a bound all the same
        _NAMES[key] = name
    return name


def install() -> None:
    """Make WTForms' widgets (and ``Field.render_kw`` labels) write attributes with
    ``html_params``: the module function they call, and the copies two classes keep."""
    core.html_params = html_params
    widgets.html_params = html_params
    core.Input.html_params = staticmethod(html_params)
    core.Button.html_params = staticmethod(html_params)
