"""Loss curves in one look for ``History.plot``, the command line's loss.png and the report.

Drawn: the training loss (solid, blue) and the validation loss (dashed, orange) against
epoch, and, when early stopping restored an earlier epoch's weights, a dotted line at
that epoch with its validation loss marked.
"""

from __future__ import annotations

__all__ = ["draw_loss_curves", "loss_figure"]

TRAIN, VALIDATION, BEST = "#1d4ed8", "#ea580c", "#15803d"


def draw_loss_curves(history, ax, title: str | None = None) -> None:
    """Draw ``history``'s loss (and val_loss) on the matplotlib Axes ``ax``."""
    name = history.params.get("loss", "loss")
    losses = history.history.get("loss", [])
    # A curve of one point draws no line: its markers show it (a run of one epoch).
    ax.plot(history.epoch[: len(losses)], losses, color=TRAIN, lw=1.8, label=f"training {name}",
            marker="o" if len(losses) == 1 else None)  # fmt: skip
    validation = history.history.get("val_loss")
    epochs = history.epoch[: len(validation or [])]
    start = history.params.get("start_val_loss")
    if validation and start is not None:  # early stopping counted the starting weights as epoch 0
        epochs, validation = [0, *epochs], [start, *validation]
    if validation:
        ax.plot(epochs, validation, "--", color=VALIDATION, lw=1.8, label=f"validation {name}",
                marker="s" if len(validation) == 1 else None)  # fmt: skip
    best = history.best_epoch
    if best is not None and (best in history.epoch or (best == 0 and start is not None)):
        kept = "the starting weights (epoch 0)" if best == 0 else f"epoch {best}"
        ax.axvline(best, color=BEST, ls=":", lw=1.5, label=f"restored by early stopping: {kept}")
        curve, at = (validation, epochs.index(best)) if validation else (losses, history.epoch.index(best))
        if at < len(curve):
            ax.plot([best], [curve[at]], "o", color=BEST, ms=6)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if len(set(history.epoch) | ({0} if start is not None and validation else set())) == 1:
        ax.set_xlim(history.epoch[0] - 1, history.epoch[0] + 1)  # whole epochs around the one run
    ax.set_xlabel("Epoch")
    ax.set_ylabel(f"Loss ({name})")
    ax.set_title(title or "Loss against epoch")
    ax.grid(alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if losses:  # below the axes, where it covers no curve and no line
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(0, -0.2), borderaxespad=0)


def loss_figure(history, title: str | None = None):
    """A new Figure (not registered with pyplot) holding the loss curves."""
    from .pyplot import require_matplotlib

    require_matplotlib()
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 4.6))
    draw_loss_curves(history, figure.add_subplot(), title)
    figure.tight_layout()
    return figure
