"""The referral letter's form: who it goes to, why, and the record's paragraphs as the
practitioner edits them. The letter is made from what is posted and kept nowhere but in the
audit log's note that it was made."""

from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from tracker.forms import AppForm
from tracker.i18n import _l


class ReferralForm(AppForm):
    recipient = StringField(
        _l("To"), validators=[DataRequired(_l("Say who the letter is for.")), Length(max=200)],
        description=_l("Name and role, e.g. Dr Tanaka, general practitioner."))
    organisation = StringField(_l("Practice or hospital"), validators=[Length(max=200)])
    reason = TextAreaField(
        _l("Reason for referral"),
        validators=[DataRequired(_l("Say why you are referring the patient.")),
                    Length(max=2000)])
    findings = TextAreaField(_l("Findings"), validators=[Length(max=4000)])
    treatment = TextAreaField(_l("Treatment so far"), validators=[Length(max=4000)])
    outcome = TextAreaField(_l("Outcome"), validators=[Length(max=2000)])
    red_flags = TextAreaField(_l("Red flags"), validators=[Length(max=2000)])
    preview = SubmitField(_l("Preview to print"))
    download = SubmitField(_l("Download PDF"))

    def letter(self) -> dict[str, str]:
        return {name: (self[name].data or "").strip() for name in (
            "recipient", "organisation", "reason", "findings", "treatment", "outcome",
            "red_flags")}
