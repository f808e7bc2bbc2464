"""The formats a patient's record can leave the clinic in, in one registry that the download
route and the command line both use: each turns a patient (loaded with consents and episodes)
into a file.

To add a format: write ``render(patient, options) -> bytes`` in its own module, and add one
``ExportFormat`` line to ``FORMATS``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from tracker.exports import csv_export, fhir
from tracker.exports.documents import summary_html
from tracker.exports.json_text import json_text
from tracker.exports.patient_json import patient_record
from tracker.exports.pdf import html_to_pdf


@dataclass(frozen=True)
class ExportOptions:
    """What a user may choose beside the format (each format reads what applies to it)."""

    points: bool = False  # CSV: one row per point application instead of per session
    excel: bool = False  # CSV: a byte-order mark, so Excel reads UTF-8 (Japanese) right


@dataclass(frozen=True)
class ExportFormat:
    code: str
    mimetype: str
    extension: str
    render: Callable[..., bytes]


def _json(patient, options: ExportOptions) -> bytes:
    # Laid out to each episode, session and adverse event, one a line (json_text).
    return json_text(patient_record(patient), levels=2).encode()


def _summary_pdf(patient, options: ExportOptions) -> bytes:
    return html_to_pdf(summary_html(patient, pdf=True))


FORMATS = {fmt.code: fmt for fmt in (
    ExportFormat("json", "application/json", "json", _json),
    ExportFormat("csv", "text/csv", "csv", csv_export.render),  # Flask adds charset=utf-8
    ExportFormat("fhir", "application/fhir+json", "fhir.json", fhir.render),
    ExportFormat("pdf", "application/pdf", "pdf", _summary_pdf),
)}
