from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from tracker.fields import strip


class ProtocolForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)], filters=[strip])
    description = TextAreaField("When to use it", validators=[Length(max=2000)], filters=[strip])
    points = TextAreaField(
        "Points (quick entry)",
        validators=[DataRequired(message="List the points."), Length(max=2000)],
        filters=[strip],
        description="Same shorthand as in a session, e.g. BL18 BL20 BL23 bilat, GV6, GV9, "
        "LI4 b/l 15mm, Ashi: left T7 paraspinal",
    )
