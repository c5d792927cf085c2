"""The walk-through page (chainrule.explain_html): its data, and what headless Chromium shows.

Every number the page displays carries ``data-what`` and ``data-ref``; the tests read
each displayed number and compare it with ``net.explain``'s record to the digits shown
(the new weight with explain's weight − lr × slope).
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from decimal import Decimal

import numpy as np
import pytest
from see_browser import open_file as open_any

import chainrule

LR = 0.01
COURSE = {"node_0": [2, 1], "node_1": [1, 2], "output": [1, 1]}  # seeds 000, 001, 004


def course_net():
    return chainrule.Network.from_node_weights(COURSE, activation="relu")


def trained_net():
    """A small trained model with named features and biases."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 3))
    y = X @ np.array([0.5, -1.0, 2.0]) + 0.3
    net = chainrule.Network([3, 4, 1], activation="tanh", seed=0)
    net.fit(X, y, lr=0.05, epochs=20, verbose=0)
    return net, X[0], y[0], ["age", "income", "debt"]


def page_json(text: str) -> dict:
    """The data a page embeds: plain JSON, or deflate + base64 for large pages."""
    element = re.search(r'<script id="data" type="([^"]+)"[^>]*>(.*?)</script>', text, re.S)
    if element[1] == "application/json":
        return json.loads(element[2])
    return json.loads(zlib.decompress(base64.b64decode(element[2])))


def open_file(browser, path):
    """The page opened in Chromium, once its script has read the data and shown step 1."""
    opened = open_any(browser, path)
    opened.page.wait_for_selector("body[data-ready]", state="attached")
    return opened


def shown_equal(text: str, value: float) -> bool:
    """``text`` (6 significant digits at most) shows ``value``."""
    token = text.strip().replace("−", "-")
    exponent = Decimal(token).as_tuple().exponent
    half_unit = 0.5 * 10.0 ** min(int(exponent), 0)
    return abs(float(token) - value) <= max(half_unit, 5e-6 * abs(value)) + 1e-300


def expected(explanation, what: str, ref: str) -> float:
    nodes = {n.name: n for n in explanation.nodes}
    weights = {f"{r.source}→{r.target}": r for r in explanation.weights}
    if what in ("value", "input", "slope") and ref in nodes:
        node = nodes[ref]
        return {"value": node.value, "input": node.node_input, "slope": node.slope}[what]
    if what == "loss":
        return explanation.loss
    if what == "lr":
        return LR
    if what == "target":
        return float(explanation.target[int(ref)])
    record = weights[ref]
    if what == "new_weight":
        return record.weight - LR * record.slope
    return getattr(record, what)


def check_numbers(page, explanation, selector="body") -> int:
    """Every displayed number under ``selector`` equals explain's; returns how many were checked."""
    shown = page.eval_on_selector_all(
        f"{selector} .num", "els => els.map(e => [e.dataset.what, e.dataset.ref, e.textContent])"
    )
    for what, ref, text in shown:
        value = expected(explanation, what, ref)
        assert shown_equal(text, value), f"{what} of {ref}: page shows {text}, explain gives {value!r}"
    return len(shown)


# ------------------------------------------------------------------ without a browser
def test_page_is_self_contained_and_small(tmp_path):
    path = tmp_path / "step.html"
    text = chainrule.explain_html(course_net(), [0, 3], 3, "mse", LR, path)
    assert path.read_text(encoding="utf-8") == text
    assert len(text.encode()) < 100_000
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text)
    assert "<script src" not in text and "<link" not in text
    assert "default-src 'none'" in text  # the browser itself refuses any request
    # without it a phone lays the page out 980 px wide and shows it at 0.4×, its own phone CSS unused
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text


def test_page_data_are_explains_numbers_and_the_updates():
    net, x, y, names = trained_net()
    text = chainrule.explain_html(net, x, y, lr=LR, input_names=names)
    data = page_json(text)
    explanation = net.explain(x, y, input_names=names)
    assert data["names"][0] == names
    for index, layer in enumerate(data["layers"]):
        records = [r for r in explanation.weights if r.layer == index and r.source != "bias"]
        biases = [r for r in explanation.weights if r.layer == index and r.source == "bias"]
        for key, values in (("w", "weight"), ("g", "slope")):
            np.testing.assert_allclose(layer[key], [getattr(r, values) for r in records], rtol=5e-6)
        np.testing.assert_allclose(layer["nw"], [r.weight - LR * r.slope for r in records], rtol=5e-6)
        np.testing.assert_allclose(layer["bnw"], [r.weight - LR * r.slope for r in biases], rtol=5e-6)
    kinds = [step["kind"] for step in data["steps"]]
    assert kinds == ["inputs"] + ["forward"] * 5 + ["loss", "backward", "backward", "summary"]


@pytest.mark.parametrize("loss, a_minus_y", [("cross_entropy", True), ("mse", False)])
def test_the_page_says_a_minus_y_only_where_the_numbers_are(loss, a_minus_y):
    """With softmax and mse the combined dL/dz is the softmax's Jacobian times 2(a − y)/k:
    the page data say so, and page.js writes "= a − y" only when they say it is."""
    net = chainrule.Network([3, 4, 3], activation="tanh", output_activation="softmax", seed=1)
    x, y = [0.5, -1.0, 0.3], [0, 1, 0]
    data = page_json(chainrule.explain_html(net, x, y, loss, LR))
    assert data["layers"][-1]["combined"]
    assert data["a_minus_y"] is a_minus_y
    prediction = np.ravel(net.predict([x]))
    assert np.allclose(data["layers"][-1]["ls"], prediction - y, rtol=1e-5) is a_minus_y


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    """(net, x, path, text): a 784-64-10 network's page for one row, built once (about 1 s)."""
    net = chainrule.Network([784, 64, 10], output_activation="softmax", seed=0)
    x = np.random.default_rng(0).uniform(size=784)
    path = tmp_path_factory.mktemp("wide") / "wide.html"
    text = chainrule.explain_html(net, x, 3, "cross_entropy", LR, path)
    return net, x, path, text


def test_wide_network_keeps_every_weight_in_the_list(wide):
    _, _, _, text = wide
    data = page_json(text)
    assert [len(layer["nw"]) for layer in data["layers"]] == [784 * 64, 64 * 10]
    assert "… 776 more" in text and "… 56 more" in text
    assert data["digits"] == 4 and "shown to 4 significant digits" in text
    assert 'data-encoding="deflate-base64"' in text
    assert len(text.encode()) < 600_000  # "a few hundred kB at most": 537 kB; 1.55 MB as plain 6-digit JSON


def test_a_weight_and_its_new_weight_take_the_digits_that_show_the_update():
    from chainrule.see.steps import MOST_DIGITS, update_digits

    weights = np.array([0.0838077, 0.5, 1.0, 0.25])
    new_weights = np.array([0.0838054, 0.5, 1.0 - 1e-12, 0.2])
    assert update_digits(weights, new_weights, 4).tolist() == [5, 4, MOST_DIGITS, 4]
    net, x, y, names = trained_net()
    data = page_json(chainrule.explain_html(net, x, y, lr=1e-6, input_names=names))
    for layer in data["layers"]:
        moved = [(w, nw) for w, nw, g in zip(layer["w"], layer["nw"], layer["g"]) if g]
        assert moved and all(w != nw for w, nw in moved)  # a tiny step still reads as a change


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"lr": 0}, "lr must be a finite number > 0"), ({"x": [1, 2, 3]}, "x has 3 columns")],
)
def test_errors_name_the_argument(kwargs, message):
    arguments = {"x": [0, 3], "y": 3, "lr": LR, **kwargs}
    with pytest.raises(ValueError, match=message):
        chainrule.explain_html(course_net(), **arguments)


# ------------------------------------------------------------------ in Chromium
@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return tmp_path_factory.mktemp("screenshots")


@pytest.mark.parametrize("case", ["course", "trained"])
def test_stepping_through_shows_explains_numbers(browser, shots, tmp_path, case):
    if case == "course":
        net, x, y, names = course_net(), [0, 3], 3, None
    else:
        net, x, y, names = trained_net()
    path = tmp_path / "step.html"
    chainrule.explain_html(net, x, y, "mse", LR, path, input_names=names)
    explanation = net.explain(x, y, "mse", input_names=names)
    opened = open_file(browser, path)
    page = opened.page
    n_steps = len(page_json(path.read_text(encoding="utf-8"))["steps"])
    assert page.text_content("#step-count") == f"step 1 of {n_steps}"
    checked, formulas = check_numbers(page, explanation), []
    for step in range(2, n_steps + 1):  # the keyboard and the button in turn
        page.keyboard.press("ArrowRight") if step % 2 else page.click("#next")
        assert page.text_content("#step-count") == f"step {step} of {n_steps}"
        checked += check_numbers(page, explanation)
        formulas += page.eval_on_selector_all(
            "#panel .formula, #panel td", "els => els.map(e => e.textContent)"
        )
        page.screenshot(path=shots / f"{case}-{step:02d}.png")
    signs = [f for f in formulas if re.search(r"[+×−] -", f)]
    assert signs == [], f"a negative number after an operator without parentheses: {signs[0]}"
    assert case == "course" or any(re.search(r"[+×] \(-\d", f) for f in formulas)
    assert page.is_disabled("#next")
    page.fill("#search", "output")
    rows = page.eval_on_selector_all("#list tr", "rows => rows.length - 1")
    assert rows == sum(1 for r in explanation.weights if "output" in f"{r.source}→{r.target}")
    checked += check_numbers(page, explanation, "#list")
    page.click("#step-title")  # the arrows type in the search box while it has the focus
    page.keyboard.press("ArrowLeft")
    page.click("#prev")
    assert page.text_content("#step-count") == f"step {n_steps - 2} of {n_steps}"
    assert checked > 10 * len(explanation.weights) // 3
    assert opened.errors == [] and opened.requests == []
    page.close()


def test_clicking_nodes_and_weights_shows_their_numbers(browser, shots, tmp_path):
    net, x, y, names = trained_net()
    path = tmp_path / "step.html"
    chainrule.explain_html(net, x, y, "mse", LR, path, input_names=names)
    explanation = net.explain(x, y, "mse", input_names=names)
    opened = open_file(browser, path)
    page = opened.page
    page.click("#summary")
    page.click('#net .node[data-column="1"][data-node="2"] circle')
    assert page.is_visible("#detail") and "node_0_2" in page.text_content("#detail h3")
    assert check_numbers(page, explanation, "#detail") == 3  # z, a and dL/da
    edges = page.locator("#net .edge")
    for k in range(edges.count()):
        edges.nth(k).locator("line.hit").dispatch_event("click")
        heading = page.text_content("#detail h3")
        assert heading.startswith("weight ") and "→" in heading
        assert (
            check_numbers(page, explanation, "#detail") == 8
        )  # node value, two slopes, slope; weight, lr, slope, new weight
    page.screenshot(path=shots / "clicked-weight.png")
    page.click("#close")
    assert not page.is_visible("#detail")
    page.click("#prev")
    page.click("#net .edge line.hit >> nth=0", force=True)
    assert page.is_visible("#detail")
    assert opened.errors == [] and opened.requests == []
    page.close()


def test_long_input_names_fit_in_the_picture(browser, tmp_path):
    names = ["mean radius", "worst fractal dimension", "worst concave points", "WWWWWWWWWWWWWWWWWW"]
    path = tmp_path / "names.html"
    chainrule.explain_html(
        chainrule.Network([4, 3, 1], seed=0), [0.1, 0.2, 0.3, 0.4], [1.0], path=path, input_names=names
    )
    opened = open_file(browser, path)
    outside = opened.page.evaluate(
        """() => { const svg = document.querySelector('#net'), box = svg.viewBox.baseVal;
        return [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBBox()])
          .filter(([, b]) => b.width && (b.x < box.x || b.x + b.width > box.x + box.width))
          .map(([text, b]) => `${text} from ${Math.round(b.x)} to ${Math.round(b.x + b.width)}`); }"""
    )
    assert outside == []
    assert opened.page.locator("#net text.name", has_text="worst fractal dim…").count() == 1
    opened.page.close()


def test_play_advances_and_pauses(browser, tmp_path):
    path = tmp_path / "step.html"
    chainrule.explain_html(course_net(), [0, 3], 3, "mse", LR, path)
    opened = open_file(browser, path)
    page = opened.page
    page.click("#play")
    page.wait_for_selector("#step-count:text-matches('^step [2-9] of')")  # the page forbids eval
    page.keyboard.press(" ")
    assert page.text_content("#play") == "▶ play"
    assert opened.errors == [] and opened.requests == []
    page.close()


def test_wide_page_opens_its_compressed_data_in_chromium(browser, shots, wide):
    net, x, path, _ = wide
    explanation = net.explain(x, 3, "cross_entropy")
    opened = open_file(browser, path)
    page = opened.page
    n_steps = len(page_json(path.read_text(encoding="utf-8"))["steps"])
    assert page.text_content("#step-count") == f"step 1 of {n_steps}"
    cut = page.evaluate(  # step 1 shows the top of the picture: no name above the box's edge
        """() => { const top = document.getElementById('view').getBoundingClientRect().top;
        return [...document.querySelectorAll('#net text.name')].map(t => t.getBoundingClientRect())
          .filter(r => r.bottom > top - 40 && r.top < top).length; }"""
    )
    assert cut == 0
    checked = check_numbers(page, explanation)  # the 784 inputs
    page.keyboard.press("ArrowRight")
    checked += check_numbers(page, explanation)  # the first hidden node's largest terms
    page.keyboard.press("End")
    page.fill("#search", "input_17→")
    assert page.text_content("#found").startswith("64 weights")
    checked += check_numbers(page, explanation, "#list")
    page.screenshot(path=shots / "wide-summary.png")
    assert checked > 784 + 64 * 3
    while not page.text_content("#step-title").startswith("Backward: layer 0"):
        page.click("#prev")
    marked = page.evaluate(
        """() => [...document.querySelectorAll('#panel tr.wrow')].map(r => [
          !!document.querySelector(`#net .edge[data-layer="${r.dataset.layer}"][data-i="${r.dataset.i}"][data-j="${r.dataset.j}"]`),
          r.textContent.includes('(not in the picture)')])"""
    )
    assert all(in_picture != said for in_picture, said in marked)  # a row not drawn says so, and only it
    assert {said for _, said in marked} == {True, False}
    assert opened.errors == [] and opened.requests == []
    page.close()


def test_a_browser_without_decompression_says_so_instead_of_an_empty_page(browser, wide):
    _, _, path, _ = wide
    page = browser.new_page()
    page.add_init_script("delete window.DecompressionStream")  # as in a browser from before 2023
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("#panel:text-matches('cannot open them')")
    assert "Firefox 113" in page.text_content("#panel")
    page.close()


def test_a_softmax_output_shows_the_dl_dz_its_weights_use(browser, tmp_path):
    """With softmax and cross-entropy the outputs' slope is dL/dz = a − y (their dL/da, −y/a,
    is 0 for every other class and is not what their weights' slopes are built from)."""
    net = chainrule.Network([3, 4, 3], activation="tanh", output_activation="softmax", seed=1)
    x, y = [0.5, -1.0, 0.3], [0, 1, 0]
    path = tmp_path / "softmax.html"
    chainrule.explain_html(net, x, y, "cross_entropy", LR, path)
    explanation = net.explain(x, y, "cross_entropy")
    opened = open_file(browser, path)
    page = opened.page
    page.keyboard.press("End")
    for j, a in enumerate(explanation.prediction):
        label = page.text_content(f'#net text.slope[data-column="2"][data-node="{j}"]')
        assert label.startswith("dL/dz ") and shown_equal(label.split()[1], a - y[j]), label
        page.click(f'#net .node[data-column="2"][data-node="{j}"] circle')
        assert "dL/dz = a − y" in page.text_content("#detail")
        assert check_numbers(page, explanation, "#detail") == 3  # z, a and dL/dz
        page.click("#close")
    assert opened.errors == []
    page.close()


def test_an_ensembles_weights_between_its_networks_are_shown_as_never_trained(browser, rng, tmp_path):
    from chainrule.see.explain import explain
    from chainrule.workflow.ensemble import fixed_weights, side_by_side

    together = side_by_side([chainrule.Network([3, 4, 4, 1], init="he_normal", seed=i) for i in range(2)])
    x, y, path = rng.normal(size=3), np.array([0.3]), tmp_path / "ensemble.html"
    masks = fixed_weights(together, 2)
    chainrule.explain_html(together, x, y, "mse", LR, path, fixed=masks)
    explanation = explain(together, x, y, "mse", fixed=masks)
    opened = open_file(browser, path)
    page = opened.page
    assert page.locator('#net .edge[data-layer="1"][data-i="0"][data-j="5"]').count() == 0  # not drawn
    assert page.locator('#net .edge[data-layer="1"]:not(.bias)').count() == 2 * 4 * 4  # each network's own
    # A fixed weight's details, opened through a drawn edge relabelled as it (0 → 5: across networks).
    page.evaluate(
        "Object.assign(document.querySelector('#net .edge[data-layer=\"1\"]').dataset, {i: '0', j: '5'})"
    )
    page.locator('#net .edge[data-layer="1"] line.hit').first.dispatch_event("click")
    detail = page.text_content("#detail")
    assert "it is 0, it is not a parameter, and training never changes it" in " ".join(detail.split())
    assert check_numbers(page, explanation, "#detail") == 0
    page.locator('#net .edge[data-layer="1"][data-i="0"][data-j="1"] line.hit').dispatch_event("click")
    assert check_numbers(page, explanation, "#detail") == 8  # a trained weight, as any other
    page.click("#summary")
    assert check_numbers(page, explanation, "#panel") > 0  # the list: every new weight as explain's
    found = page.text_content(
        "#found"
    )  # 2 networks of 3-4-4-1: 2 × (12 + 16 + 4) weights and 2 × 8 + 1 biases
    assert found.startswith(f"{2 * 32 + 17} weights (and 32 between the networks averaged side by side")
    assert opened.errors == [] and opened.requests == []
    page.close()
    # A node of the second hidden layer adds up its own network's 4 inputs, not the other's 0s.
    from chainrule.see.records import Numbers
    from chainrule.see.steps import page_data

    data = page_data(Numbers.from_explanation(explanation), LR)
    step = next(s for s in data["steps"] if s["kind"] == "forward" and s["column"] == 2 and s["node"] == 5)
    assert step["terms"] == [4, 5, 6, 7] and step["more"] == 0
    html = chainrule.explain_html(together, x, y, "mse", LR, fixed=masks, note="2 networks side by side")
    assert '<p id="about" class="note">2 networks side by side</p>' in html


@pytest.mark.parametrize("width", [480, 768, 1000])
def test_between_phone_and_desktop_the_steps_go_below_a_picture_they_would_squeeze(browser, tmp_path, width):
    """Beside 440 px of steps, the course's picture got 2 px at a 480 px window and 272 px at
    768 (an upright tablet, or 200 % zoom): below that width it takes the whole width and the
    steps follow it; on a desktop it stays beside them."""
    path = tmp_path / "step.html"
    chainrule.explain_html(course_net(), [2, 3], 10, "mse", LR, path)
    opened = open_file(browser, path)
    page = opened.page
    boxes = {}
    for size in (width, 1400):
        page.set_viewport_size({"width": size, "height": 800})
        boxes[size] = page.evaluate(
            """() => { const v = document.getElementById('view').getBoundingClientRect();
            const s = document.getElementById('side').getBoundingClientRect();
            const svg = document.getElementById('net').getBoundingClientRect();
            return {view: v.width, svg: svg.width, below: s.top >= v.bottom, page: innerWidth}; }"""
        )
    narrow, wide = boxes[width], boxes[1400]
    assert narrow["below"] and narrow["view"] >= narrow["page"] - 60, narrow
    assert narrow["view"] >= min(narrow["svg"], 400), narrow
    assert not wide["below"] and wide["view"] >= wide["svg"], wide
    page.close()


def test_a_wide_layers_steps_say_which_nodes_and_biases_the_picture_leaves_out(browser, tmp_path):
    """A 3-60-1 picture draws 8 of the 60 hidden nodes: a forward step of another says it is
    not in the picture, and the backward step ranks the biases with the weights."""
    net = chainrule.Network([3, 60, 1], seed=0)
    x, y = [0.5, -1.2, 2.0], [1.5]
    path = tmp_path / "wide60.html"
    data = page_json(chainrule.explain_html(net, x, y, "mse", LR, path))
    shown = data["shown"][1]
    assert len(shown) < 60
    backward = next(s for s in data["steps"] if s["kind"] == "backward" and s["layer"] == 0)
    explanation = net.explain(x, y, "mse")
    slopes = sorted((abs(r.slope), r.source) for r in explanation.weights if r.layer == 0)
    assert any(source == "bias" for _, source in slopes[-24:])  # among the 24 largest here
    assert sum(i == -1 for i, _ in backward["rows"]) == sum(source == "bias" for _, source in slopes[-24:])
    opened = open_file(browser, path)
    page = opened.page
    hidden = next(j for j in range(60) if j not in shown)
    for _ in range(1 + hidden):
        page.keyboard.press("ArrowRight")
    assert page.text_content("#step-title") == f"Forward: node_0_{hidden}"
    assert f"node_0_{hidden} is not in the picture" in page.text_content("#panel")
    shown_node = shown[0]
    page.keyboard.press("Home")
    for _ in range(1 + shown_node):
        page.keyboard.press("ArrowRight")
    assert "is not in the picture" not in page.text_content("#panel")
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")  # layer 0's backward step, the last before the summary
    assert page.text_content("#step-title").startswith("Backward: layer 0")
    assert page.locator("#panel tr.wrow", has_text="bias→").count() == sum(
        i == -1 for i, _ in backward["rows"]
    )
    assert "more weights and biases in this layer" in page.text_content("#panel")
    assert opened.errors == []
    page.close()


def test_stepping_from_a_focused_row_keeps_the_focus_on_the_step(browser, tmp_path):
    """← and → from a focused table row re-render the panel, row and all; the focus goes to
    the new step's title, not back to the top of the page."""
    path = tmp_path / "step.html"
    chainrule.explain_html(course_net(), [2, 3], 10, "mse", LR, path)
    opened = open_file(browser, path)
    page = opened.page
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")  # the output layer's backward step
    page.focus("#panel tr.wrow")
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.activeElement.id") == "step-title"
    page.keyboard.press("ArrowRight")  # and the arrows go on working from there
    assert page.text_content("#step-title").startswith("Backward")
    page.close()


def test_with_javascript_off_the_page_says_why_it_shows_no_numbers(browser, tmp_path):
    path = tmp_path / "step.html"
    chainrule.explain_html(course_net(), [2, 3], 10, "mse", LR, path)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(path.resolve().as_uri())
    assert "lays out its numbers with JavaScript, which is off here" in page.inner_text("#panel")
    context.close()


@pytest.mark.parametrize("width", [390, 1400])
def test_the_list_of_every_weight_ends_no_number_at_the_panels_edge(browser, tmp_path, width):
    """A 4-5-4-3-2 network's names and 6-digit numbers are wider than the panel on a phone
    (and beside the picture): the names break after their arrows, so no column is cut."""
    net = chainrule.Network([4, 5, 4, 3, 2], activation="tanh", seed=3)
    path = tmp_path / "deep.html"
    chainrule.explain_html(net, [0.126, -0.132, 0.64, 0.105], [0.5, -1.0], "mse", 0.1, path)
    opened = open_file(browser, path)
    page = opened.page
    page.set_viewport_size({"width": width, "height": 844})
    page.keyboard.press("End")
    widths = page.evaluate(
        "() => { const l = document.getElementById('list'); return [l.scrollWidth, l.clientWidth]; }"
    )
    assert widths[0] <= widths[1] + 2, widths  # at most a rounding pixel
    assert page.locator("#list tr.wrow").count() == (4 * 5 + 5) + (5 * 4 + 4) + (4 * 3 + 3) + (3 * 2 + 2)
    page.close()


def test_a_numpy_learning_rate_is_taken():
    """np.float32(0.1) is no Python float; it was refused as "not a number > 0"."""
    text = chainrule.explain_html(course_net(), [0, 3], 3, "mse", np.float32(0.1))
    assert page_json(text)["lr"] == pytest.approx(0.1)
