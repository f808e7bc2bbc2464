"""Spelling rules for point codes, shared by search, the quick-entry parser and the loader.

``canonical_code("li-4")`` is ``"LI4"``; ``canonical_code("SJ05")`` is ``"TE5"``;
``canonical_code("ex b 2")`` is ``"EX-B2"``. Old texts use ``LI`` for Liver: here it always
means Large Intestine, as in the WHO standard.
"""

import re
import unicodedata

# Every prefix a practitioner might type for a meridian, mapped to its WHO code.
MERIDIAN_PREFIXES = {
    "LU": "LU",
    "LI": "LI",
    "CO": "LI",
    "ST": "ST",
    "SP": "SP",
    "HT": "HT",
    "HE": "HT",
    "H": "HT",
    "SI": "SI",
    "BL": "BL",
    "UB": "BL",
    "V": "BL",
    "KI": "KI",
    "KID": "KI",
    "K": "KI",
    "PC": "PC",
    "P": "PC",
    "HC": "PC",
    "HP": "PC",
    "TE": "TE",
    "SJ": "TE",
    "TH": "TE",
    "TW": "TE",
    "TB": "TE",
    "GB": "GB",
    "LR": "LR",
    "LIV": "LR",
    "LV": "LR",
    "GV": "GV",
    "DU": "GV",
    "VG": "GV",
    "CV": "CV",
    "REN": "CV",
    "RN": "CV",
    "VC": "CV",
}

_MERIDIAN_CODE = re.compile(r"^([A-Z]{1,3})[\s.\-_]*0*(\d{1,2})$")
_EXTRA_CODE = re.compile(r"^EX[\s.\-_]*([A-Z]{1,2})[\s.\-_]*0*(\d{1,2})$")


def canonical_code(text: str) -> str | None:
    """The WHO code for any common spelling of a point code, or None if it is not one."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip().upper().replace("L.I.", "LI")
    extra = _EXTRA_CODE.match(cleaned)
    if extra:
        return f"EX-{extra.group(1)}{int(extra.group(2))}"
    match = _MERIDIAN_CODE.match(cleaned)
    if match and match.group(1) in MERIDIAN_PREFIXES:
        return f"{MERIDIAN_PREFIXES[match.group(1)]}{int(match.group(2))}"
    return None


def normalise_alias(text: str) -> str:
    """Aliases compare on letters and digits only: "M-BW-35" and "mbw35" are the same."""
    cleaned = unicodedata.normalize("NFKC", text or "").upper()
    return "".join(c for c in cleaned if c.isalnum())


def fold_text(text: str) -> str:
    """Lower-case, tone marks removed, no spaces or apostrophes: "Hé Gǔ" -> "hegu"."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text or ""))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in unicodedata.normalize("NFKC", bare).casefold() if c.isalnum())
