"""Treatment sessions: points with side and needle details, retention, adjuncts, pain before
and after, SOAP notes, advice, signing and amendments (DOMAIN.md section 3)."""
