"""Write instance/config.py for a local `make run`: a fresh random SECRET_KEY.

The file is git-ignored and never overwritten, so logins survive restarts.
"""

import secrets
import sys
from pathlib import Path

TEMPLATE = """\
# Local settings written by `make run` (git-ignored). Edit freely; it is never overwritten.
SECRET_KEY = "{secret}"

# `make run` serves plain HTTP on 127.0.0.1 only. Behind HTTPS in production, remove this line
# so the session cookie is sent over HTTPS only.
SESSION_COOKIE_SECURE = False

# The default database is instance/tracker.sqlite; set DATABASE_URL to use PostgreSQL, e.g.
# DATABASE_URL=postgresql://user@127.0.0.1:5432/tracker
"""

target = Path(sys.argv[1])
if not target.exists():
    target.write_text(TEMPLATE.format(secret=secrets.token_urlsafe(48)))
    print(f"Wrote {target} with a new SECRET_KEY.")
