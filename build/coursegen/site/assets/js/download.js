/* The companion notebook's link downloads the notebook, also where the page was opened
   from disk. Over HTTP its `download` attribute does it; from file:// Chromium ignores
   the attribute and shows the notebook as raw JSON. There, a click loads the notebook's
   script copy (`<name>.ipynb.js`, written beside it by the build, as the animations'
   `.gif.js` are) and saves its bytes through a Blob, under the link's file name. */
(function () {
  "use strict";

  if (location.protocol !== "file:") return;

  function save(name, base64) {
    const raw = atob(base64), bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    const url = URL.createObjectURL(new Blob([bytes], { type: "application/x-ipynb+json" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[download][href$='.ipynb']");
    if (!link) return;
    event.preventDefault();
    const script = document.createElement("script");
    script.src = link.href + ".js";
    script.onload = () => {
      const table = window.cgFiles || {};
      const text = table[script.src];
      delete table[script.src];
      script.remove();
      if (text) save(link.getAttribute("download"), text);
    };
    document.head.append(script);
  });
})();
