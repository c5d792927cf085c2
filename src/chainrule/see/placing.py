"""Where the network picture writes a number on a line: the first of a few spots along it
that overlaps nothing written before (a node, a name, a node's dL/da, another number).

``Placer(figure, ax)`` measures, in the figure's renderer, every text already on ``ax`` and
every node marker; ``place(text, x0, y0, x1, y1, spots)`` moves ``text`` to the first
fraction t in ``spots`` at which it overlaps none of them (the point x0 + t (x1 - x0), ...),
or, when every spot overlaps something, to the one that overlaps least, and marks it taken.

A number lies along its line, so each text is measured as the rectangle it fills, turned by
its rotation (``outline``), and two texts overlap by the area their rectangles share
(``shared_area``, the one convex polygon clipped by the other).
"""

from __future__ import annotations

import math

__all__ = ["Placer"]

PAD = 1.0  # pixels kept clear around each text


class Placer:
    def __init__(self, figure, ax):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        if not hasattr(figure.canvas, "get_renderer"):
            FigureCanvasAgg(figure)
        self.renderer = figure.canvas.get_renderer()
        self.taken = [outline(text, self.renderer, PAD) for text in ax.texts if text.get_text()]
        for markers in ax.collections:  # the nodes: circles (or squares) of area s pt²
            sizes = markers.get_sizes()
            for k, (x, y) in enumerate(markers.get_offsets()):
                cx, cy = ax.transData.transform((x, y))
                r = math.sqrt(sizes[k % len(sizes)] / math.pi) * figure.dpi / 72
                self.taken.append([(cx - r, cy - r), (cx + r, cy - r), (cx + r, cy + r), (cx - r, cy + r)])

    def _overlap(self, corners) -> float:
        return sum(shared_area(corners, other) for other in self.taken)

    def place(self, text, x0: float, y0: float, x1: float, y1: float, spots) -> float:
        """Move ``text`` to the freest of ``spots`` (fractions along the line); returns it."""
        best, least = None, math.inf
        for t in spots:
            text.set_position((x0 + t * (x1 - x0), y0 + t * (y1 - y0)))
            overlap = self._overlap(outline(text, self.renderer, PAD))
            if overlap < least:
                best, least = t, overlap
            if overlap == 0:
                break
        text.set_position((x0 + best * (x1 - x0), y0 + best * (y1 - y0)))
        self.taken.append(outline(text, self.renderer, PAD))
        return best


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
