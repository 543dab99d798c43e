/* Animation player: play/pause, a slider over the frames, step buttons, keyboard, and
   the current step and error shown beside the picture.

   Each animation is published as a GIF (which plays by itself where scripts are off)
   in a light and a dark rendering, with one label per frame in data-labels. When the
   player first scrolls into view, this script takes the GIF of the page's colour
   scheme (from the browser's cache over HTTP; from its `.gif.js` copy when the page
   was opened from disk, where fetch() is not allowed) and draws its frames on a canvas,
   so a reader can stop on any frame.

   The build's GIFs have one global palette and a reserved "unchanged" index
   (build/coursegen/figures/gif.py), so frames are composited as palette indices, one
   byte a pixel. Frames are decoded lazily: the compressed data stays as it is, a full
   frame is kept only every KEYFRAME_EVERY frames, and frame k is decoded from the
   nearest keyframe before it. No libraries, no network. Readers who prefer reduced
   motion get a paused player. */

(function () {
  "use strict";

  const KEYFRAME_EVERY = 16;

  /* ---- GIF parsing: enough of GIF89a for the files our build writes ---------- */

  function subBlocks(bytes, p) {
    let total = 0;
    for (let q = p; bytes[q] !== 0; q += bytes[q] + 1) total += bytes[q];
    const data = new Uint8Array(total);
    let o = 0;
    while (bytes[p] !== 0) { const n = bytes[p]; data.set(bytes.subarray(p + 1, p + 1 + n), o); o += n; p += n + 1; }
    return { data, next: p + 1 };
  }

  function readPalette(bytes, p, n) {
    const colors = new Uint32Array(256);  // little-endian RGBA for Uint32 ImageData views
    for (let i = 0; i < n; i++) colors[i] = 0xff000000 | (bytes[p + 3 * i + 2] << 16) | (bytes[p + 3 * i + 1] << 8) | bytes[p + 3 * i];
    return colors;
  }

  /* The frames' rectangles and compressed data; nothing decoded yet. Refuses what the
     build never writes (local palettes, interlacing, disposal other than "leave"), so
     such a file stays an <img> rather than being drawn wrong. */
  function parseGif(bytes) {
    const sig = String.fromCharCode(...bytes.subarray(0, 6));
    if (sig !== "GIF89a" && sig !== "GIF87a") throw new Error("not a GIF");
    const width = bytes[6] | (bytes[7] << 8), height = bytes[8] | (bytes[9] << 8);
    if (!(bytes[10] & 0x80)) throw new Error("no global palette");
    const n = 2 << (bytes[10] & 7);
    const palette = readPalette(bytes, 13, n);
    let p = 13 + 3 * n, transparent = -1, delayMs = 0;
    const frames = [];
    while (p < bytes.length) {
      const block = bytes[p++];
      if (block === 0x3b) break;
      if (block === 0x21) {
        const label = bytes[p++];
        if (label === 0xf9) {
          const packed = bytes[p + 1];
          if (((packed >> 2) & 7) > 1) throw new Error("unsupported disposal");
          transparent = packed & 1 ? bytes[p + 4] : -1;
          delayMs = delayMs || 10 * (bytes[p + 2] | (bytes[p + 3] << 8));
        }
        p = subBlocks(bytes, p).next;
      } else if (block === 0x2c) {
        const left = bytes[p] | (bytes[p + 1] << 8), top = bytes[p + 2] | (bytes[p + 3] << 8);
        const w = bytes[p + 4] | (bytes[p + 5] << 8), h = bytes[p + 6] | (bytes[p + 7] << 8);
        const flags = bytes[p + 8];
        if (flags & 0xc0) throw new Error("local palettes and interlacing are not supported");
        const minCode = bytes[p + 9];
        const { data, next } = subBlocks(bytes, p + 10);
        p = next;
        frames.push({ left, top, w, h, minCode, data, transparent });
      } else {
        throw new Error("unexpected GIF block " + block);
      }
    }
    return { width, height, palette, frames, delayMs: delayMs || 150 };
  }

  /* ---- Frames decoded on demand ---------------------------------------------- */

  /* The LZW decoder's tables and output, shared by every player of the page: a frame is
     decoded and copied out at once, so one set serves them all (at twice the pixels,
     one output buffer per player was a tenth of the page's memory). */
  const LZW = { out: new Uint8Array(0), prefix: new Int16Array(4096), suffix: new Uint8Array(4096), stack: new Uint8Array(4097) };

  /* Keyframes run-length coded: a figure is mostly runs of one colour (the background,
     filled areas), so a frame of twice the pixels packs into a few tens of kilobytes
     instead of a megabyte, and unpacking is one fill per run. A run is its palette
     index, then its length as a little-endian base-128 number. One scratch buffer,
     sized for the worst case (no two neighbours alike), serves the page. */
  let PACKING = new Uint8Array(0);
  function pack(indices) {
    if (PACKING.length < 2 * indices.length) PACKING = new Uint8Array(2 * indices.length);
    const out = PACKING, n = indices.length;
    let o = 0, i = 0;
    while (i < n) {
      const v = indices[i];
      let j = i + 1;
      while (j < n && indices[j] === v) j++;
      out[o++] = v;
      for (let len = j - i; ; len >>>= 7) {
        if (len < 128) { out[o++] = len; break; }
        out[o++] = (len & 127) | 128;
      }
      i = j;
    }
    return out.slice(0, o);
  }

  function unpack(packed, indices) {
    let o = 0, i = 0;
    while (i < packed.length) {
      const v = packed[i++];
      let len = 0, shift = 0, b;
      do { b = packed[i++]; len |= (b & 127) << shift; shift += 7; } while (b & 128);
      if (len > 16) { indices.fill(v, o, o + len); o += len; }
      else for (const end = o + len; o < end; ) indices[o++] = v;
    }
  }

  class FrameStore {
    constructor(gif) {
      this.gif = gif;
      this.count = gif.frames.length;
      this.indices = new Uint8Array(gif.width * gif.height);  // the frame `current`
      this.current = -1;
      this.keyframes = new Map();  // frame number -> its indices, run-length coded (pack)
    }

    /* Make `indices` frame k, decoding forward from the closest of: the current
       frame (if before k), the latest keyframe at or before k, or nothing. */
    seek(k) {
      if (k === this.current) return;
      let start = -1;
      for (const j of this.keyframes.keys()) if (j <= k && j > start) start = j;
      if (!(this.current >= 0 && this.current < k && this.current >= start)) {
        if (start >= 0) unpack(this.keyframes.get(start), this.indices);
        this.current = start;  // -1: from frame 0, which is stored whole
      }
      while (this.current < k) this.apply(this.current + 1);
    }

    apply(i) {
      const f = this.gif.frames[i], width = this.gif.width;
      const pixels = this.lzw(f.minCode, f.data, f.w * f.h);
      const t = f.transparent;
      for (let y = 0; y < f.h; y++) {
        const row = (f.top + y) * width + f.left, from = y * f.w;
        for (let x = 0; x < f.w; x++) {
          const v = pixels[from + x];
          if (v !== t) this.indices[row + x] = v;
        }
      }
      this.current = i;
      if (i % KEYFRAME_EVERY === 0 && !this.keyframes.has(i)) this.keyframes.set(i, pack(this.indices));
    }

    lzw(minCodeSize, data, pixelCount) {
      if (LZW.out.length < pixelCount) LZW.out = new Uint8Array(pixelCount);
      const out = LZW.out, prefix = LZW.prefix, suffix = LZW.suffix, stack = LZW.stack;
      const clear = 1 << minCodeSize, end = clear + 1;
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
  }

  /* The RGBA picture a player hands its canvas, one per frame size for the whole page:
     a draw fills it and the canvas copies it at once (at twice the pixels, one per player
     was half the page's memory). */
  const RGBA = new Map();
  function rgba(ctx, width, height) {
    const key = `${width}x${height}`;
    if (!RGBA.has(key)) {
      const image = ctx.createImageData(width, height);
      RGBA.set(key, { image, pixels: new Uint32Array(image.data.buffer) });
    }
    return RGBA.get(key);
  }

  /* ---- Where the bytes come from --------------------------------------------- */

  /* Over HTTP fetch() takes a file from the browser's cache (a player's <img> has
     already downloaded its GIF). From disk fetch() is refused, so the file's script
     copy (coursegen/script_copy.py) is loaded instead: it files its bytes under its own
     address in window[table]. Shared as window.cgLoadBytes with explorer.js and
     download.js, which come after this script. */
  function loadBytes(url, table = "cgGifs") {
    if (location.protocol !== "file:") {
      return fetch(url, { cache: "force-cache" })
        .then((r) => { if (!r.ok) throw new Error(r.status); return r.arrayBuffer(); })
        .then((b) => new Uint8Array(b));
    }
    return new Promise((done, fail) => {
      const script = document.createElement("script");
      script.src = url.split("?")[0] + ".js";  // the copy of the file, without its version
      script.onload = () => {
        const store = window[table] || {};
        const text = store[script.src];
        delete store[script.src];
        script.remove();
        if (text === undefined) { fail(new Error("nothing in " + script.src)); return; }
        const raw = atob(text), bytes = new Uint8Array(raw.length);
        for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
        done(bytes);
      };
      script.onerror = () => fail(new Error("cannot load " + script.src));
      document.head.append(script);
    });
  }
  window.cgLoadBytes = loadBytes;

  function darkScheme() {
    return document.body.getAttribute("data-md-color-scheme") === "slate";
  }

  /* ---- The player ----------------------------------------------------------- */

  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  const later = window.requestIdleCallback || ((f) => setTimeout(f, 16));

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

  function source(root) {
    return darkScheme() && root.dataset.gifDark ? root.dataset.gifDark : root.dataset.gif;
  }

  function setUp(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "loading";
    loadStaticFrames(root);  // once a player has been in view, it prints at once
    const img = [...root.querySelectorAll("img.cg-player__gif")].find((i) => i.checkVisibility()) ||
      root.querySelector("img.cg-player__gif");
    const labels = JSON.parse(root.dataset.labels || "[]");
    /* The visible <img> is already downloading its GIF (lazy images start well before
       the player's 200px margin): wait for it, then take the GIF from the cache. */
    img.loading = "eager";
    const shown = img.complete ? Promise.resolve()
      : new Promise((done) => { img.addEventListener("load", done, { once: true }); img.addEventListener("error", done, { once: true }); });
    const url = source(root);
    shown
      .then(() => loadBytes(url))
      .then((bytes) => build(root, img, parseGif(bytes), url, labels))
      .catch(() => { root.dataset.ready = "failed"; });  // the GIF stays as it is
  }

  function build(root, img, gif, url, labels) {
    let store = new FrameStore(gif), shownUrl = url;
    const n = store.count;
    const canvas = document.createElement("canvas");
    canvas.width = gif.width; canvas.height = gif.height;
    /* Shown at the <img>'s size, its width attribute in CSS pixels: the frames have
       twice those pixels, one per device pixel on a screen of ratio 2. */
    if (img.getAttribute("width")) canvas.style.width = `${img.getAttribute("width")}px`;
    canvas.className = "cg-player__canvas";
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", img.alt);
    const ctx = canvas.getContext("2d");

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
    status.setAttribute("aria-live", "off");  // it changes every frame while playing
    const announcer = document.createElement("span");  // what a screen reader hears: on pause
    announcer.className = "cg-player__announcer";
    announcer.setAttribute("aria-live", "polite");
    controls.append(play, prev, slider, next, status, announcer);

    /* It plays while `playing`; its timer runs only while it is also in view, so that
       a page of players the reader has scrolled past draws nothing (and goes on from
       the same frame when they scroll back). */
    let frame = 0, timer = null, playing = false, inView = false, filling = null;
    let asked = false;  // whether the reader started the play now running (its end is read out then)

    function draw() {
      store.seek(frame);
      const { image, pixels } = rgba(ctx, gif.width, gif.height);
      const indices = store.indices, palette = store.gif.palette;
      for (let i = 0; i < indices.length; i++) pixels[i] = palette[indices[i]];
      ctx.putImageData(image, 0, 0);
    }
    /* Frame k drawn and labelled; read out (``say``) when paused, except as the player
       sets itself up near the screen: a screen reader's reader hears what they do only. */
    function show(k, say = true) {
      frame = Math.max(0, Math.min(n - 1, k));
      draw();
      slider.value = frame;
      const text = labels[frame] || `frame ${frame + 1} of ${n}`;
      status.textContent = text;
      slider.setAttribute("aria-valuetext", text);
      root.dataset.frame = frame;
      if (!playing && say) announcer.textContent = text;
    }
    function run() {
      const wanted = playing && inView;
      if (wanted && !timer) timer = setInterval(() => { if (frame === n - 1) pause(asked); else show(frame + 1); }, gif.delayMs);
      if (!wanted && timer) { clearInterval(timer); timer = null; }
    }
    function pause(say = true) {
      const was = playing;
      playing = false; run();
      play.innerHTML = icon("play"); play.setAttribute("aria-label", "Play"); root.dataset.playing = "false";
      if (was && say) announcer.textContent = status.textContent;
    }
    function start(byReader = true) {
      if (frame === n - 1) show(0);
      asked = byReader;
      playing = true; run();
      play.innerHTML = icon("pause"); play.setAttribute("aria-label", "Pause"); root.dataset.playing = "true";
    }
    if ("IntersectionObserver" in window) {
      new IntersectionObserver((entries) => {
        inView = entries[entries.length - 1].isIntersecting;
        run();
        if (inView && filling) { later(filling); filling = null; }
      }).observe(root);
    } else inView = true;
    play.addEventListener("click", () => (playing ? pause() : start()));
    prev.addEventListener("click", () => { pause(); show(frame - 1); });
    next.addEventListener("click", () => { pause(); show(frame + 1); });
    slider.addEventListener("input", () => { pause(); show(Number(slider.value)); });
    root.addEventListener("keydown", (e) => {
      if (e.target === slider && e.key.startsWith("Arrow")) return;  // the slider moves itself
      if (e.target.tagName === "BUTTON" && (e.key === " " || e.key === "Enter")) return;  // presses that button
      const keys = { ArrowLeft: -1, ArrowRight: 1, Home: -n, End: n };
      if (e.key === " " || e.key === "k") { e.preventDefault(); playing ? pause() : start(); }
      else if (e.key in keys) { e.preventDefault(); pause(); show(frame + keys[e.key]); }
    });

    /* The other scheme's rendering when the reader switches (Material's toggle sets
       data-md-color-scheme on <body>): same frames, its own palette and pixels. */
    new MutationObserver(() => {
      const wanted = source(root);
      if (wanted === shownUrl) return;
      shownUrl = wanted;
      loadBytes(wanted).then((bytes) => {
        if (shownUrl !== wanted) return;
        store = new FrameStore(parseGif(bytes));
        draw();
        fillKeyframes();
      }).catch(() => {});
    }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

    /* Keyframes for the whole animation, a few frames at a time while the page is idle
       and the player in view (one scrolled past waits), so that a jump anywhere decodes
       at most KEYFRAME_EVERY frames. */
    function fillKeyframes() {
      const mine = store;
      const work = new FrameStore(mine.gif);
      work.keyframes = mine.keyframes;
      const step = () => {
        if (store !== mine) return;
        if (!inView) { filling = step; return; }
        for (let i = 0; i < KEYFRAME_EVERY && work.current < n - 1; i++) work.apply(work.current + 1);
        if (work.current < n - 1) later(step);
      };
      later(step);
    }

    root.querySelectorAll("picture, img.cg-player__gif").forEach((el) => { if (el.parentNode === root) el.remove(); });
    root.prepend(canvas);
    canvas.after(controls);
    root.dataset.ready = "true";
    fillKeyframes();
    if (reduceMotion.matches) { show(n - 1, false); pause(false); } else { show(0, false); pause(false); start(false); }
  }

  /* The static frame (img.cg-print, shown only in print) is lazy and hidden on
     screen, so it is never fetched there; fetch it before anyone prints. */
  function loadStaticFrames(scope) {
    scope.querySelectorAll("img.cg-print[loading=lazy]").forEach((i) => { i.loading = "eager"; });
  }
  window.addEventListener("beforeprint", () => loadStaticFrames(document));

  /* On every page Material loads, each element matching `selector` not set up yet is
     set up (`setUp(element)`) once it comes within 200 px of the screen (at once where
     there is no IntersectionObserver). Shared as window.cgSetUpNear with explorer.js. */
  function setUpNear(selector, setUp) {
    function init() {
      const roots = document.querySelectorAll(`${selector}:not([data-ready])`);
      if (!("IntersectionObserver" in window)) { roots.forEach(setUp); return; }
      const seen = new IntersectionObserver((entries) => {
        for (const e of entries) if (e.isIntersecting) { seen.unobserve(e.target); setUp(e.target); }
      }, { rootMargin: "200px" });
      roots.forEach((r) => seen.observe(r));
    }
    if (window.document$) window.document$.subscribe(init);  // Material's page-load stream
    else document.addEventListener("DOMContentLoaded", init);
  }
  window.cgSetUpNear = setUpNear;

  setUpNear(".cg-player", setUp);
})();
