"""Following a ``next`` parameter without becoming an open redirect."""

from urllib.parse import urlsplit


def safe_next_url(target: str | None) -> str | None:
    """Only follow ``next`` to a path on this site (no scheme, no host, no '//' trick)."""
    if not target:
        return None
    # Control characters: a newline in a Location header is refused by the server (a 500).
    if any(ord(character) < 32 or ord(character) == 127 for character in target):
        return None
    parts = urlsplit(target)
    # A backslash counts as a slash in browsers: "/\\evil.example" is "//evil.example".
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return None
    return target
