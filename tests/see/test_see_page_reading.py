"""The walk-through page as a learner reads it, in headless Chromium: the picture's text at a
readable size on a phone (400 px) and a desktop (1400 px), the picture scrolling in its own
box, values that fit their nodes, labels over the lines, and every detail opened from the
keyboard.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_see_page import LR, check_numbers, course_net, open_file, trained_net

import chainrule

READABLE = 11  # px on the screen: the smallest text the picture may draw
SIZES = """() => { const svg = document.querySelector('#net');
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
    .map(t => [t.textContent, parseFloat(getComputedStyle(t).fontSize) * scale]); }"""
FOCUSED = """() => { const e = document.activeElement;
  return [e.id, e.getAttribute('class') || '', e.getAttribute('aria-label') || '']; }"""


def deep_net():
    """A 10-8-8-8-1 network with one row: four columns of edges, taller than a screen."""
    return chainrule.Network([10, 8, 8, 8, 1], activation="relu", seed=2), np.random.default_rng(2).normal(
        size=10
    )


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return tmp_path_factory.mktemp("reading")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    deep, x = deep_net()
    chainrule.explain_html(course_net(), [0, 3], 3, "mse", LR, folder / "course.html")
    chainrule.explain_html(deep, x, 1.0, "mse", LR, folder / "deep.html")
    return {"course": folder / "course.html", "10-8-8-8-1": folder / "deep.html"}


def opened_at(browser, path, width):
    """The page at a phone's (400 px) or a desktop's (1400 px) width."""
    opened = open_file(browser, path)
    opened.page.set_viewport_size({"width": width, "height": 800 if width < 800 else 900})
    return opened


# ------------------------------------------------------------------ the picture's size
@pytest.mark.parametrize("width", [400, 1400])
@pytest.mark.parametrize("case", ["course", "10-8-8-8-1"])
def test_picture_text_is_readable_and_the_picture_scrolls_in_its_own_box(browser, pages, shots, case, width):
    opened = opened_at(browser, pages[case], width)
    page = opened.page
    page.keyboard.press("End")  # every value and slope is on the picture
    sizes = page.evaluate(SIZES)
    small = [(text, round(px, 1)) for text, px in sizes if px < READABLE - 0.01]
    assert len(sizes) > 10 and small == [], f"text drawn below {READABLE} px: {small[:5]}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # the page never scrolls sideways
    view_width, view_height, scroll_width, scroll_height = page.evaluate(
        "() => { const v = document.querySelector('#view'); return [v.clientWidth, v.clientHeight, v.scrollWidth, v.scrollHeight]; }"
    )
    larger = scroll_width > view_width + 1 or scroll_height > view_height + 1
    assert larger == (case != "course" or width == 400)  # the course's picture fits a desktop's box
    page.wait_for_selector("#larger", state="visible" if larger else "hidden")  # and the page says so
    page.screenshot(path=shots / f"{case}-{width}.png")
    assert opened.errors == [] and opened.requests == []
    page.close()


def test_the_picture_box_follows_the_step_on_a_phone(browser, pages):
    page = opened_at(browser, pages["10-8-8-8-1"], 400).page

    def in_view(selector):
        return page.evaluate(
            """s => { const v = document.querySelector('#view').getBoundingClientRect();
            const r = document.querySelector(s).getBoundingClientRect();
            return r.left >= v.left && r.right <= v.right && r.top >= v.top && r.bottom <= v.bottom; }""",
            selector,
        )

    output = '#net .node[data-column="4"][data-node="0"]'
    assert not in_view(output)
    for _ in range(40):
        page.keyboard.press("ArrowRight")
        if page.text_content("#step-title") == "Forward: output":
            break
    assert in_view(output)
    page.keyboard.press("Home")  # the inputs again
    assert in_view('#net .node[data-column="0"][data-node="0"]')
    page.close()


def test_labels_are_drawn_over_the_lines_with_a_halo(browser, pages):
    page = open_file(browser, pages["10-8-8-8-1"]).page
    page.keyboard.press("End")
    bare = page.evaluate(
        """() => { const edges = [...document.querySelectorAll('#net .edge')];
        return [...document.querySelectorAll('#net text.slope, #net text.name, #net text.more')].filter(t => {
          const style = getComputedStyle(t);
          const halo = style.paintOrder.startsWith('stroke') && style.stroke === 'rgb(255, 255, 255)'
            && parseFloat(style.strokeWidth) >= 3;
          const over = edges.every(e => e.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING);
          return !(halo && over); }).map(t => t.textContent); }"""
    )
    assert bare == []
    page.close()


def test_a_nodes_slope_keeps_clear_of_the_next_nodes_name(browser, pages):
    """Under a node its dL/da, over the next node in the column its name: at least 8 px of
    picture between the two, so a slope never reads as the next node's."""
    page = open_file(browser, pages["10-8-8-8-1"]).page
    page.keyboard.press("End")  # every slope is written
    gaps = page.evaluate(
        """() => { const box = (t) => t.getBBox();
        const slopes = [...document.querySelectorAll('#net text.slope')].filter(t => t.textContent.trim()).map(box);
        const names = [...document.querySelectorAll('#net text.name')].map(box);
        return slopes.flatMap(s => names.filter(n => n.x < s.x + s.width && s.x < n.x + n.width && n.y >= s.y)
          .map(n => n.y - (s.y + s.height))); }"""
    )
    assert len(gaps) > 10 and min(gaps) >= 8
    page.close()


# ------------------------------------------------------------------ values in their nodes
@pytest.mark.parametrize(
    ("value", "label"),
    [
        (0.0, "0"),
        (3.0, "3"),
        (-0.0378857, "-0.0379"),
        (0.264486, "0.264"),
        (-32.5568, "-32.6"),
        (999.7, "1000"),
        (12345.6, "12346"),
        (-0.00123456, "-0.00123"),
        (1.23e-5, "1.2e-5"),
        (-2.5e7, "-2.5e7"),
        (float("nan"), "–"),
    ],
)
def test_a_node_shows_its_value_to_3_digits_in_at_most_8_characters(value, label):
    from chainrule.see.page import node_label

    assert node_label(value) == label and len(label) <= 8


def test_node_values_fit_inside_their_nodes_and_their_details_give_them_in_full(browser, tmp_path):
    net = chainrule.Network([3, 4, 3], activation="tanh", output_activation="softmax", seed=1)
    x = [0.0206904, -0.0378857, -0.304338]  # the probe's inputs: -0.0378857 spilled over its circle
    path = tmp_path / "softmax.html"
    chainrule.explain_html(net, x, [0, 1, 0], "cross_entropy", LR, path)
    explanation = net.explain(x, [0, 1, 0], "cross_entropy")
    opened = open_file(browser, path)
    page = opened.page
    page.keyboard.press("End")
    spilled = """() => [...document.querySelectorAll('#net .node:not(.biasnode)')].map(g => {
        const r = +g.querySelector('circle').getAttribute('r'), text = g.querySelector('text.val');
        return [text.textContent, text.getBBox().width, 2 * r]; }).filter(([, width, room]) => width > room - 4)"""
    assert page.evaluate(spilled) == []
    node = '#net .node[data-column="0"][data-node="1"]'
    assert page.text_content(f"{node} text.val") == "-0.0379"
    assert "value -0.0378857" in page.get_attribute(node, "aria-label")
    page.click(f"{node} circle")
    assert "-0.0378857" in page.text_content("#detail")
    assert check_numbers(page, explanation, "#detail") == 2  # a and dL/da, in full
    page.add_style_tag(content="#net text.val { font-size: 21px }")  # a reader's wider font
    page.keyboard.press("Home")
    page.keyboard.press("End")
    assert page.evaluate(spilled) == []  # the nodes grew to hold their labels
    assert opened.errors == [] and opened.requests == []
    page.close()


# ------------------------------------------------------------------ the keyboard
def test_nodes_weights_and_rows_open_their_details_from_the_keyboard(browser, shots, tmp_path):
    net, x, y, names = trained_net()  # 3-4-1 with biases: 10 nodes, 21 weights
    path = tmp_path / "step.html"
    chainrule.explain_html(net, x, y, "mse", LR, path, input_names=names)
    explanation = net.explain(x, y, "mse", input_names=names)
    opened = open_file(browser, path)
    page = opened.page
    items = page.eval_on_selector_all(
        "#net .node, #net .edge",
        "els => els.map(e => [e.getAttribute('tabindex'), e.getAttribute('role'), e.getAttribute('aria-label')])",
    )
    assert len(items) == 10 + 21
    assert all(tab == "0" and role == "button" and label for tab, role, label in items)

    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)[0] == "skip"  # a way past the picture comes first
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)[2].startswith("age: value")
    page.keyboard.press("Enter")
    assert page.text_content("#detail h3").startswith("age")
    assert check_numbers(page, explanation, "#detail") == 2  # its value and slope
    page.keyboard.press("Escape")
    assert not page.is_visible("#detail")

    for _ in range(3):  # income, debt, the bias node: then the first weight leaving the inputs
        page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)[2] == "bias node (value 1)"
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)[2] == "weight from age to node_0_0"
    page.keyboard.press(" ")
    assert page.text_content("#detail h3") == "weight age→node_0_0"
    assert check_numbers(page, explanation, "#detail") == 8
    assert page.text_content("#play") == "▶ play" and page.text_content("#step-count").startswith("step 1 ")
    page.screenshot(path=shots / "keyboard-weight.png")

    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")  # backward through the first layer: a table of weights
    page.focus("#summary")
    page.keyboard.press("Tab")  # from the buttons straight to the table's rows
    row = page.evaluate(FOCUSED)
    assert row[1] == "wrow" and row[2].startswith("weight from ")
    page.keyboard.press("Enter")
    heading = page.text_content("#detail h3")
    assert heading == "weight " + page.text_content("tr.wrow:focus td")
    assert check_numbers(page, explanation, "#detail") == 8
    page.focus("#close")
    page.keyboard.press("Enter")
    assert not page.is_visible("#detail") and page.evaluate(FOCUSED) == row  # the focus goes back

    page.keyboard.press("End")
    page.fill("#search", "debt")
    page.focus("#list tr.wrow")
    page.keyboard.press(" ")
    assert "debt" in page.text_content("#detail h3")
    assert check_numbers(page, explanation, "#detail") == 8

    page.keyboard.press("Home")
    page.focus("#skip")
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED)[0] == "play"  # the first button that works: "previous" does not on step 1
    assert opened.errors == [] and opened.requests == []
    page.close()


def test_space_presses_the_focused_button_and_plays_only_when_nothing_is_focused(browser, tmp_path):
    path = tmp_path / "step.html"
    chainrule.explain_html(course_net(), [0, 3], 3, "mse", LR, path)
    opened = open_file(browser, path)
    page = opened.page
    page.focus("#next")
    page.keyboard.press(" ")
    page.keyboard.press(" ")
    assert page.text_content("#step-count") == "step 3 of 8"
    assert page.text_content("#play") == "▶ play"
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press(" ")
    assert page.text_content("#play") == "⏸ pause"
    page.keyboard.press(" ")
    assert page.text_content("#play") == "▶ play"
    assert opened.errors == [] and opened.requests == []
    page.close()
