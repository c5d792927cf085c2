"""What a model file says about its network, checked against it before the network is built.

``files.modelfile.read`` calls these on the metadata, before any tensor data is read, so
that every command that loads the file refuses a bad one in one line instead of failing
later (``evaluate`` on a loss the output layer cannot take, ``predict`` on a statistic
that overflows):

* ``info`` is a JSON object;
* the stored preprocessing's statistics are numbers in the range ``fit`` gives and
  applying them cannot overflow float64 (``check_statistics``), and the rest is as
  ``Preprocessor.from_dict`` checks it; it gives the network's inputs, and the output
  layer suits the task (``check_outputs``);
* a table model (one with preprocessing) records the loss it was trained with, a loss
  its output layer can take (``check_loss``), as ``evaluate`` and ``explain`` compute it.

Each failure is a ``ModelFormatError`` naming the field and what it holds.
"""

from __future__ import annotations

from .._validation import shown
from ..errors import ModelFormatError
from ..nn.losses import LOSSES

__all__ = [
    "SPREAD_FLOOR",
    "STATISTIC_LIMIT",
    "check_loss",
    "check_outputs",
    "check_statistics",
    "checked_info",
    "checked_preprocessing",
]

#: The largest magnitude of a stored mean, fill value or standard deviation. A column is
#: trained on magnitudes up to 1e150 (``tables.formats.magnitude_limit``), so its statistics
#: stay within that; the margin allows for rounding.
STATISTIC_LIMIT = 1e152

#: The smallest stored standard deviation: ``(x - mean) / std`` of a value within
#: ``STATISTIC_LIMIT`` of the mean is then at most 1e304, short of float64's 1.8e308, so
#: standardising never overflows (a value that far out is refused by ``predict`` after it).
SPREAD_FLOOR = 1e-152


def checked_info(metadata: dict, where: str) -> dict:
    """The file's free-form ``info``: a JSON object ({} when the file has none)."""
    info = metadata.get("info", {})
    if not isinstance(info, dict):
        raise ModelFormatError(
            f"{where}: info must be a JSON object, got {shown(info)} (corrupted); restore the file or train again"
        )
    return info


def check_statistics(data, where: str) -> None:
    """ModelFormatError unless every stored mean, fill value and target mean lies within
    ±``STATISTIC_LIMIT`` and every standard deviation between ``SPREAD_FLOOR`` and
    ``STATISTIC_LIMIT``: then ``(x - mean) / std`` and ``y × target_std + target_mean`` stay
    finite in float64 for the values ``predict`` accepts.

    Only numbers are checked here (a JSON integer of any size among them, which float()
    would overflow on); other values are left to ``Preprocessor.from_dict``, which names them.
    """
    if not isinstance(data, dict):
        return
    numeric = data.get("numeric")
    fields = [("target_mean", data.get("target_mean"), False), ("target_std", data.get("target_std"), True)]
    for name, stats in numeric.items() if isinstance(numeric, dict) else ():
        if isinstance(stats, dict):
            fields += [
                (f"numeric[{name!r}].{key}", stats.get(key), key == "std") for key in ("mean", "std", "fill")
            ]
    for field, value, spread in fields:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        low = SPREAD_FLOOR if spread else -STATISTIC_LIMIT
        if not low <= value <= STATISTIC_LIMIT:  # False for NaN and inf, exact for any integer
            allowed = (
                f"between {SPREAD_FLOOR:g} and {STATISTIC_LIMIT:g}"
                if spread
                else f"within ±{STATISTIC_LIMIT:g}"
            )
            raise ModelFormatError(
                f"{where}: preprocessing {field} is {_number(value)}, not {allowed}, "
                "so applying it could overflow (corrupted or hand-edited); restore the file or train again"
            )


def checked_preprocessing(data, sizes: list[int], output_activation: str, where: str):
    """The stored preprocessing as a Preprocessor, checked: its numbers (``check_statistics``),
    every field (``Preprocessor.from_dict``), its inputs against ``sizes[0]``, and the output
    layer (``sizes[-1]`` wide, ending in ``output_activation``) against its task."""
    from ..tables.preprocess import Preprocessor

    check_statistics(data, where)
    try:
        preprocessor = Preprocessor.from_dict(data)
    except (ValueError, TypeError, KeyError, OverflowError) as error:
        raise ModelFormatError(f"{where}: invalid preprocessing ({error})") from None
    if preprocessor.n_inputs != sizes[0]:
        raise ModelFormatError(
            f"{where}: preprocessing gives {preprocessor.n_inputs} inputs, network takes {sizes[0]}"
        )
    check_outputs(preprocessor, sizes[-1], output_activation, where)
    return preprocessor


def check_outputs(preprocessor, n_outputs: int, activation: str, where: str) -> None:
    """ModelFormatError unless the output layer suits the task, as ``chainrule train`` builds it.

    Regression has one identity output; classification one softmax output per class label,
    or a single sigmoid output for two labels.
    """
    if preprocessor.task == "regression":
        if n_outputs != 1:
            raise ModelFormatError(
                f"{where}: a regression model has one output, this network has {n_outputs}"
            )
        wanted = "identity"
    else:
        n_labels = len(preprocessor.labels)
        if n_outputs != n_labels and not (n_labels == 2 and n_outputs == 1):
            raise ModelFormatError(
                f"{where}: preprocessing has {n_labels} class labels but the network has "
                f"{n_outputs} output{'s' if n_outputs > 1 else ''}; "
                "a classifier has one output per label (or one output for two labels)"
            )
        wanted = "sigmoid" if n_outputs == 1 else "softmax"
    if activation != wanted:
        raise ModelFormatError(
            f"{where}: the output activation is {activation!r}, but a {preprocessor.task} model with "
            f"{n_outputs} output{'s' if n_outputs > 1 else ''} ends in {wanted!r} (corrupted or hand-edited); "
            "restore the file or train again"
        )


def check_loss(info: dict, output_activation, where: str) -> None:
    """ModelFormatError unless ``info["loss"]`` names a loss (``nn.losses.LOSSES``) that the
    output layer, ending in ``output_activation`` (an Activation), can take: the loss
    ``evaluate`` and ``explain`` compute for a table model."""
    loss = info.get("loss")
    if loss is None:
        raise ModelFormatError(
            f"{where}: info has no loss; a model trained by chainrule train records the loss it was "
            "trained with, which evaluate and explain compute; restore the file or train again"
        )
    try:
        loss_class = LOSSES.resolve(loss, "info.loss")
    except ValueError as error:
        raise ModelFormatError(
            f"{where}: {error} (corrupted or hand-edited); restore the file or train again"
        ) from None
    try:
        loss_class().check_output(output_activation)
    except ValueError:
        raise ModelFormatError(
            f"{where}: info.loss is {loss!r}, which an output layer ending in {output_activation.name!r} "
            "cannot take (corrupted or hand-edited); restore the file or train again"
        ) from None


def _number(value) -> str:
    """A stored number for a message: a float as ``%g``, an integer in digits (cut to 60)."""
    return f"{value:g}" if isinstance(value, float) else shown(value)
