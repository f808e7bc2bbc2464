"""Splitting shorthand into entries and an entry into classified tokens (codes, names, sides,
angles, depths, levels), and the words and patterns that decide each."""

import re
from dataclasses import dataclass

from tracker.i18n import _
from tracker.points.codes import MERIDIAN_PREFIXES, canonical_code
from tracker.points.places import ANGLE_WORDS, SIDE_WORDS

ASHI = re.compile(r"^\s*(ashi|a-shi|a shi)\b\s*[:\-]?\s*(.*)$", re.IGNORECASE)
DEPTH = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(mm|cun)$", re.IGNORECASE)
NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
LEVEL = re.compile(r"^([CTLS])(\d{1,2})(?:-([CTLS])?(\d{1,2}))?$", re.IGNORECASE)
STUCK_SIDE = re.compile(r"^(.+?\d)[\s(\-]*([LRB])\)?$", re.IGNORECASE)
STUCK_PAREN_SIDE = re.compile(r"^(.+?)\(([LRB])\)$", re.IGNORECASE)
SPLIT_ENTRIES = re.compile(r"[,;\n]+")
# "0,5cun": a comma between two digits of a standalone number is a decimal comma, not a split.
DECIMAL_COMMA = re.compile(r"(?<![\w.,])(\d+),(?=\d)")
_KEPT_COMMA = "\ue000"
EAR = re.compile(r"(?<![\w])(ears?|auricular)(?![\w])", re.IGNORECASE)
# "LI 4", "li - 4" and "EX B 2" are one code: a meridian (or EX) prefix, a separator, then a
# one- or two-digit number that is not the start of a decimal ("L 0.5cun" is a side and a depth).
JOIN_CODE = re.compile(
    r"(?<![\w/])((?:EX[\s.\-]*)?[A-Za-z]{1,3})[\s.\-]+(0*\d{1,2})(?![\d.,])", re.IGNORECASE
)
JOIN_DEPTH = re.compile(r"(\d+(?:[.,]\d+)?)\s+(mm|cun)\b", re.IGNORECASE)
MAX_NAME_WORDS = 4


def unknown_refusal(typed: str) -> str:
    """The refusal of a word or code that names no point."""
    return _("“%(typed)s” is not a point code we know: check the code, or type the name (Hegu) "
             "or the number with its meridian (LI4).", typed=typed)



@dataclass
class Token:
    kind: str  # side, angle, depth, level, number, code, word
    value: str
    raw: str

    @property
    def nameable(self) -> bool:
        """May be part of a multi-word name ("He Gu", "Bi Guan")."""
        return self.kind == "word" or (
            self.kind == "side" and self.raw.isalpha() and len(self.raw) > 1
        )



def plan_entry(entry: str) -> tuple[str, object]:
    """("ashi", text), ("ear", entry) or ("points", tokens). An Ashi point may be near the ear
    ("Ashi: behind the ear L"); any other entry naming the ear is an auricular point."""
    ashi = ASHI.match(entry)
    if ashi:
        return "ashi", ashi.group(2).strip()
    if EAR.search(entry):
        return "ear", entry
    tokens = JOIN_DEPTH.sub(r"\1\2", JOIN_CODE.sub(_join_code, entry)).split()
    plan = []
    for raw in tokens:
        paren = STUCK_PAREN_SIDE.match(raw)
        if paren and not any(c.isdigit() for c in raw) and _is_word(paren.group(1)):
            plan.append(Token("word", paren.group(1), paren.group(1)))
            plan.append(Token("side", SIDE_WORDS[paren.group(2).lower()], paren.group(2)))
            continue
        token = raw.strip("()[]")
        lowered = token.lower()
        if lowered in SIDE_WORDS:
            plan.append(Token("side", SIDE_WORDS[lowered], token))
        elif lowered.rstrip(".") in ANGLE_WORDS:
            plan.append(Token("angle", ANGLE_WORDS[lowered.rstrip(".")], token))
        elif DEPTH.match(token):
            plan.append(Token("depth", token, token))
        elif LEVEL.match(token):
            plan.append(Token("level", token.upper(), token))
        elif NUMBER.match(token):
            plan.append(Token("number", token, token))
        elif any(c.isdigit() for c in token):
            stuck = STUCK_SIDE.match(token)
            if stuck and _looks_like_code(stuck.group(1)):
                plan.append(Token("code", stuck.group(1), stuck.group(1)))
                side = stuck.group(2)
                plan.append(Token("side", SIDE_WORDS[side.lower()], side))
            else:
                plan.append(Token("code", token, token))
        elif _is_word(token):
            plan.append(Token("word", token, token))
        else:
            plan.append(Token("code", token, token))
    return "points", plan


def _is_word(text: str) -> bool:
    """Letters only (any script, tone marks included): a name or a part of one."""
    bare = text.replace("'", "").replace("’", "")
    return bool(bare) and bare.isalpha()


def name_candidates(tokens: list[Token]) -> set[str]:
    """What to ask the resolver: codes, single words, runs of up to four words, and for a GV
    code its GB twin (to suggest it when a side was given to the GV point)."""
    found = set()
    for index, token in enumerate(tokens):
        if token.kind in ("code", "word"):
            found.add(token.value)
            code = canonical_code(token.value)
            if code and code.startswith("GV"):
                found.add("GB" + code[2:])
        for size in range(2, MAX_NAME_WORDS + 1):
            window = tokens[index : index + size]
            if len(window) == size and all(t.nameable for t in window):
                found.add(" ".join(t.raw for t in window))
    return found


def _join_code(match: re.Match) -> str:
    prefix = match.group(1)
    bare = re.sub(r"[\s.\-]", "", prefix).upper()
    is_prefix = bare in MERIDIAN_PREFIXES or (bare.startswith("EX") and len(bare) <= 4)
    if not is_prefix:
        return match.group(0)
    return bare + match.group(2)


def _looks_like_code(text: str) -> bool:
    return bool(re.match(r"^[A-Za-z]{1,3}[\s.\-]*[A-Za-z]{0,2}[\s.\-]*0*\d{1,2}$", text))


def ear_refusal(entry: str) -> str:
    named = re.sub(r"\s+", " ", EAR.sub(" ", entry).replace("(", " ").replace(")", " ")).strip()
    if not named:
        return _("Ear points are recorded as an Auricular technique: press “Add auricular” below "
                 "and list the points there.")
    return _("Ear points are recorded as an Auricular technique: press “Add auricular” below and "
             "list %(named)s there.", named=named)


