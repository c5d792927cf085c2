"""Pictures (need matplotlib, the ``plot`` extra): the loss against epoch, as the course plots
it, and ``network``, the course's network picture (in ``chainrule.see``)."""

from __future__ import annotations

__all__ = ["network", "plot_history", "require_matplotlib"]


def network(net, x=None, y=None, loss="mse", path=None, *, input_names=None):
    """The network picture: architecture; forward values with ``x``; slopes and loss with ``y``.

    Returns a matplotlib Figure; ``path`` ending in .svg or .png also writes it. See
    ``chainrule.see.network_picture`` for what is drawn.
    """
    from .see.network_picture import network as draw_network

    return draw_network(net, x, y, loss, path, input_names=input_names)


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


def plot_history(history, path=None, ax=None, title=None):
    """Plot ``loss`` and ``val_loss`` of a History against epoch, marking the epoch early stopping
    restored (the look of ``chainrule.see.curves``); save to ``path`` if given. Returns the Axes."""
    from .see.curves import draw_loss_curves

    plt = require_matplotlib()
    figure = None
    if ax is None:
        figure, ax = plt.subplots(figsize=(6, 4))
    draw_loss_curves(history, ax, title)
    if path is not None:
        (figure or ax.figure).tight_layout()
        (figure or ax.figure).savefig(path, dpi=120)
    if figure is not None and path is not None:
        plt.close(figure)
    return ax
