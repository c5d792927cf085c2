"""Loss curves: the loss against epoch, as the course plots it (needs matplotlib, the ``plot`` extra)."""

from __future__ import annotations

from .pyplot import require_matplotlib, save_figure

__all__ = ["plot_history", "require_matplotlib"]


def plot_history(history, path=None, ax=None, title=None):
    """Plot ``loss`` and ``val_loss`` of a History against epoch, marking the epoch early stopping
    restored (the look of ``chainrule.see.curves``); save to ``path`` if given. Returns the Axes."""
    from .curves import draw_loss_curves

    plt = require_matplotlib()
    figure = None
    if ax is None:
        figure, ax = plt.subplots(figsize=(6, 4.6))  # the legend goes below the axes
    draw_loss_curves(history, ax, title)
    if path is not None:
        (figure or ax.figure).tight_layout()
        save_figure(figure or ax.figure, path, dpi=120)
    if figure is not None and path is not None:
        plt.close(figure)
    return ax
