"""The quick-entry parser: a practitioner's shorthand turned into point rows.

    BL18 BL20 BL23 bilat, GV6, GV9, LI4 L, SP6 b/l, Ashi: left T7 paraspinal

Entries are separated by commas, semicolons or new lines (a comma between two digits is a
decimal comma: ``0,5cun``). Inside an entry, a side word (L, R, bilat, b/l, bilaterally ...)
applies to every point since the previous side word, so "BL18 BL20 bilat" makes both bilateral
and "LI4 L LI11 R" gives each its own side. A side may also come first ("left LI4") or be stuck
to the code ("LI4L", "LI4(R)"). GV and CV points are midline. ``12mm`` or ``0.5cun`` sets the
depth and ``perp``, ``obl`` or ``trans`` the angle of the pending points (or of the points the
last side word closed); ``T5-T8`` after EX-B2 (Huatuojiaji) makes one row per level.

A point may be typed by its code in any common spelling, an alias, its pinyin with or without
tones and spaces (``Hegu``, ``He Gu``, ``Hé Gǔ``) or its hanzi (``合谷``): the parser sends
every candidate (single words and runs of up to four adjacent words) to the ``resolve``
callback and keeps the longest run that names a point. A name shared by two points is refused.

``Ashi: <where>`` adds a custom point. Every needle has a place: the text must name a region
("upper trap", "chest", "lumbar" ...) or a level (T7, L4, ICS4, "4th intercostal"), and the
two must fit; paraspinal needs a level. One side is needed (a standalone L, R or B is a side,
"L4" is a level); "x3" (or "3x", "×3", "3 points") makes three needles at that place. A
trailing depth and angle apply to the Ashi point too.

Nothing is dropped silently: an unknown code, a paired point without a side, a side on a
midline point, an ear point, a word that means nothing ... each is refused with what to type
instead, and the text is kept for correction. What the parser did that the user should know
but need not correct (a side word that skipped a midline point) is a notice.
"""

from tracker.points.shorthand.parser import (
    ParsedRow,
    ParseResult,
    ResolvedCode,
    parse_quick_entry,
)
from tracker.points.shorthand.writer import to_shorthand

__all__ = ["ParseResult", "ParsedRow", "ResolvedCode", "parse_quick_entry", "to_shorthand"]
