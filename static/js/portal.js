// Small progressive enhancements; every page works without this file for reading.
document.addEventListener("keydown", (e) => {
  if (e.key === "/" && !["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName)) {
    const search = document.querySelector("[data-search]");
    if (search) { e.preventDefault(); search.focus(); }
  }
});
