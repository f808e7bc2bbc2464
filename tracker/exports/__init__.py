"""Exports for follow-up: a patient's whole record as JSON (more formats to come: PDF, CSV,
FHIR R4). Every export is audited and sent as an attachment that no cache keeps."""
