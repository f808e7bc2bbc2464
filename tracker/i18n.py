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

from functools import cache

from babel.support import NullTranslations, Translations
from flask import current_app, g, has_app_context, has_request_context, request
from flask_babel import (
    Babel,
    LazyString,
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    get_timezone,
    get_translations,
)
from jinja2 import pass_eval_context
from markupsafe import Markup
from wtforms.i18n import messages_path

from tracker.dates import clinic_zone

__all__ = ["_", "_l", "format_date", "format_datetime", "format_decimal", "get_locale",
           "get_timezone", "init_app", "ngettext"]

babel = Babel()


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    # Templates translate through the request's catalog too (Flask-Babel installs callables
    # that look it up again for every string).
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: _catalog().ugettext(string),
        ngettext=lambda singular, plural, num: _catalog().ungettext(singular, plural, num),
        pgettext=lambda context, string: _catalog().upgettext(context, string),
        npgettext=lambda context, singular, plural, num: _catalog().unpgettext(
            context, singular, plural, num),
        newstyle=True,
    )
    # ``_("...")`` is the commonest call in a template (a page makes a few hundred): one
    # function, not Jinja's alias, its newstyle wrapper and our lambda, each a call through
    # the template context.
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext)


@pass_eval_context
def _template_gettext(eval_context, string: str, **variables):
    """Jinja's newstyle ``gettext``, the same output: the translation as markup when the
    template escapes (its placeholders' values escaped), ``%%`` undoubled even with no
    placeholder."""
    translated = _catalog().ugettext(string)
    if eval_context.autoescape:
        # As Jinja's own: the catalog's text is the app's markup; values put into it by
        # ``%`` below are escaped by Markup.
        translated = Markup(translated)  # nosec B704
    if not variables and "%" not in translated:
        return translated
    return translated % variables


def _catalog():
    """The request's translations, found once per request and locale.

    Flask-Babel finds them again for every string (the locale, its context, the domain, the
    cache): a page of a few hundred strings spent a fifth of its time there. The catalog is
    kept on ``g`` with the locale it is for, so ``force_locale`` (which swaps the locale for a
    block) and ``refresh`` still get the right one.
    """
    if not has_app_context():
        return get_translations()  # no request: the untranslated source strings
    state = g._get_current_object().__dict__  # one context lookup, not one per attribute
    locale = getattr(state.get("_flask_babel"), "babel_locale", None)
    cached = state.get("_tracker_catalog")
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    state["_tracker_catalog"] = (getattr(state.get("_flask_babel"), "babel_locale", None),
                                 translations)
    return translations


def gettext(string: str, **variables) -> str:
    """``string`` in the request's language, ``%(name)s`` placeholders filled."""
    translated = _catalog().ugettext(string)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """The singular or a plural form for ``num`` (``%(num)d`` in the string)."""
    variables.setdefault("num", num)
    return _catalog().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """``gettext`` when the string is shown, not when it is defined (at import)."""
    return LazyString(gettext, string, **variables)


_ = gettext
_l = lazy_gettext


def select_locale() -> str:
    """A forced locale, else the browser's best match among the shipped catalogs."""
    forced = current_app.config.get("FORCE_LOCALE")
    if forced:
        return forced
    best = request.accept_languages.best_match(_shipped_locales()) if request else None
    return best or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")


def _shipped_locales() -> list[str]:
    """The languages the app has catalogs for: listed from the disk once per app, as they
    cannot change while it runs (Flask-Babel lists the folders again on every call)."""
    extensions = current_app.extensions
    if "tracker_locales" not in extensions:
        extensions["tracker_locales"] = [str(locale) for locale in babel.list_translations()]
    return extensions["tracker_locales"]


class _WTFormsTranslations:
    """WTForms' own messages in the request's language (``tracker.forms.Form``)."""

    def gettext(self, string: str) -> str:
        return _wtforms_catalog().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalog().ungettext(singular, plural, n)


wtforms_translations = _WTFormsTranslations()


def _wtforms_catalog():
    if not has_request_context():
        return NullTranslations()  # as Flask-WTF: the messages as WTForms wrote them
    return _wtforms_catalog_for(str(get_locale()))


@cache
def _wtforms_catalog_for(locale: str):
    """WTForms' catalog for ``locale``, read once per process (a handful of languages)."""
    return Translations.load(messages_path(), [locale], domain="wtforms")


def select_timezone() -> str:
    return clinic_zone().key
