"""matplotlib, loaded only when a picture is drawn (the ``plot`` extra), and PNG bytes of a figure."""

from __future__ import annotations

import io

__all__ = ["figure_png", "require_matplotlib"]


def require_matplotlib():
    """pyplot, with the non-interactive Agg backend when no display is set."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError("plots need matplotlib: pip install 'chainrule[plot]'") from None
    import os

    if not os.environ.get("DISPLAY") and matplotlib.get_backend().lower() not in (
        "agg",
        "module://matplotlib_inline.backend_inline",
    ):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def figure_png(figure, dpi: int = 90) -> bytes:
    """PNG bytes of a matplotlib Figure."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()
