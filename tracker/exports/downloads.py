"""How every export leaves: as a download, never shown in the browser, never cached."""

import re

from flask import current_app


def attachment(body: bytes, mimetype: str, filename: str):
    """``body`` as a file to save (security.py adds ``Cache-Control: no-store``)."""
    response = current_app.response_class(body, mimetype=mimetype)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", filename)  # a chart number is the clinic's text
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response
