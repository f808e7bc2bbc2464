"""The base of every form of the app: Flask-WTF's, with WTForms' own messages ("Not a valid
integer value.", "Invalid Choice: could not coerce.") translated from a catalog read once per
process and language (``i18n.wtforms_translations``). Flask-WTF reads that catalog from disk
again for every request that builds a form: 0.4 ms of each such page."""

from flask_wtf import FlaskForm

from tracker.i18n import wtforms_translations


class AppForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return wtforms_translations
