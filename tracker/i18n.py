"""Translation and locale-aware formatting, through Flask-Babel.

Every string a user reads is marked where it is written:

- ``_("...")`` (gettext) in code that runs during a request: views, flash messages,
  services' refusals, caution messages;
- ``_l("...")`` (lazy_gettext) where a string is defined at import and shown later: form
  labels and validator messages, vocabulary labels;
- ``{{ _("...") }}``, ``{% trans %}...{% endtrans %}`` in templates.

Placeholders are named (``_("%(code)s is on the midline", code=...)``) so a translation may
reorder them. The locale is the browser's best match among the catalogs shipped in
``tracker/translations`` (English is the source language); ``FORCE_LOCALE`` fixes it (the
tests render under a pseudo-locale to find unmarked strings). Dates and times are shown in
the clinic's zone.
"""

from flask import current_app, request
from flask_babel import (
    Babel,
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    gettext,
    lazy_gettext,
    ngettext,
)

from tracker.dates import clinic_zone

_ = gettext
_l = lazy_gettext

__all__ = ["_", "_l", "format_date", "format_datetime", "format_decimal", "get_locale",
           "init_app", "ngettext"]

babel = Babel()


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)


def select_locale() -> str:
    """A forced locale, else the browser's best match among the shipped catalogs."""
    forced = current_app.config.get("FORCE_LOCALE")
    if forced:
        return forced
    available = [str(locale) for locale in babel.list_translations()]
    best = request.accept_languages.best_match(available) if request else None
    return best or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")


def select_timezone() -> str:
    return clinic_zone().key
