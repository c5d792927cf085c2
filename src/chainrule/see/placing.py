"""Where the network picture writes a number on a line: the first of a few spots along it
that overlaps nothing written before (a node, a name, a node's dL/da, another number), then,
once every number is placed, a spot where no other line crosses it either.

``Placer(figure, ax)`` measures, in the figure's renderer, every text already on ``ax`` and
every node marker; ``place(text, x0, y0, x1, y1, spots)`` moves ``text`` to the first
fraction t in ``spots`` at which it overlaps none of them (the point x0 + t (x1 - x0), ...),
or, when every spot overlaps something, to the one that overlaps least, and marks it taken.
``add_lines`` tells it the lines drawn, and ``settle`` then moves each number that another
line crosses to the spot of its own line that fewest lines cross (by the area they share)
among those where it hides no text: a number over another hides it, a line through a
number only blurs whose it is, so the first never gives way to the second.

A number lies along its line, so each text is measured as the rectangle it fills, turned by
its rotation (``outline``), and two texts overlap by the area their rectangles share
(``shared_area``, the one convex polygon clipped by the other).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Placer"]

PAD = 1.0  # pixels kept clear around each text


@dataclass
class _Placed:
    """A number placed: its text, its line (data coordinates), the spots it may take, and its
    outline at the line's start (pixels) with the line's run in pixels, to move it along."""

    text: object
    ends: tuple[float, float, float, float]
    spots: tuple
    start: list[tuple[float, float]]
    run: tuple[float, float]
    at: float

    def corners(self, t: float) -> list[tuple[float, float]]:
        dx, dy = t * self.run[0], t * self.run[1]
        return [(x + dx, y + dy) for x, y in self.start]


class Placer:
    def __init__(self, figure, ax):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        if not hasattr(figure.canvas, "get_renderer"):
            FigureCanvasAgg(figure)
        self.renderer = figure.canvas.get_renderer()
        self.ax, self.lines, self.placed = ax, [], []
        self.taken = []  # (corners, box): the texts and nodes, measured once
        for text in ax.texts:
            if text.get_text():
                self.taken.append(_with_box(outline(text, self.renderer, PAD)))
        for markers in ax.collections:  # the nodes: circles (or squares) of area s pt²
            sizes = markers.get_sizes()
            for k, (x, y) in enumerate(markers.get_offsets()):
                cx, cy = ax.transData.transform((x, y))
                r = math.sqrt(sizes[k % len(sizes)] / math.pi) * figure.dpi / 72
                self.taken.append(
                    _with_box([(cx - r, cy - r), (cx + r, cy - r), (cx + r, cy + r), (cx - r, cy + r)])
                )

    def add_lines(self, lines) -> None:
        """Lines drawn, each (x0, y0, x1, y1, width in points) in data coordinates."""
        dpi = self.ax.figure.dpi
        for x0, y0, x1, y1, width in lines:
            (a, b), (c, d) = self.ax.transData.transform([(x0, y0), (x1, y1)])
            half = width * dpi / 72 / 2
            self.lines.append(((x0, y0, x1, y1), band(a, b, c, d, half), (a, b, c, d, half)))

    def _texts(self, corners, skip=None) -> float:
        """The area of texts and nodes (but ``skip``, an index into ``taken``) ``corners`` covers."""
        x0, x1, y0, y1 = _box(corners)
        return sum(
            shared_area(corners, other)
            for k, (other, (a0, a1, b0, b1)) in enumerate(self.taken)
            if a0 < x1 and x0 < a1 and b0 < y1 and y0 < b1 and k != skip  # boxes apart: nothing shared
        )

    def _lines(self, corners, own) -> float:
        """The area of the lines but ``own`` that ``corners`` covers."""
        x0, x1, y0, y1 = _box(corners)
        cx, cy, reach = (x0 + x1) / 2, (y0 + y1) / 2, math.hypot(x1 - x0, y1 - y0) / 2
        return sum(
            shared_area(corners, band)
            for ends, band, (a, b, c, d, half) in self.lines
            if ends != own and _distance(cx, cy, a, b, c, d) < reach + half  # else too far to touch
        )

    def place(self, text, x0: float, y0: float, x1: float, y1: float, spots) -> float:
        """Move ``text`` to the freest of ``spots`` (fractions along the line); returns it."""
        # Measured once, at the line's start; a spot moves the rectangle along the line as drawn.
        text.set_position((x0, y0))
        (a, b), (c, d) = self.ax.transData.transform([(x0, y0), (x1, y1)])
        placed = _Placed(
            text, (x0, y0, x1, y1), tuple(spots), outline(text, self.renderer, PAD), (c - a, d - b), 0.0
        )
        best, least = None, math.inf
        for t in placed.spots:
            overlap = self._texts(placed.corners(t))
            if overlap < least:
                best, least = t, overlap
            if overlap == 0:
                break
        self._move(placed, best)
        self.taken.append(_with_box(placed.corners(best)))
        self.placed.append((placed, len(self.taken) - 1))
        return best

    def settle(self) -> None:
        """Move each number another line crosses to the spot of its line that fewest lines
        cross, among those where it hides no text and nothing hides it (see the docstring)."""
        for placed, index in self.placed:
            crossed = self._lines(placed.corners(placed.at), placed.ends)
            if crossed == 0 or self._texts(placed.corners(placed.at), skip=index) > 0:
                continue
            best = placed.at
            for t in placed.spots:
                corners = placed.corners(t)
                if self._texts(corners, skip=index) == 0:
                    lines = self._lines(corners, placed.ends)
                    if lines < crossed:
                        best, crossed = t, lines
                    if lines == 0:
                        break
            if best != placed.at:
                self._move(placed, best)
                self.taken[index] = _with_box(placed.corners(best))

    @staticmethod
    def _move(placed: _Placed, t: float) -> None:
        x0, y0, x1, y1 = placed.ends
        placed.text.set_position((x0 + t * (x1 - x0), y0 + t * (y1 - y0)))
        placed.at = t


def _with_box(corners):
    return corners, _box(corners)


def outline(text, renderer, pad: float = 0.0) -> list[tuple[float, float]]:
    """The four corners (pixels, counter-clockwise) of the rectangle ``text`` fills, ``pad``
    pixels wider on every side, turned by its rotation about the rectangle's centre."""
    angle = text.get_rotation()
    text.set_rotation(0)
    box = text.get_window_extent(renderer)
    text.set_rotation(angle)
    cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    w, h = box.width / 2 + pad, box.height / 2 + pad
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    return [(cx + dx * c - dy * s, cy + dx * s + dy * c) for dx, dy in ((-w, -h), (w, -h), (w, h), (-w, h))]


def _box(corners) -> tuple[float, float, float, float]:
    """(x min, x max, y min, y max) of ``corners``."""
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return min(xs), max(xs), min(ys), max(ys)


def _distance(x: float, y: float, a: float, b: float, c: float, d: float) -> float:
    """How far the point (x, y) is from the segment from (a, b) to (c, d)."""
    dx, dy = c - a, d - b
    t = ((x - a) * dx + (y - b) * dy) / (dx * dx + dy * dy or 1.0)
    t = min(1.0, max(0.0, t))
    return math.hypot(x - a - t * dx, y - b - t * dy)


def band(a: float, b: float, c: float, d: float, half: float) -> list[tuple[float, float]]:
    """The rectangle (pixels, corners counter-clockwise) a line from (a, b) to (c, d) of
    half-width ``half`` fills."""
    length = math.hypot(c - a, d - b) or 1.0
    nx, ny = -(d - b) / length * half, (c - a) / length * half  # the normal, to the left
    return [(a - nx, b - ny), (c - nx, d - ny), (c + nx, d + ny), (a + nx, b + ny)]


def shared_area(a, b) -> float:
    """The area two convex polygons (corners counter-clockwise) share: ``a`` clipped by each
    edge of ``b`` in turn (Sutherland–Hodgman), then the shoelace formula."""
    if max(x for x, _ in a) <= min(x for x, _ in b) or max(x for x, _ in b) <= min(x for x, _ in a):
        return 0.0
    if max(y for _, y in a) <= min(y for _, y in b) or max(y for _, y in b) <= min(y for _, y in a):
        return 0.0
    kept = list(a)
    for (px, py), (qx, qy) in zip(b, b[1:] + b[:1]):

        def side(point, px=px, py=py, qx=qx, qy=qy):  # > 0: left of p → q, inside b
            return (qx - px) * (point[1] - py) - (qy - py) * (point[0] - px)

        points, kept = kept, []
        for k, here in enumerate(points):
            before = points[k - 1]
            s_here, s_before = side(here), side(before)
            if (s_here >= 0) != (s_before >= 0):
                t = s_before / (s_before - s_here)
                kept.append((before[0] + t * (here[0] - before[0]), before[1] + t * (here[1] - before[1])))
            if s_here >= 0:
                kept.append(here)
        if len(kept) < 3:
            return 0.0
    return 0.5 * abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(kept, kept[1:] + kept[:1])))
