"""Treatment sessions (DOMAIN.md section 3): the session form (quick entry, point rows with
side and needle details, adjunct techniques, live cautions), retention, needle count, pain
before and after, SOAP notes and advice; drafts, signing, amendments to a signed note,
adverse events recorded on a session, and the patient's timeline."""
