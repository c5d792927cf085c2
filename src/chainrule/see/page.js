// chainrule's walk-through page. Every number comes from the JSON that Python embedded
// (net.explain's records and the new weights, rounded to D.digits significant digits);
// this script only looks them up and lays them out. It computes nothing.
"use strict";

// The embedded JSON: as it is, or (large pages) deflate-compressed in base64, opened with
// the browser's own DecompressionStream.
async function pageData(element) {
  if (element.dataset.encoding !== "deflate-base64") return JSON.parse(element.textContent);
  if (typeof DecompressionStream === "undefined") {
    document.getElementById("panel").textContent =
      "This page's numbers are compressed, and this browser cannot open them (it has no " +
      "DecompressionStream): open the page in Chrome 80, Firefox 113, Safari 16.4 or later.";
    throw new Error("DecompressionStream is not available");
  }
  const bytes = Uint8Array.from(atob(element.textContent.trim()), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return JSON.parse(await new Response(stream).text());
}

pageData(document.getElementById("data")).then((D) => {
  const $ = (id) => document.getElementById(id);
  const svg = $("net");
  const nLayers = D.layers.length;
  let at = 0;
  let timer = null;

  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  const text = (v) => (v === null || v === undefined ? "–" : String(v));
  const num = (v, what, ref) => `<span class="num ${what}" data-what="${what}" data-ref="${esc(ref)}">${text(v)}</span>`;
  // A number after "+", "−" or "×" in a formula: in parentheses when negative, so a sum
  // reads "+ (-0.12) × 0.5" and never "+ -0.12 × 0.5".
  const factor = (v, what, ref) => (text(v).startsWith("-") ? `(${num(v, what, ref)})` : num(v, what, ref));
  const name = (c, j) => (j < 0 ? "bias" : D.names[c][j]);
  const nOut = (l) => D.names[l + 1].length;
  const wref = (l, i, j) => `${name(l, i)}→${name(l + 1, j)}`;
  // The weights that are not trained (between networks an ensemble holds side by side), by layer.
  const fixed = D.layers.map((L) => new Set(L.fixed || []));
  // A weight's numbers: i = -1 is the bias into node j.
  function weight(l, i, j) {
    const L = D.layers[l];
    const k = i * nOut(l) + j;
    const value = i < 0 ? 1 : D.columns[l].values[i];
    return i < 0
      ? { w: L.bw[j], g: L.bg[j], nw: L.bnw[j], a: value, act: L.act[j], ls: L.ls[j] }
      : { w: L.w[k], g: L.g[k], nw: L.nw[k], a: value, act: L.act[j], ls: L.ls[j], fixed: fixed[l].has(k) };
  }
  const FIXED = "none: not trained (a weight between two of the networks averaged side by side)";
  const nodeNum = (c, j, what, shown = num) => {
    const key = { value: "values", input: "inputs", slope: "slopes" }[what];
    return shown(D.columns[c][key][j], what, name(c, j));
  };

  // A table row that opens a weight's details: clicked, or focused (Tab) with Enter or Space.
  const weightName = (l, i, j) => `weight from ${i < 0 ? "the bias" : name(l, i)} to ${name(l + 1, j)}`;
  const wrow = (l, i, j) =>
    `<tr class="wrow" data-layer="${l}" data-i="${i}" data-j="${j}" tabindex="0" aria-label="${esc(weightName(l, i, j))}: Enter shows its numbers">`;

  function factorLine(l, i, j) {
    const W = weight(l, i, j);
    const ref = wref(l, i, j);
    if (W.fixed) return FIXED;
    const act = D.layers[l].combined ? "1 (combined)" : factor(W.act, "activation_slope", ref);
    return (
      `${num(W.a, "node_value", ref)} × ${act} × ${factor(W.ls, "loss_slope", ref)} = ${num(W.g, "slope", ref)}`
    );
  }
  function updateLine(l, i, j) {
    const W = weight(l, i, j);
    const ref = wref(l, i, j);
    if (W.fixed) return `${num(W.w, "weight", ref)}, unchanged`;
    return `${num(W.w, "weight", ref)} − ${num(D.lr, "lr", "lr")} × ${factor(W.g, "slope", ref)} = ${num(W.nw, "new_weight", ref)}`;
  }

  // ------------------------------------------------------------------ the steps
  function inputs() {
    const rows = D.names[0].map((n, i) => `<tr><td>${esc(n)}</td><td>${nodeNum(0, i, "value")}</td></tr>`);
    return `<p>The row's inputs (after preprocessing) are the values of the input nodes.</p>
      <table><tr><th>input node</th><th>value a</th></tr>${rows.join("")}</table>`;
  }
  function forward(s) {
    const c = s.column;
    const l = c - 1;
    const L = D.layers[l];
    const first = (k) => (k === 0 ? num : factor);
    const terms = s.terms.map((i, k) => `${first(k)(L.w[i * nOut(l) + s.node], "weight", wref(l, i, s.node))} × ${nodeNum(l, i, "value", factor)}`);
    if (s.more) terms.push(`… (${s.more} more terms)`);
    if (L.bw) terms.push(`${first(terms.length)(L.bw[s.node], "weight", wref(l, -1, s.node))} × 1`);
    const f = L.activation === "softmax" ? `softmax(z)[${s.node}]` : `${esc(L.activation || "f")}(z)`;
    const sources = s.terms.map((i) => esc(name(l, i))).join(", ");
    const away = D.shown[c].includes(s.node) ? "" : `<p class="note">${esc(name(c, s.node))} is not in the picture, which draws ${D.shown[c].length} of this layer's ${nOut(l)} nodes (those whose weights have the largest slopes).</p>`;
    return `${away}<p>Forward propagation: <b>${esc(name(c, s.node))}</b> adds up the values feeding in, each times its weight.</p>
      <p class="formula">z = ${terms.join(" + ")} = ${nodeNum(c, s.node, "input")}</p>
      <p class="formula">a = ${f} = ${nodeNum(c, s.node, "value")}</p>
      <p class="note">weight × value of ${sources}${L.bw ? ", and the bias (value 1)" : ""}</p>`;
  }
  function loss() {
    const last = nLayers - 1;
    const L = D.layers[last];
    const rows = D.names[nLayers].map((n, j) => {
      const ref = wref(last, 0, j);
      const slopes = L.combined
        ? `<td colspan="2">dL/dz = ${num(L.ls[j], "loss_slope", ref)} (activation and loss combined)</td>`
        : `<td>${num(L.ls[j], "loss_slope", ref)}</td><td>${num(L.act[j], "activation_slope", ref)}</td>`;
      return `<tr><td>${esc(n)}</td><td>${nodeNum(nLayers, j, "value")}</td><td>${num(D.target[j], "target", j)}</td>${slopes}</tr>`;
    });
    return `<p>The loss compares the prediction with the target:
      <span class="formula">${esc(D.loss_name)} loss = ${num(D.loss, "loss", "loss")}</span></p>
      <table><tr><th>output</th><th>prediction a</th><th>target</th><th>loss slope dL/da</th><th>activation slope</th></tr>${rows.join("")}</table>
      <p class="note">Backpropagation starts here, from the slope of the loss at each output.</p>`;
  }
  function backward(s) {
    const l = s.layer;
    const rows = s.rows; // [source, node], the bias as source -1 (Python chose them: steps._rows)
    // The picture draws the nodes its top-ranked weights join; a listed weight whose node is
    // among a column's "… k more" says it is not drawn.
    const drawn = (i, j) => svg.querySelector(`.edge[data-layer="${l}"][data-i="${i}"][data-j="${j}"]`);
    const away = ' <small class="note">(not in the picture)</small>';
    const body = rows.map(([i, j]) =>
      `${wrow(l, i, j)}<td>${esc(wref(l, i, j))}${drawn(i, j) ? "" : away}</td><td>${factorLine(l, i, j)}</td><td>${updateLine(l, i, j)}</td></tr>`);
    const more = s.more ? `<p class="note">… ${s.more} more weights${s.bias ? " and biases" : ""} in this layer: see “every weight”.</p>` : "";
    const nodes = s.nodes.map((n) => {
      const terms = n.terms.map((j, k) => {
        const W = weight(l, n.node, j);
        const ref = wref(l, n.node, j);
        const act = D.layers[l].combined ? "1" : factor(W.act, "activation_slope", ref);
        return `${(k === 0 ? num : factor)(W.w, "weight", ref)} × ${act} × ${factor(W.ls, "loss_slope", ref)}`;
      });
      if (n.more) terms.push(`… (${n.more} more)`);
      return `<p class="formula">dL/da(${esc(name(l, n.node))}) = ${terms.join(" + ")} = ${nodeNum(l, n.node, "slope")}</p>`;
    });
    const who = l === 0 ? "the input nodes (no weight feeds them, so nothing is updated there)" : "the nodes feeding this layer";
    return `<p>Backward through the weights into ${esc(l === nLayers - 1 ? "the output layer" : `hidden layer ${l}`)}:
      slope = node value × activation slope × loss slope; the update is weight − learning rate × slope.</p>
      <table><tr><th>weight</th><th>node value × activation slope × loss slope = slope</th><th>weight − lr × slope = new weight</th></tr>${body.join("")}</table>${more}
      <p>The slope of ${who}: the sum over its outgoing weights of weight × activation slope × loss slope.</p>
      ${nodes.join("")}${s.more_nodes ? `<p class="note">… ${s.more_nodes} more nodes</p>` : ""}`;
  }
  function summary() {
    return `<p>Every weight's slope and update (learning rate ${num(D.lr, "lr", "lr")}).</p>
      <input id="search" type="search" placeholder="search a node name, e.g. ${esc(name(0, 0))}" aria-label="search weights">
      <div id="list"></div>`;
  }
  function fillList() {
    const query = ($("search") || { value: "" }).value.trim().toLowerCase();
    const rows = [];
    let found = 0;
    for (let l = 0; l < nLayers; l++) {
      const starts = D.layers[l].bw ? [-1] : [];
      for (let i = 0; i < D.names[l].length; i++) starts.push(i);
      for (const i of starts) for (let j = 0; j < nOut(l); j++) {
        if (i >= 0 && fixed[l].has(i * nOut(l) + j)) continue; // not a parameter: not listed
        const ref = wref(l, i, j);
        if (query && !ref.toLowerCase().includes(query)) continue;
        found += 1;
        if (rows.length < 300) {
          const W = weight(l, i, j);
          rows.push(`${wrow(l, i, j)}<td>${l}</td><td>${esc(ref).replace("→", '→<span class="to">')}</span></td><td>${num(W.w, "weight", ref)}</td><td>${num(W.g, "slope", ref)}</td><td>${num(W.nw, "new_weight", ref)}</td></tr>`);
        }
      }
    }
    const untrained = fixed.reduce((n, set) => n + set.size, 0);
    const between = untrained ? ` (and ${untrained} between the networks averaged side by side: 0, never trained, not listed)` : "";
    $("list").innerHTML = `<p class="note" id="found">${found} weight${found === 1 ? "" : "s"}${between}${found > rows.length ? `, the first ${rows.length} shown: search to narrow` : ""}</p>
      <table><tr><th>layer</th><th>weight</th><th>value</th><th>slope</th><th>new weight</th></tr>${rows.join("")}</table>`;
    // A list wider than its panel would end its last column mid-digit: the weights' names
    // then break after their arrows instead.
    const list = $("list");
    list.classList.remove("stacked");
    list.classList.toggle("stacked", list.scrollWidth > list.clientWidth);
  }

  // ------------------------------------------------------------------ showing a step
  const fwdStep = {};
  const slopeStep = {};
  D.steps.forEach((s, k) => {
    if (s.kind === "forward") fwdStep[`${s.column}:${s.node}`] = k;
    if (s.kind === "loss") slopeStep[nLayers] = k;
    if (s.kind === "backward") slopeStep[s.layer] = k;
  });
  const titles = { inputs: "Inputs", loss: "Loss", summary: "Every weight: slope and update" };
  function title(s) {
    if (s.kind === "forward") return `Forward: ${name(s.column, s.node)}`;
    if (s.kind === "backward") return `Backward: layer ${s.layer} (weights into ${s.layer === nLayers - 1 ? "the output" : `hidden layer ${s.layer}`})`;
    return titles[s.kind];
  }
  // A node shows its short label (3 significant digits, written by Python in data-label);
  // its full value is in its details, its tooltip and its name for screen readers.
  const slopeLabels = {};
  svg.querySelectorAll("text.slope").forEach((t) => { slopeLabels[`${t.dataset.column}:${t.dataset.node}`] = t; });
  // An output whose activation and loss slopes combine (softmax, or a sigmoid with a
  // cross-entropy) shows dL/dz, the slope its weights' slopes are built from: a − y when
  // Python found it so (D.a_minus_y; softmax with mse, for one, is not).
  function combinedOutput(c) { return c === nLayers && D.layers[nLayers - 1].combined; }
  function nodeSlope(c, j) {
    return combinedOutput(c) ? ["dL/dz", D.layers[nLayers - 1].ls[j]] : ["dL/da", D.columns[c].slopes[j]];
  }
  function paintPicture(s) {
    svg.querySelectorAll(".node").forEach((g) => {
      const c = +g.dataset.column;
      const j = +g.dataset.node;
      if (j < 0) return;
      const shown = c === 0 || fwdStep[`${c}:${j}`] <= at;
      const label = g.querySelector(".val");
      label.textContent = shown ? label.dataset.label : "";
      const [which, slope] = nodeSlope(c, j);
      const slopeShown = slopeStep[c] <= at && slope !== null;
      slopeLabels[`${c}:${j}`].textContent = slopeShown ? `${which} ${slope}` : "";
      const said = `${name(c, j)}${shown ? `: value ${text(D.columns[c].values[j])}` : " (not computed yet)"}${slopeShown ? `, slope ${which} ${slope}` : ""}`;
      g.setAttribute("aria-label", said);
      g.querySelector("title").textContent = said;
      if (shown) fitLabel(g, label);
      g.classList.toggle("active", s.kind === "forward" && s.column === c && s.node === j);
    });
    svg.querySelectorAll(".edge").forEach((g) => {
      const l = +g.dataset.layer;
      const on = (s.kind === "forward" && s.column === l + 1 && +g.dataset.j === s.node) || (s.kind === "backward" && s.layer === l);
      g.classList.toggle("active", on);
    });
    const slopes = (c) => `text.slope[data-column="${c}"]`;
    const seen = {
      inputs: '.node[data-column="0"]',
      forward: ".edge.active, .node.active",
      loss: `.node[data-column="${nLayers}"], ${slopes(nLayers)}`,
      backward: `.edge.active, ${slopes(s.layer)}, ${slopes(s.layer + 1)}`,
    }[s.kind];
    if (seen) reveal([...svg.querySelectorAll(seen)]);
    if (s.kind === "forward") reveal([...svg.querySelectorAll(".node.active")]);
  }
  // In a reader's font a label may be wider than Python's room for it: the node grows to hold
  // it, and the weights leaving it start at its new rim.
  function fitLabel(g, label) {
    const circle = g.querySelector("circle");
    const half = label.getComputedTextLength() / 2 + 3;
    if (half <= +circle.getAttribute("r")) return;
    circle.setAttribute("r", half);
    const [cx, cy] = [+circle.getAttribute("cx"), +circle.getAttribute("cy")];
    svg.querySelectorAll(`.edge[data-layer="${g.dataset.column}"][data-i="${g.dataset.node}"] line`).forEach((line) => {
      const [dx, dy] = [line.x2.baseVal.value - cx, line.y2.baseVal.value - cy];
      const length = Math.hypot(dx, dy) || 1;
      line.setAttribute("x1", cx + (half * dx) / length);
      line.setAttribute("y1", cy + (half * dy) / length);
    });
  }
  // The picture's box scrolls (never the page) to show what the step is about, when it is out of view.
  // A node's name (above it, or left of an input) is revealed with it; and a scroll that
  // would stop within NEAR px of the picture's edge goes to the edge, where the names of the
  // first row and column are (they sit outside their nodes' boxes).
  const NEAR = 48;
  function reveal(elements) {
    const box = $("view");
    const view = box.getBoundingClientRect();
    const names = elements.filter((e) => e.matches(".node")).map((e) =>
      svg.querySelector(`text.name[data-column="${e.dataset.column}"][data-node="${e.dataset.node}"]`));
    const rects = [...elements, ...names.filter(Boolean)].map((e) => e.getBoundingClientRect());
    if (!rects.length) return;
    const left = view.left + box.clientLeft;
    const top = view.top + box.clientTop;
    const along = (lo, hi, start, size) => {
      if (hi - lo > size || lo < start) return lo - start - 8; // too large: its beginning
      return hi > start + size ? hi - start - size + 8 : 0;
    };
    const [x0, x1] = [Math.min(...rects.map((r) => r.left)), Math.max(...rects.map((r) => r.right))];
    const [y0, y1] = [Math.min(...rects.map((r) => r.top)), Math.max(...rects.map((r) => r.bottom))];
    const [dx, dy] = [along(x0, x1, left, box.clientWidth), along(y0, y1, top, box.clientHeight)];
    const snap = (from, by) => (by && from + by < NEAR ? -from : by);
    box.scrollBy(snap(box.scrollLeft, dx), snap(box.scrollTop, dy));
  }
  function show(k) {
    at = Math.max(0, Math.min(D.steps.length - 1, k));
    const s = D.steps[at];
    const render = { inputs, forward, loss, backward, summary }[s.kind];
    $("panel").innerHTML = render(s);
    $("step-title").textContent = title(s);
    $("step-count").textContent = `step ${at + 1} of ${D.steps.length}`;
    $("prev").disabled = at === 0;
    $("next").disabled = at === D.steps.length - 1;
    if (s.kind === "summary") {
      fillList();
      $("search").addEventListener("input", fillList);
    }
    paintPicture(s);
    if (at === D.steps.length - 1) stop();
  }

  // ------------------------------------------------------------------ details on click
  function detailNode(c, j) {
    if (j < 0) return `<h3>bias node</h3><p>Its value is always 1; its weights are the biases.</p>`;
    const col = D.columns[c];
    const rows = [`<tr><td>value a</td><td>${nodeNum(c, j, "value")}</td></tr>`];
    if (c > 0) rows.unshift(`<tr><td>input z</td><td>${nodeNum(c, j, "input")}</td></tr>`);
    if (combinedOutput(c)) {
      rows.push(`<tr><td>slope dL/dz${D.a_minus_y ? " = a − y" : ""} (activation and loss combined)</td><td>${num(D.layers[nLayers - 1].ls[j], "loss_slope", wref(nLayers - 1, 0, j))}</td></tr>`);
    } else if (col.slopes[j] !== null) rows.push(`<tr><td>slope dL/da</td><td>${nodeNum(c, j, "slope")}</td></tr>`);
    const kind = c === 0 ? "input node" : c === nLayers ? "output node" : `hidden node, ${D.layers[c - 1].activation}`;
    return `<h3>${esc(name(c, j))} <small>(${esc(kind)})</small></h3><table>${rows.join("")}</table>`;
  }
  function detailWeight(l, i, j) {
    if (weight(l, i, j).fixed) {
      return `<h3>weight ${esc(wref(l, i, j))}</h3>
      <p>This weight joins two of the networks the model averages side by side: it is 0, it is not
      a parameter, and training never changes it, so it has no slope and no update.</p>`;
    }
    return `<h3>weight ${esc(wref(l, i, j))}</h3>
      <p class="formula">slope = node value × activation slope × loss slope = ${factorLine(l, i, j)}</p>
      <p class="formula">new weight = weight − lr × slope = ${updateLine(l, i, j)}</p>`;
  }
  // The details of what was clicked or opened from the keyboard; closing them gives the focus
  // back to what opened them.
  let opener = null;
  function detail(html, from) {
    opener = from;
    $("detail").innerHTML = `<button id="close" title="close (Esc)" aria-label="close the details">×</button>${html}`;
    $("detail").hidden = false;
    $("close").addEventListener("click", close);
    const box = $("detail").getBoundingClientRect();  // below the picture on a phone: bring it into view
    if (box.top > innerHeight || box.bottom < 0) $("detail").scrollIntoView({ block: "nearest" });
  }
  function close() {
    const focused = $("detail").contains(document.activeElement);
    $("detail").hidden = true;
    if (focused && opener && opener.isConnected) opener.focus();
  }
  function open(item) {
    const d = item.dataset;
    if (item.matches(".node")) detail(detailNode(+d.column, +d.node), item);
    else detail(detailWeight(+d.layer, +d.i, +d.j), item);
  }
  const openable = (target) => target.closest && target.closest("#net .node, #net .edge, tr.wrow");
  svg.addEventListener("click", (event) => {
    const item = openable(event.target);
    if (item) open(item);
  });
  $("panel").addEventListener("click", (event) => {
    const item = openable(event.target);
    if (item) open(item);
  });

  // ------------------------------------------------------------------ controls
  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    $("play").textContent = "▶ play";
  }
  function play() {
    if (timer !== null) return stop();
    if (at === D.steps.length - 1) show(0);
    $("play").textContent = "⏸ pause";
    timer = setInterval(() => show(at + 1), 1400);
  }
  $("prev").addEventListener("click", () => { stop(); show(at - 1); });
  $("next").addEventListener("click", () => { stop(); show(at + 1); });
  $("play").addEventListener("click", play);
  $("summary").addEventListener("click", () => { stop(); show(D.steps.length - 1); });
  // Keys: ← → Home End step anywhere but in the search box; Enter or Space on a focused node,
  // weight or row opens its details; Space on a focused button presses it (the browser's
  // own behaviour), and plays or pauses only when nothing that takes keys has the focus.
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const keys = { ArrowRight: () => show(at + 1), ArrowLeft: () => show(at - 1), Home: () => show(0), End: () => show(D.steps.length - 1) };
    const item = openable(target);
    if (item && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); open(item); return; }
    if (event.key === " ") {
      if (target === document.body || target === document.documentElement) { event.preventDefault(); play(); }
      return;
    }
    if (event.key === "Escape") { close(); return; }
    if (keys[event.key]) {
      event.preventDefault();
      stop();
      keys[event.key]();
      // A focused row of the step just left is gone: the focus goes to the new step's title,
      // where the reader is, not back to the top of the page.
      if (!target.isConnected) $("step-title").focus();
    }
  });
  $("skip").addEventListener("click", (event) => {
    event.preventDefault();
    [...$("controls").querySelectorAll("button")].find((b) => !b.disabled).focus();
  });
  const prediction = D.prediction.length === 1 ? text(D.prediction[0]) : `[${D.prediction.map(text).join(", ")}]`;
  const target = D.target.length === 1 ? text(D.target[0]) : `[${D.target.map(text).join(", ")}]`;
  $("headline").innerHTML = `prediction ${esc(prediction)}, target ${esc(target)}, ${esc(D.loss_name)} loss ${num(D.loss, "loss", "loss")} · learning rate ${num(D.lr, "lr", "lr")} · use ← → or the buttons`;
  show(0);
  document.body.dataset.ready = "true";
});
