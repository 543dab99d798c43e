/* The companion notebook's link downloads the notebook, also where the page was opened
   from disk. Over HTTP its `download` attribute does it; from file:// Chromium ignores
   the attribute and shows the notebook as raw JSON. There, a click loads the notebook's
   script copy (`<name>.ipynb.js`, written beside it by the build, as the animations'
   `.gif.js` are; through player.js's window.cgLoadBytes) and saves its bytes through a
   Blob, under the link's file name. */
(function () {
  "use strict";

  if (location.protocol !== "file:") return;

  function save(name, bytes) {
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
    window.cgLoadBytes(link.href, "cgFiles").then((bytes) => save(link.getAttribute("download"), bytes), () => {});
  });
})();
