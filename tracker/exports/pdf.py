"""HTML to PDF with WeasyPrint, reading nothing but the app's own static files.

WeasyPrint needs Pango (a system library Debian and most Linux desktops have). Where it is
missing, the import fails with OSError: the tracker then says so in words (``PdfUnavailable``)
instead of failing, and every other export still works.
"""

from pathlib import Path

from flask import current_app

PANGO_MISSING = (
    "PDF export needs the Pango library, which WeasyPrint draws text with. On Debian or "
    "Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 (see README.md)."
)


FONTS_MISSING = (
    "PDF export needs the Japanese font unpacked from the vendored Noto Sans JP: run make install."
)
# Unpacked by `make install` (the Makefile says why); git ignores them.
PDF_FONTS = ("vendor/noto-sans-jp-5.3.0/NotoSansJP-Regular.ttf",
             "vendor/noto-sans-jp-5.3.0/NotoSansJP-Bold.ttf")


class PdfUnavailable(RuntimeError):
    """PDFs cannot be made on this machine; the message says what to install."""


def html_to_pdf(html: str) -> bytes:
    """The PDF of ``html``, whose relative links point into the static folder."""
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except OSError as error:  # Pango (or its fonts stack) is missing
        raise PdfUnavailable(PANGO_MISSING) from error

    static = Path(current_app.static_folder).resolve()
    if not all((static / font).is_file() for font in PDF_FONTS):
        raise PdfUnavailable(FONTS_MISSING)

    class StaticFilesOnly(URLFetcher):
        """A PDF of a patient's record fetches nothing from the network or the disk but the
        app's own style sheets and fonts (a note could hold any URL)."""

        def fetch(self, url, headers=None):
            if not url.startswith("file://"):
                raise ValueError(f"not fetched: {url[:80]}")
            path = Path(url.removeprefix("file://").split("?")[0]).resolve()
            if not path.is_relative_to(static):
                raise ValueError(f"not fetched: {url[:80]}")
            return super().fetch(url, headers)

    return HTML(string=html, base_url=static.as_uri() + "/",
                url_fetcher=StaticFilesOnly(allowed_protocols={"file"})).write_pdf()
