// chainrule's walk-through page: how the picture fits its box (run before page.js). The
// picture is Python's SVG; this script only widens it for the reader's font and sizes it.
"use strict";

// Python leaves room on the left for the input names at a typical letter width; the reader's
// font decides, so the picture widens on the left to hold the widest name as drawn.
(function fitNames() {
  const svg = document.getElementById("net");
  const box = svg.viewBox.baseVal;
  let left = box.x;
  for (const name of svg.querySelectorAll("text.name")) left = Math.min(left, name.getBBox().x - 6);
  if (left < box.x) svg.setAttribute("viewBox", `${left} ${box.y} ${box.width + box.x - left} ${box.height}`);
})();

// The picture never draws its smallest text below READABLE px: at that scale it keeps its
// size and scrolls inside its box (a phone, a deep network); with room to spare it grows to
// fill its box, up to LARGEST times its size. Beside the steps it takes the room it needs,
// leaving the steps 440 px; when that leaves it less than USABLE px (or less than it needs,
// if that is smaller), the steps go below it and it takes the whole width.
const READABLE = 11;
const LARGEST = 1.4;
const USABLE = 560;
(function sizePicture() {
  const svg = document.getElementById("net");
  const width = svg.viewBox.baseVal.width;
  const sizes = [...svg.querySelectorAll("text")].map((t) => parseFloat(getComputedStyle(t).fontSize));
  const scale = READABLE / Math.min(...sizes);
  svg.style.minWidth = `${width * scale}px`;
  svg.style.maxWidth = `${width * Math.max(scale, LARGEST)}px`;
  // The basis is at least min(needs, USABLE), so beside 440 px of steps (and 16 px of gap)
  // it only fits when it gets that much; otherwise the flex line wraps.
  const needs = width * scale + 2;
  document.getElementById("picture").style.flexBasis =
    `max(${Math.min(needs, USABLE)}px, min(${needs}px, 100% - 456px))`;
  const view = document.getElementById("view");
  new ResizeObserver(() => {
    document.getElementById("larger").hidden = view.scrollWidth <= view.clientWidth + 1 && view.scrollHeight <= view.clientHeight + 1;
  }).observe(view);
})();
