"""chainrule: neural networks trained by backpropagation and gradient descent, in NumPy.

>>> import chainrule
>>> net = chainrule.Network.from_node_weights({"node_0": [1, 1], "node_1": [-1, 1], "output": [2, -1]},
...                                            activation="identity")
>>> net.predict([2, 3])
array([9.])
"""

from . import optim, schedules
from ._version import __version__
from .errors import ChainruleError, ModelFormatError, TrainingDiverged
from .nn.activations import ACTIVATIONS, Activation
from .nn.losses import LOSSES, Loss
from .nn.network import Network
from .nn.propagation import Slopes, Trace
from .see.explain import Explanation, NodeRecord, WeightRecord
from .see.gradcheck import gradcheck, numerical_gradients
from .see.page import explain_html
from .train.callbacks import Callback, EarlyStopping, History


def load(path):
    """Read a model file (``Network.save``, ``chainrule train``, an estimator's ``save``).

    Gives a Network, or for a file a scikit-learn estimator saved (its parameters in
    ``info["sklearn"]``), that estimator around its network. Raises ModelFormatError, with a
    one-line reason, for anything that is not a valid chainrule model file.
    """
    network = Network.load(path)
    if isinstance(network.info.get("sklearn"), dict):
        from .sklearn import estimator_from

        return estimator_from(network, str(path))
    return network


#: The scikit-learn estimators, imported (with scikit-learn) only when first used.
_SKLEARN = ("MLPClassifier", "MLPRegressor")


def __getattr__(name: str):
    """``chainrule.MLPClassifier``/``MLPRegressor``: ``chainrule.sklearn``'s, and
    ``chainrule.plot`` (matplotlib's pictures), loaded on first use."""
    if name in _SKLEARN:
        from . import sklearn

        return getattr(sklearn, name)
    if name == "plot":
        import importlib

        return importlib.import_module(".plot", __name__)
    raise AttributeError(f"module 'chainrule' has no attribute {name!r}")


__all__ = [
    "ACTIVATIONS",
    "Callback",
    "EarlyStopping",
    "History",
    "optim",
    "schedules",
    "LOSSES",
    "Activation",
    "ChainruleError",
    "Explanation",
    "Loss",
    "ModelFormatError",
    "Network",
    "NodeRecord",
    "Slopes",
    "Trace",
    "TrainingDiverged",
    "WeightRecord",
    "__version__",
    "explain_html",
    "gradcheck",
    "load",
    "numerical_gradients",
]
