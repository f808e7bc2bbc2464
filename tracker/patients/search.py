"""Name folding for patient search across Latin, kanji and kana.

A patient's ``search_text`` holds every spelling a receptionist might type: the names as
written, kana folded to hiragana, Hepburn romaji of the kana reading (with and without long
vowels written out, so "tarou", "taro" and "tarō" all match), accents stripped from Latin
names, the chart number and the phone digits. Queries are folded the same way.
"""

import re
import unicodedata
from functools import lru_cache

import jaconv

_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"\D")


def fold(text: str) -> str:
    """Fold ``text`` for matching: NFKC, case-folded, katakana to hiragana, accents removed."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = jaconv.kata2hira(text)
    return _SPACES.sub(" ", "".join(_strip_accent(c) for c in text)).strip()


def _strip_accent(char: str) -> str:
    # Only Latin letters lose their marks ("é" -> "e"); kana keep their dakuten ("だ" != "た").
    if char.isascii() or not char.isalpha() or ord(char) > 0x024F:
        return char
    return "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))


def phone_digits(phone: str) -> str:
    return _DIGITS.sub("", unicodedata.normalize("NFKC", phone or ""))


@lru_cache(maxsize=1)
def _kakasi():
    import pykakasi  # imported lazily: its dictionaries take half a second to load

    return pykakasi.kakasi()


def romaji_variants(text: str) -> set[str]:
    """Hepburn readings of Japanese ``text``: as converted, and with long vowels shortened."""
    if not text or text.isascii():
        return set()
    romaji = "".join(part["hepburn"] for part in _kakasi().convert(text)).casefold()
    romaji = _SPACES.sub(" ", romaji.replace("'", "")).strip()
    short = re.sub(r"ou|oo", "o", re.sub(r"uu", "u", romaji))
    return {romaji, short}


def reading_of(text: str) -> str:
    """Hiragana reading of ``text`` (a guess for kanji, exact for kana)."""
    if not text or text.isascii():
        return ""
    return "".join(part["hira"] for part in _kakasi().convert(text))


def build_search_text(
    *, family_name, given_name, family_name_kana, given_name_kana, chart_number, phone, email
) -> str:
    """Everything a search should match for one patient, folded, space-separated."""
    names = [family_name, given_name, family_name_kana, given_name_kana]
    parts = {fold(n) for n in names if n}
    readings = [family_name_kana or family_name or "", given_name_kana or given_name or ""]
    for reading in readings:
        parts.update(romaji_variants(reading))
        if not reading.isascii():
            parts.add(fold(reading_of(reading)))
    full_kana = (family_name_kana or "") + (given_name_kana or "")
    parts.update(romaji_variants(full_kana))
    parts.add(fold(chart_number))
    # A chart number typed like a phone number ("2024-001") is searched by its digits.
    parts.add(phone_digits(chart_number))
    parts.add(phone_digits(phone))
    parts.add(fold(email))
    return " ".join(sorted(p for p in parts if p))


def query_terms(query: str) -> list[str]:
    """Split a search box entry into folded terms; every term must match."""
    terms = []
    for raw in fold(query).split(" "):
        if not raw:
            continue
        digits = phone_digits(raw)
        # "090-1234" should find 09012345678: match phone-like entries by digits alone.
        if digits and len(digits) >= 3 and len(digits) >= len(raw) - 3:
            terms.append(digits)
        else:
            terms.append(raw)
    return terms
