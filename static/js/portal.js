// Small progressive enhancements; every page works without this file for reading.
document.addEventListener("keydown", (e) => {
  if (e.key === "/" && !["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName)) {
    const search = document.querySelector("[data-search]");
    if (search) { e.preventDefault(); search.focus(); }
  }
});

// Issue 15: feedback while work is under way, and no second submit of the same form meanwhile. A posted
// form's buttons are disabled once the browser has taken the submission (the clicked button's value is sent);
// an htmx request marks its element busy and disables its buttons until the answer is in.
(function () {
  "use strict";
  const buttonsOf = (el) =>
    el.matches("button") ? [el] : Array.from(el.querySelectorAll("button[type=submit], button:not([type])"));
  const busy = (el, on) => {
    if (on) el.setAttribute("aria-busy", "true"); else el.removeAttribute("aria-busy");
    buttonsOf(el).forEach((b) => {
      if (on && !b.disabled) { b.disabled = true; b.dataset.busy = "1"; }
      if (!on && b.dataset.busy) { b.disabled = false; delete b.dataset.busy; }
    });
  };
  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (e.defaultPrevented || (form.method || "").toLowerCase() !== "post") return;
    if (["hx-post", "hx-get", "data-hx-post"].some((a) => form.hasAttribute(a))) return;
    setTimeout(() => busy(form, true), 0);
  });
  window.addEventListener("pageshow", () => document.querySelectorAll("form[aria-busy]").forEach((f) => busy(f, false)));
  document.addEventListener("htmx:beforeRequest", (e) => busy(e.detail.elt, true));
  document.addEventListener("htmx:afterRequest", (e) => busy(e.detail.elt, false));
})();

// Issue 15: a job shown on a page that ends (its progress fragment arrives finished) refreshes what it
// changed: every element marked data-refresh-on-job gets the event "job-finished" (its hx-trigger).
document.addEventListener("htmx:load", (e) => {
  const el = e.detail.elt;
  if (!el || el === document.body || !el.querySelectorAll) return;
  const finished = el.matches(".job-progress[data-finished]") || el.querySelector(".job-progress[data-finished]");
  if (!finished || !window.htmx) return;
  document.querySelectorAll("[data-refresh-on-job]").forEach((target) => window.htmx.trigger(target, "job-finished"));
});
