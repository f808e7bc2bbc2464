"""The progress chart's geometry, computed on the server: pain before and after each session
over time with the important-change band, and each function instrument on a panel of its own
under it, on the same time axis. The template (``outcomes/_progress_chart.html``) draws it as
SVG with presentation attributes only, so the same picture shows in the page, in print and in
the PDF export, with no script and no style sheet needed.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from markupsafe import Markup, escape

from tracker.scores.instruments import FUNCTION_INSTRUMENTS, INSTRUMENTS

WIDTH = 720
LEFT, RIGHT = 44, 16
PAIN_HEIGHT, FUNCTION_HEIGHT = 260, 150
TOP, BOTTOM = 16, 30
TITLE = 20  # room for a panel's title above it
MIN_SPAN_DAYS = 14
X_TICKS = 6
COLOURS = {"before": "#1d4f91", "after": "#b45309", "draft_before": "#1d4f91",
           "draft_after": "#b45309", "follow_up": "#15803d", "intake": "#111827",
           "score": "#6d28d9"}


@dataclass
class Marker:
    x: float
    y: float
    kind: str  # before, after, follow_up, intake, draft_before, draft_after, score
    value: Decimal
    label: str  # what a screen reader and the tooltip say
    href: str | None = None
    visit_id: int | None = None
    linked: bool = False  # the visit's one link (its first marker): one tab stop a visit

    def svg_text(self, links: bool = True) -> str:
        """The marker as SVG text, escaped (``Panel.markers_svg`` marks it safe): its shape,
        with what it says as its title, inside the link to its visit when it is the visit's
        first marker and ``links`` is on (off in the PDF).

        Written here rather than in the template: a course of 300 visits has 600 markers,
        and the template spent most of the page's time escaping their numbers one by one."""
        x, y, colour = self.x, self.y, COLOURS[self.kind]
        if self.kind == "follow_up":
            shape = f'<rect x="{x - 5}" y="{y - 5}" width="10" height="10" fill="{colour}"/>'
        elif self.kind == "intake":
            shape = (f'<path d="M{x} {y - 7} L{x + 7} {y} L{x} {y + 7} L{x - 7} {y} Z" '
                     f'fill="{colour}"/>')
        elif self.kind.startswith("draft_"):
            shape = (f'<circle cx="{x}" cy="{y}" r="5" fill="#ffffff" stroke="{colour}" '
                     'stroke-width="2" stroke-dasharray="2 2"/>')
        elif self.kind == "after":
            shape = (f'<circle cx="{x}" cy="{y}" r="5" fill="#ffffff" stroke="{colour}" '
                     'stroke-width="2.5"/>')
        else:
            shape = f'<circle cx="{x}" cy="{y}" r="5.5" fill="{colour}"/>'
        # The label and the link are escaped; the rest is numbers and this module's constants.
        label = escape(self.label)
        if self.linked and links:
            return (f'<a href="{escape(self.href)}" class="visit-marker" '
                    f'aria-label="{label}"><title>{label}</title><circle cx="{x}" cy="{y}" '
                    f'r="11" fill="#ffffff" fill-opacity="0"/>{shape}</a>')
        return f'<g aria-hidden="true"><title>{label}</title>{shape}</g>'


@dataclass
class Panel:
    title: str
    top: float
    height: float
    low: int
    high: int
    y_ticks: list[tuple[float, str]]
    lines: list[tuple[str, str]] = field(default_factory=list)  # (kind, "x,y x,y ...")
    markers: list[Marker] = field(default_factory=list)
    band: tuple[float, float, str] | None = None  # (top y, bottom y, label)
    baseline: tuple[float, str] | None = None  # (y, label)
    _drawn: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def markers_svg(self, links: bool = True) -> Markup:
        """Every marker of the panel as SVG, one a line: drawn in one call, not one template
        call each (a course of 300 visits has 600), and marked safe once, not each marker
        (each marker escapes its own label and link). Written once a panel (a kept course's
        chart is drawn again for every view: ``outcomes.kept_courses``)."""
        drawn = self._drawn.get(links)
        if drawn is None:
            # Each marker's text escapes what it writes (Marker.svg_text); the rest is numbers.
            drawn = self._drawn[links] = Markup("\n".join(  # nosec B704
                marker.svg_text(links) for marker in self.markers))
        return drawn


@dataclass
class Chart:
    width: int
    height: int
    left: int
    right: int
    x_ticks: list[tuple[float, str]]
    panels: list[Panel]

    @property
    def colours(self) -> dict[str, str]:
        """The colour of each kind of line and marker."""
        return COLOURS


@dataclass(frozen=True)
class Point:
    """One value to draw: its day, value, kind, and what it says."""

    day: date
    value: Decimal
    kind: str
    label: str
    href: str | None = None
    visit_id: int | None = None


class TimeAxis:
    def __init__(self, days: list[date]):
        self.first, last = min(days), max(days)
        if (last - self.first).days < MIN_SPAN_DAYS:
            last = self.first + timedelta(days=MIN_SPAN_DAYS)
        self.last = last
        # A margin of a day or so each side, so no marker sits on the plot's edge.
        margin = max(2, (last - self.first).days // 15)
        self.start, self.end = self.first - timedelta(days=margin), last + timedelta(days=margin)
        self.span = (self.end - self.start).days
        self._xs: dict[date, float] = {}  # a course's days, each placed once (twice drawn)

    def x(self, day: date) -> float:
        x = self._xs.get(day)
        if x is None:
            x = self._xs[day] = round(
                LEFT + (day - self.start).days / self.span * (WIDTH - LEFT - RIGHT), 1)
        return x

    def ticks(self) -> list[tuple[float, str]]:
        length = (self.last - self.first).days
        step = max(1, round(length / (X_TICKS - 1)))
        days = [self.first + timedelta(days=n) for n in range(0, length + 1, step)]
        return [(self.x(day), day.isoformat()) for day in days]


def pain_threshold(baseline: Decimal) -> Decimal | None:
    """The highest pain that counts as an important improvement on ``baseline``: at least 2
    points and 30% below it (None when no score could be that far down)."""
    threshold = baseline - max(Decimal(2), baseline * Decimal("0.3"))
    return threshold if threshold >= 0 else None


def build_chart(pain: list[Point], functions: dict[str, list[Point]], *,
                baseline: Decimal | None, labels: dict[str, str]) -> Chart | None:
    """The chart for an episode, or None when there is nothing to draw. ``labels`` holds the
    translated words the chart shows (band, baseline, panel titles)."""
    days = [p.day for p in pain] + [p.day for points in functions.values() for p in points]
    if not days:
        return None
    axis = TimeAxis(days)
    panels = [_pain_panel(axis, pain, baseline, labels)]
    top = panels[0].bottom + BOTTOM + TITLE
    for code in FUNCTION_INSTRUMENTS:
        if functions.get(code):
            panel = _function_panel(axis, code, functions[code], top, labels[code])
            panels.append(panel)
            top = panel.bottom + BOTTOM + TITLE
    top -= TITLE
    return Chart(WIDTH, int(top), LEFT, RIGHT, axis.ticks(), panels)


def _scale(panel_top: float, height: float, low: int, high: int):
    placed = {}  # a panel's scores take few values: each placed once

    def y(value) -> float:
        position = placed.get(value)
        if position is None:
            position = placed[value] = round(
                panel_top + (high - float(value)) / (high - low) * height, 1)
        return position
    return y


def _pain_panel(axis: TimeAxis, pain: list[Point], baseline, labels) -> Panel:
    y = _scale(TOP + TITLE, PAIN_HEIGHT, 0, 10)
    panel = Panel(labels["nrs"], TOP + TITLE, PAIN_HEIGHT, 0, 10,
                  [(y(v), str(v)) for v in range(0, 11, 2)])
    if baseline is not None:
        panel.baseline = (y(baseline), labels["baseline"])
        threshold = pain_threshold(baseline)
        if threshold is not None:
            panel.band = (y(threshold), y(0), labels["band"])
    # Each point placed once: its position is drawn in its line and as its marker.
    placed = [(p, axis.x(p.day), y(p.value)) for p in pain]
    for kind in ("before", "after"):
        series = [f"{x},{y_}" for p, x, y_ in placed if p.kind in (kind, f"draft_{kind}")]
        if len(series) > 1:
            panel.lines.append((kind, " ".join(series)))
    seen = set()
    for p, x, y_ in placed:
        linked = p.href is not None and p.visit_id not in seen
        seen.add(p.visit_id)
        panel.markers.append(Marker(x, y_, p.kind, p.value, p.label, p.href, p.visit_id,
                                    linked))
    return panel


def _function_panel(axis: TimeAxis, code: str, points: list[Point], top: float,
                    title: str) -> Panel:
    spec = INSTRUMENTS[code]
    y = _scale(top, FUNCTION_HEIGHT, spec.low, spec.high)
    step = {10: 2, 24: 6, 100: 25}[spec.high]
    panel = Panel(title, top, FUNCTION_HEIGHT, spec.low, spec.high,
                  [(y(v), str(v)) for v in range(spec.low, spec.high + 1, step)])
    if len(points) > 1:
        panel.lines.append(("score", " ".join(f"{axis.x(p.day)},{y(p.value)}" for p in points)))
    panel.markers = [Marker(axis.x(p.day), y(p.value), "score", p.value, p.label)
                     for p in points]
    return panel
