"""The Network: a stack of dense layers that predicts, measures its loss and finds its slopes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .._validation import as_dtype, as_matrix, as_targets, sample_weights, seed_value
from . import propagation
from .activations import Activation, get_activation
from .flat import holds, pack
from .init import initial_layers
from .layers import Dense, check_layers
from .losses import CrossEntropy, Loss, get_loss
from .memory import check_memory, network_bytes
from .node_weights import chained_sizes, check_sizes, node_weight_matrices, weight_matrix

__all__ = ["Network"]


class Network:
    """A fully connected feed-forward network.

    Parameters
    ----------
    sizes : [n_inputs, hidden..., n_outputs]
    activation : name or Activation for the hidden layers, or a list with one per hidden layer
    output_activation : activation of the output layer ("identity", "sigmoid", "softmax", ...)
    bias : whether every layer has a bias
    init : "normal" (the course's normal(0, 1/sqrt(n_in))), "glorot_uniform", "he_normal" or
        "scikit_learn" (its MLP's uniform weights and biases; see chainrule.nn.init)
    seed : seed of the NumPy Generator that draws the initial weights, or a Generator or
        RandomState that draws them
    dtype : "float64" or "float32"; every computation follows it
    max_memory : bytes the weights may take, checked before allocating (None: what is available)

    ``net.layers[l].weight`` is ``(n_in, n_out)`` and ``net.layers[l].bias`` is ``(n_out,)``
    (or None); writing into them changes the network.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str | Activation | Sequence[str | Activation] = "relu",
        output_activation: str | Activation = "identity",
        bias: bool = True,
        init: str = "normal",
        seed: int | np.random.Generator | np.random.RandomState | None = None,
        dtype: str = "float64",
        max_memory: float | None = None,
    ) -> None:
        sizes = check_sizes(sizes)
        self.dtype = as_dtype(dtype)
        if not isinstance(bias, (bool, np.bool_)):
            raise ValueError(f"bias must be True or False, got {bias!r}")
        n_hidden = len(sizes) - 2
        if activation is None or isinstance(activation, (bytes, int, float)):
            raise ValueError(
                f"activation must name an activation (e.g. 'relu') or list one per hidden layer, got {activation!r}"
            )
        if isinstance(activation, (str, Activation)):
            hidden = [get_activation(activation) for _ in range(n_hidden)]
        else:
            activation = list(activation)
            if len(activation) != n_hidden:
                raise ValueError(
                    f"activation has {len(activation)} entries, but sizes {sizes} has {n_hidden} hidden layers"
                )
            hidden = [get_activation(name) for name in activation]
        output = get_activation(output_activation, "output_activation")
        for act in hidden:
            if not act.elementwise:
                raise ValueError(f"activation {act.name!r} can only be used as output_activation")
        if not output.elementwise and sizes[-1] < 2:
            raise ValueError(
                f"output_activation {output.name!r} needs at least 2 outputs (it would always give 1); "
                "use 'sigmoid' for a single output"
            )
        needed = network_bytes(sizes, self.dtype.itemsize)
        check_memory(needed, f"a network of sizes {sizes}", max_memory, layers="sizes=")
        drawn = initial_layers(init, seed_value(seed), sizes, [act.name for act in hidden])
        self.layers: list[Dense] = []
        for (weight, drawn_bias), act in zip(drawn, [*hidden, output]):
            layer_bias = np.asarray(drawn_bias, dtype=self.dtype) if bias else None
            self.layers.append(Dense(np.ascontiguousarray(weight, dtype=self.dtype), layer_bias, act))
        self._pack()
        self.init = init
        self.seed = None if isinstance(seed, (np.random.Generator, np.random.RandomState)) else seed
        #: What training on a table learned about the data (a Preprocessor), saved with the model.
        self.preprocessor = None
        #: Free-form information saved with the model (task, loss, metrics, ...).
        self.info: dict = {}

    # ----------------------------------------------------------------- building
    @classmethod
    def from_weights(
        cls,
        weights: Sequence[np.ndarray],
        biases: Sequence[np.ndarray | None] | None = None,
        activation="relu",
        output_activation="identity",
        dtype: str = "float64",
    ) -> Network:
        """A network with the given weight matrices ``(n_in, n_out)`` (and biases).

        A 1-D weight vector is read as the weights into a single node, ``(n_in, 1)``.
        """
        weights = [weight_matrix(w, index, as_dtype(dtype)) for index, w in enumerate(weights)]
        sizes = chained_sizes(weights)
        has_bias = biases is not None
        if has_bias and (isinstance(biases, np.ndarray) or len(biases) != len(weights)):
            count = "an array" if isinstance(biases, np.ndarray) else f"{len(biases)} vectors"
            raise ValueError(f"biases must list one vector per layer ({len(weights)}), got {count}")
        net = cls(sizes, activation, output_activation, bias=has_bias, dtype=dtype)
        for index, layer in enumerate(net.layers):
            layer.weight[...] = weights[index]
            if has_bias:
                if biases[index] is None:
                    raise ValueError(
                        f"biases[{index}] is None: give every layer a bias vector, or biases=None for none"
                    )
                bias = np.asarray(biases[index], dtype=net.dtype).reshape(-1)
                if bias.shape != layer.bias.shape:
                    raise ValueError(f"biases[{index}] has shape {bias.shape}, expected {layer.bias.shape}")
                if not np.isfinite(bias).all():
                    raise ValueError(f"biases[{index}] holds NaN or infinity")
                layer.bias[...] = bias
        return net

    @classmethod
    def from_node_weights(
        cls,
        weights: Mapping[str, Sequence[float]],
        activation="relu",
        output_activation="identity",
        dtype: str = "float64",
    ) -> Network:
        """A bias-free network from the course's dictionaries of node weights.

        ``{'node_0': [2, 1], 'node_1': [1, 2], 'output': [1, 1]}`` has one hidden layer;
        ``{'node_0_0': ..., 'node_1_0': ..., 'output': ...}`` names nodes
        ``node_<layer>_<index>``. Each entry lists the weights coming into that node.
        """
        matrices = node_weight_matrices(weights)
        return cls.from_weights(matrices, None, activation, output_activation, dtype)

    @classmethod
    def from_layers(
        cls,
        layers: Sequence[Dense],
        *,
        init: str = "given",
        seed: int | None = None,
        preprocessor=None,
        info=None,
    ) -> Network:
        """A network made of these Dense layers, as they are (no weights drawn).

        Their weights and biases become views into the network's one flat parameter
        vector. Every layer must share one dtype (float32 or float64), and each must
        take as many inputs as the one before gives.
        """
        layers = list(layers)
        dtype = as_dtype(check_layers(layers).name)
        network = object.__new__(cls)
        network.dtype = dtype
        network.layers = layers
        network._pack()
        network.init, network.seed = init, seed
        network.preprocessor = preprocessor
        network.info = dict(info or {})
        return network

    @classmethod
    def load(cls, path) -> Network:
        """The network in a model file written by ``save`` (or ``chainrule train``), with its
        preprocessing and info; ModelFormatError, one line, for anything invalid."""
        from ..files.modelfile import read

        stored = read(path)
        network = cls.from_layers(
            stored.layers, init="loaded", preprocessor=stored.preprocessor, info=stored.info
        )
        network.file_metadata = stored.file_metadata
        return network

    # ---------------------------------------------------------------- shape info
    @property
    def sizes(self) -> list[int]:
        return [self.layers[0].n_inputs] + [layer.n_outputs for layer in self.layers]

    @property
    def n_inputs(self) -> int:
        return self.layers[0].n_inputs

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].n_outputs

    @property
    def has_bias(self) -> bool:
        return self.layers[0].bias is not None

    @property
    def output_activation(self) -> Activation:
        return self.layers[-1].activation

    def parameters(self) -> list[np.ndarray]:
        """Every weight matrix and bias vector, in layer order (the arrays themselves)."""
        params = []
        for layer in self.layers:
            params.append(layer.weight)
            if layer.bias is not None:
                params.append(layer.bias)
        return params

    def _pack(self) -> np.ndarray:
        """Lay every weight and bias out in one flat vector (see ``nn.flat``); returns it."""
        self._flat = pack(self.layers, self.dtype)
        return self._flat

    def flat_parameters(self) -> np.ndarray:
        """All weights and biases as one flat vector (in the order of ``parameters()``) whose
        parts are the layers' own arrays. If a layer's array was replaced rather than written
        into, the vector is rebuilt around the current arrays first."""
        flat = getattr(self, "_flat", None)
        if flat is None or not holds(flat, self.parameters(), self.dtype):
            flat = self._pack()
        return flat

    def copy(self) -> Network:
        """An independent copy with the same weights (and preprocessing, info and seed)."""
        return self._rebuilt(np.copy)

    def astype(self, dtype) -> Network:
        """A copy whose weights, and so every computation, use ``dtype``."""
        dtype = as_dtype(dtype)
        return self._rebuilt(lambda array: array.astype(dtype))

    def _rebuilt(self, convert) -> Network:
        """A network of ``convert``ed copies of the weights and biases, keeping everything else."""
        layers = [
            Dense(
                convert(layer.weight), None if layer.bias is None else convert(layer.bias), layer.activation
            )
            for layer in self.layers
        ]
        clone = Network.from_layers(
            layers, init=self.init, seed=self.seed, preprocessor=self.preprocessor, info=self.info
        )
        for name, value in self.__dict__.items():  # anything else set on this network (file metadata)
            clone.__dict__.setdefault(name, value)
        return clone

    def __repr__(self) -> str:
        hidden = ", ".join(layer.activation.name for layer in self.layers[:-1])
        return (
            f"Network(sizes={self.sizes}, activation=[{hidden}], "
            f"output_activation={self.output_activation.name!r}, bias={self.has_bias}, dtype={self.dtype.name!r})"
        )

    def _repr_png_(self) -> bytes | None:
        """Jupyter shows a Network as its picture (chainrule.plot.network)."""
        from ..see.notebook import network_png

        return network_png(self)

    # ------------------------------------------------------- forward propagation
    def inputs(self, X, name: str = "X") -> tuple[np.ndarray, bool]:
        """X checked and converted: ``(n, n_inputs)`` of the network's dtype, and whether it was 1-D."""
        return as_matrix(X, name, self.dtype, self.n_inputs)

    def targets(self, y, n_samples: int, loss: Loss) -> np.ndarray:
        """y as ``(n_samples, n_outputs)`` (class indices one-hot for cross-entropy), checked by the loss."""
        one_hot = isinstance(loss, CrossEntropy)
        return loss.check_targets(as_targets(y, n_samples, self.n_outputs, self.dtype, one_hot=one_hot))

    def forward(self, X) -> propagation.Trace:
        """Forward propagation keeping every layer's node inputs and outputs (see Trace)."""
        X, _ = self.inputs(X)
        return propagation.forward(self.layers, X)

    def predict(self, X) -> np.ndarray:
        """Predictions ``(n_samples, n_outputs)``; a 1-D X is one sample and gives a 1-D result."""
        X, single = self.inputs(X)
        _, output = propagation.last_layer(self.layers, X)
        return output[0] if single else output

    # --------------------------------------------------------- loss and slopes
    def loss_function(self, loss: str | Loss) -> Loss:
        """The Loss for ``loss``, checked against this network's output activation."""
        resolved = get_loss(loss)
        resolved.check_output(self.output_activation)
        return resolved

    def loss(self, X, y, loss: str | Loss = "mse") -> float:
        """The loss of the predictions for X against targets y (see chainrule.nn.losses for scaling)."""
        loss_fn = self.loss_function(loss)
        X, _ = self.inputs(X)
        z, output = propagation.last_layer(self.layers, X)
        return loss_fn.value(z, output, self.targets(y, X.shape[0], loss_fn))

    def backprop(self, X, y, loss: str | Loss = "mse") -> tuple[propagation.Trace, propagation.Slopes]:
        """Forward then backward propagation: every value and every slope of the batch."""
        loss_fn = self.loss_function(loss)
        X, _ = self.inputs(X)
        targets = self.targets(y, X.shape[0], loss_fn)
        trace = propagation.forward(self.layers, X)
        return trace, propagation.backward(self.layers, trace, loss_fn, targets)

    def loss_and_gradient(self, X, y, loss="mse", *, sample_weight=None, l2: float = 0.0):
        """``(loss, gradient)``, the gradient one flat vector laid out like ``flat_parameters()``,
        for optimizers that see the parameters as one vector (SciPy's L-BFGS-B).

        ``sample_weight`` ``(n,)`` makes the loss the weighted mean of the per-sample losses;
        ``l2`` adds l2 × Σ‖W‖² / (2 Σ weights) over the weights, not the biases (scikit-learn's
        alpha). See ``propagation.loss_and_gradient``.
        """
        loss_fn = self.loss_function(loss)
        X, _ = self.inputs(X)
        targets, weights = self.targets(y, X.shape[0], loss_fn), sample_weights(sample_weight, X.shape[0])
        return propagation.loss_and_gradient(self.layers, X, targets, loss_fn, weights, l2=l2)

    def gradients(self, X, y, loss: str | Loss = "mse") -> list[tuple[np.ndarray, np.ndarray | None]]:
        """dL/dW and dL/db for every layer, by backpropagation over the whole batch.

        One ``(dW, db)`` pair per layer, shaped like ``weight`` and ``bias``
        (``db`` is None when the network has no bias).
        """
        return self.backprop(X, y, loss)[1].weights

    # ---------------------------------------------------------------- files
    def save(self, path) -> None:
        """Write the network to one safetensors file, atomically (see chainrule.files.modelfile)."""
        from ..files.modelfile import save

        save(self, path)

    def to_onnx(self, path) -> None:
        """Write the network as ONNX: input "X" float32 (n, n_inputs), output "y" float32
        (n, n_outputs) equal to ``predict`` (see chainrule.files.onnx; needs chainrule[onnx])."""
        from ..files.onnx import network_model, save

        save(network_model(self), path)

    # ------------------------------------------------------------------ training
    def step(self, X, y, loss: str | Loss = "mse", lr: float = 0.01) -> float:
        """One update of gradient descent on the batch: forward propagation, backpropagation,
        then w ← w - lr × slope for every weight. Returns the loss before the update."""
        from ..train.step import step

        return step(self, X, y, loss, lr)

    def fit(self, X, y, **options):
        """Train by gradient descent; returns a History. Every option is a keyword:

        loss ("mse"), optimizer ("sgd", "adam" or an Optimizer from chainrule.optim,
            which then brings its own lr), lr (0.01), epochs (10).
        batch_size: None for full-batch gradient descent (one update per epoch), 1 for
            online learning, k for minibatch stochastic gradient descent (batches larger
            than the data are the whole data). An epoch is one pass through the data.
            shuffle (True) reorders the rows every epoch (minibatches only); a function
            (epoch, n) -> row order gives each epoch's order instead.
        seed: one seed for shuffling and the validation split (the network's own seed
            when None); the same seed gives bit-identical weights.
        validation_data=(X_val, y_val) or validation_split (a fraction held out) add
            "val_loss" to the history; early_stopping: True, a patience, or an EarlyStopping.
        callbacks: Callback objects or functions (epoch, logs) returning True to stop.
        checkpoint: a path written every checkpoint_every epochs and when the run stops
            (atomically, safe format); resume=True continues from it when it exists. A run
            that early stopping or a callback ended stays ended: resuming it trains no
            further and gives back its final weights and history.
        verbose: 0 silent, 1 a progress bar in a terminal, 2 a progress bar always.
        momentum, nesterov (SGD), weight_decay (L2), clip_norm (gradient norm clipping)
            and schedule ("step", "exponential", "invscaling", "plateau" or a Schedule
            from chainrule.schedules).
        sample_weight (one weight >= 0 per row: the loss is their weighted mean), l2
            (scikit-learn's alpha: l2 × Σ‖W‖² / (2 Σ weights) per batch, weights only) and
            dropout (a rate per hidden layer, or one for all; inverted, training only).
        max_memory: bytes the training buffers may take (None: what the machine has available).

        Raises TrainingDiverged when the loss or slopes stop being finite; the network then
        keeps the last weights whose loss was finite. (The loop is ``chainrule.train.loop``.)
        """
        from ..train.loop import fit

        return fit(self, X, y, **options)

    def explain(self, x, y, loss: str | Loss = "mse", input_names: Sequence[str] | None = None, fixed=None):
        """The chain rule for one sample, weight by weight and node by node (see chainrule.see.explain).

        ``input_names`` names the input nodes (default ``input_0``, ``input_1``, ...); ``fixed``
        marks weights that are not trained (see there).
        """
        from ..see.explain import explain

        return explain(self, x, y, loss, input_names, fixed)
