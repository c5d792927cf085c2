"""Where the network picture writes a number on a line: the first of a few spots along it
that overlaps nothing written before (a node, a name, a node's dL/da, another number).

``Placer(figure, ax)`` measures, in the figure's renderer, every text already on ``ax`` and
every node marker; ``place(text, x0, y0, x1, y1, spots)`` moves ``text`` to the first
fraction t in ``spots`` at which it overlaps none of them (the point x0 + t (x1 - x0), ...),
or, when every spot overlaps something, to the one that overlaps least, and marks it taken.
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
        self.taken = [self._box(text) for text in ax.texts if text.get_text()]
        for markers in ax.collections:  # the nodes: circles (or squares) of area s pt²
            sizes = markers.get_sizes()
            for k, (x, y) in enumerate(markers.get_offsets()):
                cx, cy = ax.transData.transform((x, y))
                r = math.sqrt(sizes[k % len(sizes)] / math.pi) * figure.dpi / 72
                self.taken.append((cx - r, cy - r, cx + r, cy + r))

    def _box(self, text) -> tuple[float, float, float, float]:
        box = text.get_window_extent(self.renderer)
        return (box.x0 - PAD, box.y0 - PAD, box.x1 + PAD, box.y1 + PAD)

    def _overlap(self, box) -> float:
        area = 0.0
        for other in self.taken:
            width = min(box[2], other[2]) - max(box[0], other[0])
            height = min(box[3], other[3]) - max(box[1], other[1])
            if width > 0 and height > 0:
                area += width * height
        return area

    def place(self, text, x0: float, y0: float, x1: float, y1: float, spots) -> float:
        """Move ``text`` to the freest of ``spots`` (fractions along the line); returns it."""
        best, least = None, math.inf
        for t in spots:
            text.set_position((x0 + t * (x1 - x0), y0 + t * (y1 - y0)))
            overlap = self._overlap(self._box(text))
            if overlap < least:
                best, least = t, overlap
            if overlap == 0:
                break
        text.set_position((x0 + best * (x1 - x0), y0 + best * (y1 - y0)))
        self.taken.append(self._box(text))
        return best
