"""``url_for`` for templates, each link built once per process.

A page writes 20 to 80 links (the menu's, the style sheets', one or two a listed patient or
session), and Flask's ``url_for`` walks the URL map for each: 15 us a link, up to a
millisecond a page. A link depends only on its endpoint, its values and where the app is
mounted (the request's root path; no ``url_defaults`` are registered), so the text built
for one set of them is kept and given again (2 us). Links that depend on more
(``_external``, ``_scheme``, ``_anchor``, ``_method``, an endpoint relative to the request's
blueprint) or with a value that cannot be a key (a list) are built each time.
"""

from flask import has_request_context, request, url_for

# At most this many links are kept; past it the process starts again from none (links name
# patients and sessions: without a bound a long-running worker would keep them all).
KEPT_LINKS = 8192
_kept: dict[tuple, str] = {}


def template_url_for(endpoint: str, **values) -> str:
    """Flask's ``url_for``, remembered (see the module's docstring)."""
    if endpoint[:1] == "." or not has_request_context():
        return url_for(endpoint, **values)
    key = [request.root_path, endpoint]
    for name, value in values.items():  # in the order given: query arguments are written so
        if name[:1] == "_":
            return url_for(endpoint, **values)
        key += (name, type(value), value)  # True == 1, yet they are written "True" and "1"
    key = tuple(key)
    try:
        link = _kept.get(key)
    except TypeError:  # an unhashable value: a list for a repeated query argument
        return url_for(endpoint, **values)
    if link is None:
        if len(_kept) >= KEPT_LINKS:
            _kept.clear()
        link = _kept[key] = url_for(endpoint, **values)
    return link
