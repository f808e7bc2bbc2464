from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from tracker.fields import strip
from tracker.forms import AppForm
from tracker.i18n import _l


class ProtocolForm(AppForm):
    name = StringField(_l("Name"),
                       validators=[DataRequired(message=_l("This field is required.")),
                                   Length(max=120)],
                       filters=[strip])
    description = TextAreaField(_l("When to use it"), validators=[Length(max=2000)],
                                filters=[strip])
    points = TextAreaField(
        _l("Points (quick entry)"),
        validators=[DataRequired(message=_l("List the points.")), Length(max=2000)],
        filters=[strip],
        description=_l("Same shorthand as in a session, e.g. BL18 BL20 BL23 bilat, GV6, GV9, "
                       "LI4 b/l 15mm, Ashi: left T7 paraspinal"),
    )
