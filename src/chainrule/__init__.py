"""chainrule: neural networks trained by backpropagation and gradient descent, in NumPy.

>>> import chainrule
>>> net = chainrule.Network.from_node_weights({"node_0": [1, 1], "node_1": [-1, 1], "output": [2, -1]},
...                                            activation="identity")
>>> net.predict([2, 3])
array([9.])
"""

from . import optim, schedules
from .activations import ACTIVATIONS, Activation
from .callbacks import Callback, EarlyStopping, History
from .errors import ChainruleError, ModelFormatError, TrainingDiverged
from .explain import Explanation, NodeRecord, WeightRecord
from .gradcheck import gradcheck, numerical_gradients
from .losses import LOSSES, Loss
from .modelfile import load
from .network import Network
from .propagation import Slopes, Trace
from .see.page import explain_html

__version__ = "0.1.0"

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
