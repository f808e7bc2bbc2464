"""Input no field can store is refused before any view sees it.

A NUL character cannot be stored in PostgreSQL text (and is never typed by a person): a form,
query string or JSON body holding one answers 400 with a message, instead of failing deep in
the database after part of the work was done.
"""

from flask import abort, request

from tracker.i18n import _


def refuse_unstorable_input():
    """``before_request``: a 400 for a NUL anywhere in the request's path or parameters."""
    values = [*request.args.listvalues(), *request.form.listvalues()]
    texts = [value for group in values for value in group]
    texts += [*request.args.keys(), *request.form.keys(), request.path]
    if request.is_json:
        texts.append(request.get_data(as_text=True))
    if any("\x00" in text for text in texts):
        abort(400, description=_("The request holds a character that cannot be stored (a NUL "
                                 "byte). Remove it and send again."))
