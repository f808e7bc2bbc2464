"""Building the rows of one entry of codes, names, sides, depths, angles and levels."""

from dataclasses import replace
from decimal import Decimal, InvalidOperation

from tracker.i18n import _
from tracker.points.regions import HUATUOJIAJI_LEVELS
from tracker.points.shorthand.rows import ParsedRow, ResolvedCode
from tracker.points.shorthand.tokens import (
    DEPTH,
    LEVEL,
    MAX_NAME_WORDS,
    Token,
    unknown_refusal,
)


class EntryBuilder:
    """The rows of one entry of codes, names, sides, depths, angles and levels."""

    def __init__(self, tokens: list[Token], resolved: dict[str, ResolvedCode], result):
        self.tokens, self.resolved, self.result = tokens, resolved, result
        self.rows: list[ParsedRow] = []  # this entry's rows
        self.pending: list[ParsedRow] = []  # rows since the last side word
        self.last_group: list[ParsedRow] = []  # the rows the last side word applied to
        self.leading: Token | None = None  # a side given before its points ("left LI4")
        self.unknown: list[str] = []  # adjacent unknown words, reported as one
        self.refused_point = False  # a point was refused: its side word is no orphan

    def build(self) -> None:
        index = 0
        while index < len(self.tokens):
            size, name = self._name_at(index)
            if name is not None:
                self._add_point(name)
                index += size
                continue
            token = self.tokens[index]
            index += 1
            if token.kind == "word" and token.value not in self.resolved:
                self.unknown.append(token.raw)
                continue
            self._flush_unknown()
            if token.kind in ("code", "word"):
                self._add_point(token.value)
            elif token.kind == "side":
                self._side(token)
            elif token.kind == "number":
                self.result.errors.append(
                    _("“%(typed)s”: give the unit, e.g. “%(typed)smm” or “%(typed)scun”.",
                      typed=token.raw)
                )
            else:
                targets = self.pending or self.last_group
                if not targets:
                    example = f"EX-B2 {token.raw} bilat" if token.kind == "level" else \
                        f"LI4 L {token.raw}"
                    self.result.errors.append(
                        _("“%(typed)s” comes before any point: write it after its point, "
                          "e.g. “%(example)s”.", typed=token.raw, example=example)
                    )
                elif token.kind == "depth":
                    self._depth(token, targets)
                elif token.kind == "angle":
                    for row in targets:
                        row.angle = token.value
                else:
                    self._levels(token, targets)
        self._flush_unknown()
        if self.leading is not None:
            if self.pending:
                self._apply_side(self.leading, self.pending)
            elif not self.refused_point:
                self.result.errors.append(
                    _("“%(side)s” is a side with no point: write it next to its point, e.g. "
                      "“LI4 %(side)s”.", side=self.leading.raw)
                )
        for row in self.rows:
            if row.catalog.needs_level and not row.level:
                self.result.errors.append(
                    _("%(code)s: give the vertebral level, e.g. “%(code)s T7 bilat” or a "
                      "range, “%(code)s T5-T7 bilat” (T1 to L5).", code=row.code)
                )
            if row.laterality is None:
                self.result.errors.append(
                    _("%(code)s: give a side, e.g. “%(code)s L”, “%(code)s R” or "
                      "“%(code)s bilat”.", code=row.code)
                )
                row.laterality = "?"

    def _name_at(self, index: int) -> tuple[int, str | None]:
        """The longest run of words from ``index`` that names a point ("Zu San Li")."""
        for size in range(MAX_NAME_WORDS, 1, -1):
            window = self.tokens[index : index + size]
            if len(window) == size and all(t.nameable for t in window):
                name = " ".join(t.raw for t in window)
                if name in self.resolved:
                    return size, name
        return 1, None

    def _flush_unknown(self) -> None:
        if self.unknown:
            self.result.errors.append(unknown_refusal(" ".join(self.unknown)))
            self.unknown = []
            self.refused_point = True

    def _add_point(self, typed: str) -> None:
        point = self.resolved.get(typed)
        if point is None:
            self.result.errors.append(unknown_refusal(typed))
            self.refused_point = True
            return
        if point.candidates:
            self.refused_point = True
            *first, last = point.candidates
            self.result.errors.append(
                _("“%(typed)s” could be %(first)s or %(last)s: type the code.",
                  typed=typed, first=", ".join(first), last=last)
            )
            return
        row = ParsedRow(
            code=point.code, laterality="midline" if point.midline else None, catalog=point
        )
        self.rows.append(row)
        self.pending.append(row)
        self.result.rows.append(row)

    def _side(self, token: Token) -> None:
        if not self.pending:
            if self.refused_point:
                return  # the side of a refused point: the refusal says enough
            if self.leading is not None:
                self.result.errors.append(
                    _("“%(first)s %(second)s”: two sides with no point between them: keep one, "
                      "e.g. “LI4 %(second)s”.", first=self.leading.raw, second=token.raw)
                )
            self.leading = token
            return
        if self.leading is not None and self.leading.value != token.value:
            codes = " ".join(row.code for row in self.pending)
            self.result.errors.append(
                _("%(codes)s: two sides given (“%(first)s” and “%(second)s”): keep one, or put "
                  "a comma between points with different sides, e.g. “LI4 L, LI11 R”.",
                  codes=codes, first=self.leading.raw, second=token.raw)
            )
            for row in self.pending:
                row.laterality = row.laterality or "?"
        else:
            self._apply_side(token, self.pending)
        self.leading = None
        self.last_group, self.pending = self.pending, []

    def _apply_side(self, token: Token, group: list[ParsedRow]) -> None:
        midline = [row for row in group if row.catalog.midline]
        paired = [row for row in group if not row.catalog.midline]
        if token.value == "midline":
            for row in paired:
                self.result.errors.append(
                    _("%(code)s is not on the midline: give a side, e.g. “%(code)s L”, "
                      "“%(code)s R” or “%(code)s bilat”.", code=row.code)
                )
                row.laterality = "?"
            return
        for row in paired:
            row.laterality = token.value
        for code in dict.fromkeys(row.code for row in midline):
            if paired:
                self.result.notices.append(
                    _("%(code)s is on the midline: kept as one needle (midline).", code=code)
                )
            else:
                twin = self._twin(code)
                if twin:
                    self.result.errors.append(
                        _("%(code)s is on the midline (one needle): type “%(code)s” without a "
                          "side, or did you mean %(twin)s?", code=code, twin=twin)
                    )
                else:
                    self.result.errors.append(
                        _("%(code)s is on the midline (one needle): type “%(code)s” without a "
                          "side.", code=code)
                    )

    def _twin(self, code: str) -> str:
        """GV20 typed with a side may have meant GB20: its code, or ""."""
        if code.startswith("GV"):
            twin = self.resolved.get("GB" + code[2:])
            if twin is not None and twin.code:
                return twin.code
        return ""

    def _depth(self, token: Token, targets: list[ParsedRow]) -> None:
        number, unit = DEPTH.match(token.value).groups()
        try:
            depth = Decimal(number.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the regex admits only numbers
            self.result.errors.append(_("“%(typed)s” is not a depth.", typed=token.raw))
            return
        for row in targets:
            row.depth, row.depth_unit = depth, unit.lower()

    def _levels(self, token: Token, targets: list[ParsedRow]) -> None:
        start_letter, start, end_letter, end = LEVEL.match(token.value).groups()
        first = f"{start_letter.upper()}{int(start)}"
        last = f"{(end_letter or start_letter).upper()}{int(end)}" if end else first
        order = HUATUOJIAJI_LEVELS
        if first not in order or last not in order or order.index(last) < order.index(first):
            self.result.errors.append(
                _("“%(typed)s” is not a vertebral level or range from T1 to L5 (EX-B2 runs "
                  "from T1 to L5): type e.g. “EX-B2 T5-T7 bilat”.", typed=token.raw)
            )
            return
        levels = order[order.index(first) : order.index(last) + 1]
        rows = [row for row in targets if row.catalog.needs_level]
        if not rows:
            self.result.errors.append(
                _("“%(typed)s”: a level only goes with EX-B2 (Huatuojiaji), e.g. "
                  "“EX-B2 %(typed)s bilat”; for a tender spot type “Ashi: left %(first)s "
                  "paraspinal”.", typed=token.raw, first=first)
            )
            return
        for row in rows:
            if row.level:
                self.result.errors.append(
                    _("“%(typed)s”: %(code)s already has level %(level)s: give one level or "
                      "range, e.g. “%(code)s T5-T7 bilat”.",
                      typed=token.raw, code=row.code, level=row.level)
                )
                return
            copies = [replace(row, level=level) for level in levels]
            for group in (self.rows, self.pending, self.last_group, self.result.rows):
                at = next((i for i, r in enumerate(group) if r is row), None)
                if at is not None:
                    group[at : at + 1] = copies


