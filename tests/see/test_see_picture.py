"""The network picture, the loss curves and the Jupyter displays (chainrule.see, matplotlib).

The numbers drawn are read back from the Figure's texts and compared with the course's
printed numbers (tests/test_seeds.py) or with ``net.explain``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from chainrule import Network
from test_seeds import BASIC_WEIGHTS, DEEP_WEIGHTS, WEIGHTS_0

pytest.importorskip("matplotlib")
from chainrule.plot import network
from chainrule.see.records import numbers

PNG = b"\x89PNG\r\n\x1a\n"


def texts(figure) -> list[str]:
    return [t.get_text() for t in figure.axes[0].texts]


def title(figure) -> str:
    return figure.get_suptitle()


def test_architecture_of_a_course_network():
    figure = network(Network.from_node_weights(WEIGHTS_0, activation="relu"))
    shown = texts(figure)
    for name in ("input_0", "input_1", "node_0_0", "node_0_1", "output"):
        assert name in shown
    assert "bias" not in shown  # the course's networks have none
    assert sorted(t for t in shown if t in ("1", "2")) == ["1", "1", "1", "1", "2", "2"]  # the weights
    assert title(figure) == "Network 2-2-1 · relu → identity"


@pytest.mark.parametrize(
    ("weights", "activation", "x", "printed"),
    [
        (BASIC_WEIGHTS, "identity", [2, 3], ["5", "1", "9"]),
        (BASIC_WEIGHTS, "tanh", [2, 3], ["0.9999", "0.7616", "1.238"]),  # 0.9999092 0.76159416 1.23822425257
        (DEEP_WEIGHTS, "relu", [3, 5], ["26", "0", "0", "52", "364"]),
    ],
)
def test_forward_values_are_the_courses(weights, activation, x, printed):
    net = Network.from_node_weights(weights, activation=activation, output_activation="identity")
    figure = network(net, x)
    values = [t.get_text() for t in figure.axes[0].texts if t.get_fontweight() == "bold"]
    assert values[len(x) :] == printed
    assert f"prediction {printed[-1]}" in title(figure)


def test_slopes_and_loss_of_the_course_step():
    net = Network.from_node_weights(WEIGHTS_0, activation="relu")
    figure = network(net, [0, 3], 3, loss="mse")
    explanation = net.explain([0, 3], 3, "mse")
    assert "mse loss = 36" in title(figure)
    shown = texts(figure)
    for node in explanation.nodes:
        assert f"dL/da {node.slope:.4g}" in shown
    slopes = sorted(
        t.get_text() for t in figure.axes[0].texts if t.get_style() == "italic" and "dL" not in t.get_text()
    )
    assert slopes == sorted(f"{r.slope:.4g}" for r in explanation.weights)  # 0, 0, 36, 36, 36, 72


def test_a_30_16_16_1_model_is_summarised(rng):
    net = Network([30, 16, 16, 1], seed=0)
    net.preprocessor = SimpleNamespace(input_names=[f"feature {i}" for i in range(30)])
    figure = network(net, rng.normal(size=30), 0.5)
    shown = texts(figure)
    assert shown.count("… 22 more") == 1 and shown.count("… 8 more") == 2
    assert sum(t.startswith("feature ") for t in shown) == 8
    explanation = net.explain(rng.normal(size=30), 0.5)
    assert len(explanation.weights) == 30 * 16 + 16 + 16 * 16 + 16 + 16 + 1  # nothing lost, only not drawn


def test_a_784_64_10_model_draws_the_nodes_of_its_largest_slopes(rng):
    net = Network([784, 64, 10], output_activation="softmax", seed=0)
    x = rng.uniform(size=784)
    figure = network(net, x, 3, loss="cross_entropy")
    shown = texts(figure)
    assert "… 776 more" in shown and "… 56 more" in shown
    explanation = net.explain(x, 3, "cross_entropy")
    for layer in (0, 1):  # each layer's 4 weights with the largest slopes join shown nodes
        weights = [r for r in explanation.weights if r.layer == layer and r.source != "bias"]
        for record in sorted(weights, key=lambda r: -abs(r.slope))[:4]:
            assert record.source in shown and record.target in shown
    assert "cross_entropy loss" in title(figure)


LONG_NAMES = ["mean radius", "worst fractal dimension", "worst concave points", "WWWWWWWWWWWWWWWWWW"]


@pytest.mark.parametrize("sizes", [[4, 3, 1], [4, 8, 8, 8, 2]])
def test_long_input_names_fit_in_the_picture(sizes, rng):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    net = Network(sizes, seed=0)
    figure = network(net, rng.normal(size=4), [0.5] * sizes[-1], input_names=LONG_NAMES)
    FigureCanvasAgg(figure).draw()
    renderer = figure.canvas.get_renderer()
    names = [
        t
        for t in figure.axes[0].texts
        if t.get_text() in ("mean radius", "worst fractal dim…", "WWWWWWWWWWWWWWWWWW")
    ]
    assert len(names) == 3
    for text in names:
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= figure.bbox.width, (text.get_text(), box.x0)


def test_path_suffix_chooses_the_format(tmp_path):
    net = Network.from_node_weights(WEIGHTS_0, activation="relu")
    network(net, path=tmp_path / "net.png")
    network(net, [0, 3], 3, path=tmp_path / "net.svg")
    assert (tmp_path / "net.png").read_bytes()[:8] == PNG
    assert (tmp_path / "net.svg").read_text()[:200].lstrip().startswith("<?xml")
    with pytest.raises(ValueError, match=r"path must end in \.svg or \.png"):
        network(net, path=tmp_path / "net.pdf")


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [
        ([1, 2, 3], None, "x has 3 columns"),
        ([[0, 3], [1, 1]], None, "x must be one sample"),
        (None, 3, "y needs x"),
    ],
)
def test_errors_name_the_argument(x, y, message):
    with pytest.raises(ValueError, match=message):
        network(Network.from_node_weights(WEIGHTS_0), x, y)


def test_history_plot_marks_the_restored_epoch(rng):
    X, y = rng.normal(size=(40, 2)), rng.normal(size=40)
    net = Network([2, 8, 1], seed=0)
    history = net.fit(X, y, lr=0.5, epochs=200, validation_split=0.25, early_stopping=2, verbose=0)
    assert history.best_epoch is not None
    ax = history.plot()
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:2] == ["training mse", "validation mse"]
    marked = ax.get_lines()[2]
    assert marked.get_label() == f"restored by early stopping: epoch {history.best_epoch}"
    assert list(marked.get_xdata()) == [history.best_epoch] * 2
    import matplotlib.pyplot as plt

    plt.close("all")


def test_history_plot_starts_at_epoch_0_when_early_stopping_kept_the_starting_weights(rng):
    from chainrule.train.callbacks import EarlyStopping

    X, y = rng.normal(size=(40, 2)), rng.normal(size=40)
    net = Network([2, 8, 1], seed=0)
    start = net.loss(X, y)
    early = EarlyStopping(patience=2, baseline=start / 2)  # no epoch gets there
    history = net.fit(X, y, lr=0.5, epochs=20, validation_data=(X, y), early_stopping=early, verbose=0)
    assert history.best_epoch == 0
    ax = history.plot()
    validation, marked = ax.get_lines()[1], ax.get_lines()[2]
    assert list(validation.get_xdata()[:2]) == [0, 1] and validation.get_ydata()[0] == start / 2
    assert marked.get_label() == "restored by early stopping: the starting weights (epoch 0)"
    import matplotlib.pyplot as plt

    plt.close("all")


def test_jupyter_displays(rng):
    net = Network.from_node_weights(WEIGHTS_0, activation="relu")
    assert net._repr_png_()[:8] == PNG
    html = net.explain([0, 3], 3)._repr_html_()
    assert html.count("<img") == 1 and "node value × activation slope × loss slope" in html
    assert "<td>36</td>" in html and "<td>72</td>" in html
    history = Network([2, 3, 1], seed=0).fit(rng.normal(size=(8, 2)), rng.normal(size=8), epochs=3, verbose=0)
    assert history._repr_png_()[:8] == PNG


def test_import_chainrule_needs_only_numpy():
    code = (
        "import sys, chainrule; chainrule.explain_html; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'IPython', 'playwright'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("sizes", [[4, 5, 3], [3, 4, 4, 2], [8, 8, 8, 3]])
def test_the_numbers_on_the_lines_hide_no_other_text(sizes, rng):
    net = Network(sizes, activation="tanh", output_activation="softmax", seed=0)
    figure = network(net, rng.normal(size=sizes[0]), np.eye(sizes[-1])[0], loss="cross_entropy")
    assert [pair for pair in _overlaps(figure) if pair[2] > 20] == []  # a sliver hides no digit (below)


def test_a_weight_of_exactly_zero_is_drawn_grey_not_as_a_positive_line():
    from chainrule.see.network_picture import MUTED, POSITIVE

    net = Network.from_weights([np.array([[1.0, 0.0]]), np.array([[0.5], [-0.5]])])
    figure = network(net)
    colours = {
        tuple(line.get_xdata()) + tuple(line.get_ydata()): line.get_color() for line in figure.axes[0].lines
    }
    assert sorted(colours.values()).count(MUTED) == 1 and POSITIVE in colours.values()
    assert "grey 0" in figure.texts[-1].get_text()


def test_an_input_named_bias_is_drawn_and_told_apart_from_the_bias(tmp_path):
    """A column named "bias" is an input like any other: the picture, the page and the
    table draw it, and the table names it apart from the layer's bias."""
    from chainrule import explain_html

    net = Network([2, 2, 1], activation="tanh", seed=0)
    explanation = net.explain([0.5, -1.0], 1.0, input_names=["bias", "age"])
    rows = str(explanation).splitlines()
    assert sum("input 'bias' → node_0_0" in row for row in rows) == 1
    assert sum(row.split()[1:4] == ["bias", "→", "node_0_0"] for row in rows) == 1
    biases = [r for r in explanation.weights if r.is_bias]
    assert len(biases) == 3 and all(r.source == "bias" for r in biases)
    figure = network(net, [0.5, -1.0], 1.0, input_names=["bias", "age"])
    assert "bias" in texts(figure)
    explain_html(net, [0.5, -1.0], 1.0, input_names=["bias", "age"], path=tmp_path / "page.html")
    assert (tmp_path / "page.html").stat().st_size > 0


def test_chainrule_plot_is_there_after_import_chainrule_alone():
    """The README writes ``chainrule.plot.network(...)`` after ``import chainrule``; the
    module loads on first use, and matplotlib only when a picture is drawn."""
    code = (
        "import sys, chainrule; assert 'chainrule.plot' not in sys.modules; "
        "chainrule.plot.network; assert 'matplotlib' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_softmax_output_shows_the_dl_dz_its_weights_slopes_use():
    """With softmax and cross-entropy an output's dL/da (−y/a) is not what its weights' slopes
    are built from: the picture labels the outputs dL/dz = a − y, and the caption says why."""
    net = Network([3, 4, 3], activation="tanh", output_activation="softmax", seed=1)
    x, y = [0.5, -1.0, 0.3], [0, 1, 0]
    figure = network(net, x, y, loss="cross_entropy")
    shown = texts(figure)
    explanation = net.explain(x, y, "cross_entropy")
    for j, a in enumerate(explanation.prediction):
        assert f"dL/dz {a - y[j]:.4g}" in shown
        record = next(r for r in explanation.weights if r.source == "node_0_0" and r.target == f"output_{j}")
        assert record.slope == pytest.approx(record.node_value * (a - y[j]))
    assert not any(text.startswith("dL/da") and text.endswith(" 0") for text in shown)
    caption = figure.texts[-1].get_text()
    assert "at the outputs dL/dz = a − y" in caption


@pytest.mark.parametrize(
    "output, loss, y, is_a_minus_y",
    [
        ("softmax", "cross_entropy", [0, 1, 0], True),
        ("softmax", "cross_entropy", [1], True),  # a class index
        ("softmax", "mse", [0, 1, 0], False),  # the softmax's Jacobian times 2(a − y)/3
        ("sigmoid", "binary_cross_entropy", [0, 0, 1], False),  # saturated: the mean over 3, (a − y)/3
    ],
)
def test_the_caption_says_a_minus_y_only_where_the_numbers_are(output, loss, y, is_a_minus_y):
    """dL/dz is a − y for softmax with cross-entropy; for softmax with mse, or several sigmoid
    outputs whose binary cross-entropy is their mean, it is not, and the caption must not say so."""
    net = Network([3, 4, 3], activation="tanh", output_activation=output, seed=1)
    if output == "sigmoid":
        net.layers[-1].bias[0] = 60.0  # a = 1 exactly: dL/da = (a − y)/(a(1 − a)) has no value, dL/dz has
    x = [0.5, -1.0, 0.3]
    figure = network(net, x, y, loss=loss)
    caption = figure.texts[-1].get_text()
    nums = numbers(net, x, y, loss)
    a = np.asarray(nums.prediction)
    one_hot = np.eye(3)[y[0]] if len(y) == 1 else np.asarray(y, dtype=float)
    assert np.allclose(nums.loss_slopes[-1], a - one_hot) is is_a_minus_y
    assert ("dL/dz = a − y" in caption) is is_a_minus_y
    assert "at the outputs dL/dz" in caption  # combined either way


@pytest.mark.parametrize("weights", [{"output": [2]}, {"output": [0]}])
def test_the_caption_stays_inside_a_one_node_picture(weights):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    net = Network.from_node_weights(weights)
    figure = network(net, [3], 10, loss="mse")
    FigureCanvasAgg(figure).draw()
    box = figure.texts[-1].get_window_extent(figure.canvas.get_renderer())
    assert box.x0 >= 0 and box.x1 <= figure.bbox.width
    assert ("grey 0" in figure.texts[-1].get_text()) == (weights["output"] == [0])


def _overlaps(figure) -> list[tuple[str, str, float]]:
    """Pairs of texts on the picture that overlap, with the overlap in px²: each text is the
    rectangle it fills turned by its rotation (a number lies along its line), and the area
    two share is counted on a grid of 0.5 px with matplotlib's own point-in-polygon test."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.path import Path

    from chainrule.see.placing import outline

    FigureCanvasAgg(figure).draw()
    renderer = figure.canvas.get_renderer()
    shapes = [(np.array(outline(t, renderer)), t.get_text()) for t in figure.axes[0].texts if t.get_text()]
    pairs = []
    for k, (a, name_a) in enumerate(shapes):
        for b, name_b in shapes[k + 1 :]:
            low, high = np.maximum(a.min(0), b.min(0)), np.minimum(a.max(0), b.max(0))
            if np.any(high - low <= 0):
                continue
            xs, ys = np.meshgrid(np.arange(low[0], high[0], 0.5), np.arange(low[1], high[1], 0.5))
            points = np.column_stack([xs.ravel(), ys.ravel()])
            inside = Path(a).contains_points(points) & Path(b).contains_points(points)
            if inside.sum() * 0.25 > 1:  # a pixel of antialiasing is not hiding anything
                pairs.append((name_a, name_b, inside.sum() * 0.25))
    return pairs


@pytest.mark.parametrize("seed", range(5))
def test_numbers_on_a_crowded_small_picture_hide_no_other_text(seed):
    """A 3-4-3 softmax with biases puts 62 numbers between two columns of nodes; each finds a
    place along its line where it hides nothing but, where every place is taken, a sliver
    (under 20 px², a pixel or two of an 11 px high number: no digit is hidden)."""
    rng = np.random.default_rng(seed)
    net = Network([3, 4, 3], activation="tanh", output_activation="softmax", seed=seed)
    for layer in net.layers:
        layer.bias[...] = rng.normal(size=layer.bias.shape) * 0.5
    figure = network(net, rng.normal(size=3), [1, 0, 0], loss="cross_entropy")
    assert [pair for pair in _overlaps(figure) if pair[2] > 20] == []


def test_a_node_value_too_long_for_its_circle_is_written_to_3_digits():
    """4 digits where they fit in the circle (0.3276, -0.5618); 6.195e-05 would overrun it."""
    net = Network.from_node_weights({"output": [3.0975e-05]})
    shown = texts(network(net, [2], 1.0, loss="mse"))  # the output node's value is 6.195e-05
    assert "6.2e-5" in shown and "6.195e-05" not in shown
    net = Network.from_node_weights({"output": [0.32763]})
    assert "0.3276" in texts(network(net, [1], 1.0, loss="mse"))


def test_one_hot_inputs_of_a_long_column_keep_their_categories_apart():
    """Cut at the end, customer_segment=retail, =wholesale and =online would all read
    "customer_segment=…": names that would come out the same keep their ends instead."""
    from chainrule.see.names import SHORT_NAME, short_names

    names = ["customer_segment=retail", "customer_segment=wholesale", "customer_segment=online", "age"]
    names += ["worst fractal dimension", "worst fractal dimensions", "region of the world=Bretagne"]
    names += ["region of the world=Provence-Alpes-Côte d'Azur"]
    shown = short_names(names)
    assert shown[:4] == ["customer_s…=retail", "custome…=wholesale", "customer_s…=online", "age"]
    assert len(set(shown)) == len(shown)
    assert all(len(label) <= SHORT_NAME for label in shown)
    assert shown[6] == "region o…=Bretagne" and shown[7] == "reg…=Provence-Alp…"

    regions = ["sales_region=north-east metropolitan", "sales_region=north-east rural", "sales_region=south"]
    assert short_names(regions) == ["sal…=north-east m…", "sal…=north-east r…", "sales_region=south"]
    plans = ["subscription=premium plus annual", "subscription=premium plus monthly"]
    assert short_names(plans) == ["subscrip…us annual", "subscrip…s monthly"]  # their beginnings meet

    net = Network([4, 2, 1], seed=0)
    figure = network(net, [0.0, 1.0, 0.0, 0.5], [1.0], input_names=names[:4])
    assert {"customer_s…=retail", "custome…=wholesale", "customer_s…=online"} <= set(texts(figure))


@pytest.mark.parametrize("weights, x, y", [(WEIGHTS_0, [0, 3], 3), (BASIC_WEIGHTS, [2, 3], 10)])
def test_no_other_line_crosses_a_number_on_the_course_network(weights, x, y):
    """Where two lines cross, a number written there reads as either line's: each number
    lies on its own line only (the README's picture had its "0" on the crossing)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from chainrule.see.placing import band, outline, shared_area

    net = Network.from_node_weights(weights, activation="relu")
    figure = network(net, x, [y])
    FigureCanvasAgg(figure).draw()
    renderer, ax = figure.canvas.get_renderer(), figure.axes[0]
    lines = [ax.transData.transform(line.get_xydata()) for line in ax.lines]
    numbers = [t for t in ax.texts if re.fullmatch(r"-?[0-9.]+", t.get_text())]
    numbers = [t for t in numbers if t.get_bbox_patch() is not None]  # on a line, not in a node
    assert len(numbers) == 12  # a weight and a slope on each of the 6 lines
    for text in numbers:
        corners = outline(text, renderer)
        centre = np.mean(corners, axis=0)
        crossing = []
        for (a, b), (c, d) in lines:
            run = np.array([c - a, d - b])
            t = np.clip(np.dot(centre - (a, b), run) / np.dot(run, run), 0, 1)
            if np.hypot(*(centre - (a, b) - t * run)) < 1:  # its own line runs through its centre
                continue
            crossing.append(shared_area(corners, band(a, b, c, d, 1.0)))
        assert max(crossing) == 0, text.get_text()
