/* Explorers: precomputed states a reader drives with sliders (coursegen/figures/explorer.py).

   Each `.cg-explorer[data-explorer]` names its spec (JSON: controls, panels, styles,
   layers, the sentence per state) and its data (16-bit fractions of the panels' axes,
   every shape of every state). When the explorer first comes near the screen, both are
   loaded (player.js's window.cgLoadBytes: over HTTP, or from their script copies when
   the page was opened from disk), and the explorer is built: one slider per control (arrow keys, Home/End,
   Page Up/Down), one SVG per panel, and a sentence naming the state, read out politely
   once the reader stops. A state change looks the shapes up and rewrites a few
   attributes: nothing is computed here but the axes' pixels. No libraries, no network. */

(function () {
  "use strict";

  const SVG = "http://www.w3.org/2000/svg";

  function el(name, attrs, parent) {
    const e = document.createElementNS(SVG, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.append(e);
    return e;
  }

  function dark() {
    return document.body.getAttribute("data-md-color-scheme") === "slate";
  }

  function paint(e, style, kind) {
    if (kind === "dots") {
      e.setAttribute("fill", style.fill || "currentColor");
      e.setAttribute("stroke", style.stroke || "none");
      if (style.stroke && style.stroke !== "none") e.setAttribute("stroke-width", 1.5);
    } else if (kind === "area") {
      e.setAttribute("fill", style.fill); e.setAttribute("stroke", "none");
    } else {
      e.setAttribute("fill", "none"); e.setAttribute("stroke", style.stroke);
      e.setAttribute("stroke-width", style.width || 1);
      if (style.dash) e.setAttribute("stroke-dasharray", style.dash);
    }
    if (style.opacity !== undefined) e.setAttribute("opacity", style.opacity);
  }

  function build(root, spec, data) {
    const values = new Int16Array(data.buffer, data.byteOffset, data.byteLength >> 1);  // little-endian, as written
    const [left, top, pw, ph] = spec.plot;
    const [width, height] = spec.size;
    const scale = spec.scale, missing = spec.missing;
    const state = spec.controls.map((c) => c.initial);
    const id = root.dataset.explorer;

    /* Controls: a labelled native slider each (its keys are the browser's own). */
    const controls = document.createElement("div");
    controls.className = "cg-explorer__controls";
    const sliders = spec.controls.map((c, k) => {
      const label = document.createElement("label");
      label.className = "cg-explorer__control";
      const name = document.createElement("span");
      name.className = "cg-explorer__name";
      name.textContent = c.label;
      const value = document.createElement("span");  // not an <output>: that is a live region of its own
      value.className = "cg-explorer__value";
      value.setAttribute("aria-hidden", "true");  // the slider's name is its label; its value it reads itself
      const input = document.createElement("input");
      input.type = "range"; input.min = 0; input.max = c.values.length - 1; input.step = 1;
      input.value = c.initial;
      input.dataset.control = k;
      input.addEventListener("input", () => { state[k] = Number(input.value); show(true); });
      label.append(name, input, value);
      controls.append(label);
      return { input, value };
    });

    /* Panels: static frame (axes, ticks, labels), then one group per layer. */
    const panels = document.createElement("div");
    panels.className = "cg-explorer__panels";
    panels.setAttribute("aria-hidden", "true");  // the sentence below says what they show
    const groups = spec.panels.map((p, k) => {
      const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, class: "cg-explorer__panel", "data-panel": k });
      el("text", { x: width / 2, y: 16, "text-anchor": "middle", class: "cg-explorer__title" }, svg).textContent = p.title;
      el("rect", { x: left, y: top, width: pw, height: ph, class: "cg-explorer__frame" }, svg);
      for (const [f, text] of p.x.ticks) {
        const x = left + f * pw;
        el("line", { x1: x, x2: x, y1: top + ph, y2: top + ph + 4, class: "cg-explorer__tick" }, svg);
        const t = el("text", { x, y: top + ph + 16, "text-anchor": "middle", class: "cg-explorer__ticklabel", "data-axis": "x", "data-fraction": f }, svg);
        t.textContent = text;
      }
      for (const [f, text] of p.y.ticks) {
        const y = top + (1 - f) * ph;
        el("line", { x1: left - 4, x2: left, y1: y, y2: y, class: "cg-explorer__tick" }, svg);
        const t = el("text", { x: left - 6, y: y + 4, "text-anchor": "end", class: "cg-explorer__ticklabel", "data-axis": "y", "data-fraction": f }, svg);
        t.textContent = text;
      }
      el("text", { x: left + pw / 2, y: height - 6, "text-anchor": "middle", class: "cg-explorer__label" }, svg).textContent = p.x.label;
      const ly = top + ph / 2;
      el("text", { x: 12, y: ly, "text-anchor": "middle", transform: `rotate(-90 12 ${ly})`, class: "cg-explorer__label" }, svg).textContent = p.y.label;
      const clip = el("clipPath", { id: `cg-clip-${id}-${k}` }, svg);
      el("rect", { x: left - 6, y: top - 6, width: pw + 12, height: ph + 12 }, clip);
      const g = el("g", { "clip-path": `url(#cg-clip-${id}-${k})` }, svg);
      panels.append(svg);
      return g;
    });
    const layers = spec.layers.map((layer, k) => {
      const g = el("g", { "data-layer": k, "data-style": layer.style, "data-kind": layer.kind }, groups[layer.panel]);
      const sizes = layer.dims.map((d) => spec.controls[d].values.length);
      return { layer, g, sizes, shapes: [] };
    });

    const text = document.createElement("p");
    text.className = "cg-explorer__state";
    const announcer = document.createElement("span");  // read out once the reader stops
    announcer.className = "cg-explorer__announcer";
    announcer.setAttribute("aria-live", "polite");
    let quiet = null;

    function sentence() {  // the template filled once, as Python's str.format fills it
      const values = spec.text.parts.map((part) => {
        let index = 0;
        part.dims.forEach((d) => { index = index * spec.controls[d].values.length + state[d]; });
        return part.values[index];
      });
      return spec.text.template.replace(/\{\{|\}\}|\{(\d+)\}/g, (field, k) =>
        field === "{{" ? "{" : field === "}}" ? "}" : values[Number(k)]);
    }

    function restyle() {
      const styles = dark() ? spec.styles.dark : spec.styles.light;
      for (const { layer, shapes } of layers) for (const e of shapes) paint(e, styles[layer.style], layer.kind);
    }

    function draw(entry) {
      const { layer, g, sizes } = entry;
      const shown = layer.when.every(([c, v]) => state[c] === v);
      g.style.display = shown ? "" : "none";
      if (!shown) return;
      let index = 0;
      layer.dims.forEach((d, i) => { index = index * sizes[i] + state[d]; });
      const n = layer.count * layer.points * 2;
      const base = layer.offset + index * n;
      const points = layer.upto === null ? layer.points : Math.min(layer.points, state[layer.upto] + 1);
      const styles = dark() ? spec.styles.dark : spec.styles.light;
      let made = 0;
      for (let c = 0; c < layer.count; c++) {
        const at = base + c * layer.points * 2;
        if (layer.kind === "dots") {
          for (let p = 0; p < points; p++) {
            const fx = values[at + 2 * p], fy = values[at + 2 * p + 1];
            if (fx === missing || fy === missing) continue;
            let e = entry.shapes[made];
            if (!e) { e = el("circle", { r: styles[layer.style].r || 3 }, g); paint(e, styles[layer.style], layer.kind); entry.shapes.push(e); }
            e.setAttribute("cx", (left + (fx / scale) * pw).toFixed(1));
            e.setAttribute("cy", (top + (1 - fy / scale) * ph).toFixed(1));
            e.style.display = "";
            made++;
          }
        } else {
          const coords = [];
          for (let p = 0; p < points; p++) {
            const fx = values[at + 2 * p], fy = values[at + 2 * p + 1];
            if (fx === missing || fy === missing) continue;
            coords.push(`${(left + (fx / scale) * pw).toFixed(1)},${(top + (1 - fy / scale) * ph).toFixed(1)}`);
          }
          if (!coords.length) continue;
          let e = entry.shapes[made];
          if (!e) { e = el(layer.kind === "area" ? "polygon" : "polyline", {}, g); paint(e, styles[layer.style], layer.kind); entry.shapes.push(e); }
          e.setAttribute("points", coords.join(" "));
          e.style.display = "";
          made++;
        }
      }
      for (let k = made; k < entry.shapes.length; k++) entry.shapes[k].style.display = "none";
    }

    /* The state drawn and written; read out (``say``) only when the reader changed it,
       once they stop: set up as it comes near the screen, an explorer says nothing. */
    function show(say) {
      layers.forEach(draw);
      spec.controls.forEach((c, k) => {
        sliders[k].input.value = state[k];
        sliders[k].value.textContent = c.values[state[k]];
        sliders[k].input.setAttribute("aria-valuetext", c.values[state[k]]);
      });
      const said = sentence();
      text.textContent = said;
      root.dataset.state = state.join(",");
      clearTimeout(quiet);
      if (say) quiet = setTimeout(() => { announcer.textContent = said; }, 400);
    }

    root.querySelectorAll(".cg-explorer__fallback").forEach((e) => e.remove());
    root.prepend(controls, panels, text, announcer);
    new MutationObserver(restyle).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
    show(false);
    root.dataset.ready = "true";
  }

  function setUp(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "loading";
    const load = (url) => window.cgLoadBytes(url, "cgFiles");  // player.js's: HTTP or the script copy
    Promise.all([load(root.dataset.spec), load(root.dataset.data)])
      .then(([spec, data]) => build(root, JSON.parse(new TextDecoder().decode(spec)), data))
      .catch(() => { root.dataset.ready = "failed"; });  // the small multiple stays
  }

  /* Its printed small multiple (img.cg-print) is fetched before printing by player.js,
     with the players' static frames. */

  window.cgSetUpNear(".cg-explorer[data-explorer]", setUp);  // player.js's: within 200 px of the screen
})();
