from flask import current_app
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

MAX_PASSWORD = 128


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_PASSWORD)])


def password_strength(form, field):
    """At least PASSWORD_MIN_LENGTH characters; no composition rules (ASVS 2.1.9)."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(field.data or "") < minimum:
        raise ValidationError(f"Use at least {minimum} characters.")
    if len(set(field.data)) < 4:
        raise ValidationError("This password is too easy to guess.")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=MAX_PASSWORD), password_strength],
        description="At least 12 characters. A phrase of several words is easy to type "
        "and hard to guess.",
    )
    confirm_password = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("new_password", message="The two passwords differ.")],
    )
