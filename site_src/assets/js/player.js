/* Animation player: play/pause, a slider over the frames, step buttons, keyboard, and
   the current step and error shown beside the picture.

   Each animation is published as a GIF (which plays by itself where scripts are off)
   with one label per frame in data-labels. This script decodes the GIF's frames
   itself, when the player first scrolls into view, and draws them on a canvas, so a
   reader can stop on any frame. No libraries, no network beyond the GIF itself.
   Readers who prefer reduced motion get a paused player. */

(function () {
  "use strict";

  /* ---- GIF decoding: enough of GIF89a for the files our build writes ---------- */

  function lzwDecode(minCodeSize, data, pixelCount) {
    const out = new Uint8Array(pixelCount);
    const clear = 1 << minCodeSize, end = clear + 1;
    const prefix = new Int16Array(4096), suffix = new Uint8Array(4096), stack = new Uint8Array(4097);
    for (let c = 0; c < clear; c++) { prefix[c] = -1; suffix[c] = c; }
    let size = minCodeSize + 1, next = end + 1, prev = -1, firstChar = 0;
    let acc = 0, bits = 0, o = 0, i = 0;
    while (o < pixelCount) {
      while (bits < size) { if (i >= data.length) return out; acc |= data[i++] << bits; bits += 8; }
      const code = acc & ((1 << size) - 1); acc >>>= size; bits -= size;
      if (code === clear) { size = minCodeSize + 1; next = end + 1; prev = -1; continue; }
      if (code === end) break;
      if (prev === -1) { out[o++] = code; firstChar = code; prev = code; continue; }
      let c = code, sp = 0;
      if (code >= next) { stack[sp++] = firstChar; c = prev; }  // the code being defined now
      while (c >= clear) { stack[sp++] = suffix[c]; c = prefix[c]; }
      stack[sp++] = c; firstChar = c;
      while (sp > 0 && o < pixelCount) out[o++] = stack[--sp];
      if (next < 4096) {
        prefix[next] = prev; suffix[next] = firstChar; next++;
        if (next === 1 << size && size < 12) size++;
      }
      prev = code;
    }
    return out;
  }

  function subBlocks(bytes, p) {
    const chunks = [];
    let total = 0;
    while (bytes[p] !== 0) { const n = bytes[p]; chunks.push(bytes.subarray(p + 1, p + 1 + n)); total += n; p += n + 1; }
    const data = new Uint8Array(total);
    let o = 0;
    for (const c of chunks) { data.set(c, o); o += c.length; }
    return { data, next: p + 1 };
  }

  function readPalette(bytes, p, n) {
    const colors = new Uint32Array(n);  // little-endian RGBA for Uint32 ImageData views
    for (let i = 0; i < n; i++) colors[i] = 0xff000000 | (bytes[p + 3 * i + 2] << 16) | (bytes[p + 3 * i + 1] << 8) | bytes[p + 3 * i];
    return colors;
  }

  /* Frames as full-size palette-index arrays, composited (disposal "leave in place"),
     each with the colour table it was drawn with: its local table, else the global one
     (composited indices are exact while a partial frame shares its predecessor's table,
     as with the build's fixed palette). */
  function decodeGif(buffer) {
    const bytes = new Uint8Array(buffer);
    const sig = String.fromCharCode(...bytes.subarray(0, 6));
    if (sig !== "GIF89a" && sig !== "GIF87a") throw new Error("not a GIF");
    const width = bytes[6] | (bytes[7] << 8), height = bytes[8] | (bytes[9] << 8);
    let p = 13, globalPalette = null, transparent = -1, delayMs = 0;
    if (bytes[10] & 0x80) { const n = 2 << (bytes[10] & 7); globalPalette = readPalette(bytes, p, n); p += 3 * n; }
    const frames = [], palettes = [];
    let canvas = new Uint8Array(width * height);
    while (p < bytes.length) {
      const block = bytes[p++];
      if (block === 0x3b) break;
      if (block === 0x21) {
        const label = bytes[p++];
        if (label === 0xf9) {
          transparent = bytes[p + 1] & 1 ? bytes[p + 4] : -1;
          delayMs = delayMs || 10 * (bytes[p + 2] | (bytes[p + 3] << 8));
        }
        p = subBlocks(bytes, p).next;
      } else if (block === 0x2c) {
        const left = bytes[p] | (bytes[p + 1] << 8), top = bytes[p + 2] | (bytes[p + 3] << 8);
        const w = bytes[p + 4] | (bytes[p + 5] << 8), h = bytes[p + 6] | (bytes[p + 7] << 8);
        const flags = bytes[p + 8];
        p += 9;
        let palette = globalPalette;
        if (flags & 0x80) { const n = 2 << (flags & 7); palette = readPalette(bytes, p, n); p += 3 * n; }
        if (flags & 0x40) throw new Error("interlaced GIFs are not supported");
        const minCode = bytes[p++];
        const { data, next } = subBlocks(bytes, p);
        p = next;
        const pixels = lzwDecode(minCode, data, w * h);
        const frame = canvas.slice();
        for (let y = 0; y < h; y++) {
          const row = (top + y) * width + left;
          for (let x = 0; x < w; x++) {
            const v = pixels[y * w + x];
            if (v !== transparent) frame[row + x] = v;
          }
        }
        frames.push(frame);
        palettes.push(palette);
        canvas = frame;
      } else {
        throw new Error("unexpected GIF block " + block);
      }
    }
    return { width, height, palettes, frames, delayMs: delayMs || 150 };
  }

  /* ---- The player ----------------------------------------------------------- */

  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  /* Icons as inline SVG paths (24x24), so no icon font has to be installed. */
  const ICONS = {
    play: "M8 5v14l11-7z",
    pause: "M6 19h4V5H6zm8-14v14h4V5z",
    prev: "M6 6h2v12H6zm3.5 6 8.5 6V6z",
    next: "M6 18l8.5-6L6 6zM16 6v12h2V6z",
  };

  function icon(name) {
    return `<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false"><path fill="currentColor" d="${ICONS[name]}"/></svg>`;
  }

  function button(label, name) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "cg-player__button";
    b.setAttribute("aria-label", label);
    b.innerHTML = icon(name);
    return b;
  }

  function setUp(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "loading";
    const img = root.querySelector("img:not(.cg-print)");
    loadStaticFrames(root);  // once a player has been in view, it prints at once
    const labels = JSON.parse(root.dataset.labels || "[]");
    /* The <img> is already downloading the GIF (lazy images start well before the
       player's 200px margin): wait for it, then take the GIF from the browser's cache
       rather than downloading it a second time. */
    img.loading = "eager";
    const shown = img.complete ? Promise.resolve()
      : new Promise((done) => { img.addEventListener("load", done, { once: true }); img.addEventListener("error", done, { once: true }); });
    shown
      .then(() => fetch(root.dataset.gif, { cache: "force-cache" }))
      .then((r) => { if (!r.ok) throw new Error(r.status); return r.arrayBuffer(); })
      .then((buffer) => build(root, img, decodeGif(buffer), labels))
      .catch(() => { root.dataset.ready = "failed"; });  // the GIF stays as it is
  }

  function build(root, img, gif, labels) {
    const n = gif.frames.length;
    const canvas = document.createElement("canvas");
    canvas.width = gif.width; canvas.height = gif.height;
    canvas.className = "cg-player__canvas";
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", img.alt);
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(gif.width, gif.height);
    const pixels = new Uint32Array(image.data.buffer);

    const controls = document.createElement("div");
    controls.className = "cg-player__controls";
    const play = button("Play", "play");
    const prev = button("Previous frame", "prev");
    const next = button("Next frame", "next");
    const slider = document.createElement("input");
    slider.type = "range"; slider.min = 0; slider.max = n - 1; slider.step = 1;
    slider.className = "cg-player__slider";
    slider.setAttribute("aria-label", root.dataset.sliderLabel || "Frame");
    const status = document.createElement("output");
    status.className = "cg-player__status";
    status.setAttribute("aria-live", "off");
    controls.append(play, prev, slider, next, status);

    let frame = 0, timer = null;

    function show(k) {
      frame = Math.max(0, Math.min(n - 1, k));
      const indices = gif.frames[frame], palette = gif.palettes[frame];
      for (let i = 0; i < indices.length; i++) pixels[i] = palette[indices[i]];
      ctx.putImageData(image, 0, 0);
      slider.value = frame;
      const text = labels[frame] || `frame ${frame + 1} of ${n}`;
      status.textContent = text;
      slider.setAttribute("aria-valuetext", text);
      root.dataset.frame = frame;
    }
    function pause() {
      clearInterval(timer); timer = null;
      play.innerHTML = icon("play"); play.setAttribute("aria-label", "Play"); root.dataset.playing = "false";
    }
    function start() {
      if (frame === n - 1) show(0);
      timer = setInterval(() => { if (frame === n - 1) pause(); else show(frame + 1); }, gif.delayMs);
      play.innerHTML = icon("pause"); play.setAttribute("aria-label", "Pause"); root.dataset.playing = "true";
    }
    play.addEventListener("click", () => (timer ? pause() : start()));
    prev.addEventListener("click", () => { pause(); show(frame - 1); });
    next.addEventListener("click", () => { pause(); show(frame + 1); });
    slider.addEventListener("input", () => { pause(); show(Number(slider.value)); });
    root.addEventListener("keydown", (e) => {
      if (e.target === slider && e.key.startsWith("Arrow")) return;  // the slider moves itself
      const keys = { ArrowLeft: -1, ArrowRight: 1, Home: -n, End: n };
      if (e.key === " " || e.key === "k") { e.preventDefault(); timer ? pause() : start(); }
      else if (e.key in keys) { e.preventDefault(); pause(); show(frame + keys[e.key]); }
    });

    const picture = img.closest("picture") || img;
    picture.replaceWith(canvas);
    canvas.after(controls);
    root.dataset.ready = "true";
    if (reduceMotion.matches) { show(n - 1); pause(); } else { show(0); pause(); start(); }
  }

  /* The static frame (img.cg-print, shown only in print) is lazy and hidden on
     screen, so it is never fetched there; fetch it before anyone prints. */
  function loadStaticFrames(scope) {
    scope.querySelectorAll("img.cg-print[loading=lazy]").forEach((i) => { i.loading = "eager"; });
  }
  window.addEventListener("beforeprint", () => loadStaticFrames(document));

  function init() {
    const players = document.querySelectorAll(".cg-player:not([data-ready])");
    if (!("IntersectionObserver" in window)) { players.forEach(setUp); return; }
    const seen = new IntersectionObserver((entries) => {
      for (const e of entries) if (e.isIntersecting) { seen.unobserve(e.target); setUp(e.target); }
    }, { rootMargin: "200px" });
    players.forEach((p) => seen.observe(p));
  }

  if (window.document$) window.document$.subscribe(init);  // Material's page-load stream
  else document.addEventListener("DOMContentLoaded", init);
})();
