// Document form (GSTR-1): tax heads computed as you type, sections' own fields shown, rows added/removed.
// The server validates everything again; this only saves typing. Without JS the form still works.
(function () {
  "use strict";
  const form = document.getElementById("docform");
  if (!form) return;
  const supplierState = form.dataset.supplierState || "";
  const NOT_INTRA = ["SEWP", "SEWOP", "CBW"];
  const $ = (sel) => form.querySelector(sel);
  const rows = () => Array.from(form.querySelectorAll("tr.sup-item"));

  function paise(raw) {
    const s = String(raw || "").replace(/,/g, "").trim();
    if (s === "" || !/^\d+(\.\d{0,2})?$/.test(s)) return null;
    const [whole, frac = ""] = s.split(".");
    return Number(whole) * 100 + Number((frac + "00").slice(0, 2));
  }
  const rupees = (p) => (p / 100).toFixed(2);

  // An ECO document is intra-state by its actual supplier's state, not the operator's.
  const isEco = () => ["ecom", "ecoma"].includes($("[name=section]").value);
  function intra() {
    const pos = $("[name=pos]").value;
    const typ = $("[name=inv_typ]").value;
    const state = isEco() ? ($("[name=stin]").value || "").trim().slice(0, 2) : supplierState;
    return pos !== "" && pos === state && !NOT_INTRA.includes(typ);
  }

  // Expected tax of one row in paise, rounded half-up: taxable x rate / 100 (x 0.65 with diff_percent).
  function rowTax(row) {
    const taxable = paise(row.querySelector("[data-head=txval]").value);
    const rate = row.querySelector("[data-head=rt]").value;
    if (taxable === null || rate === "") return null;
    let tax = (taxable * Number(rate)) / 100;
    if ($("#f-diff") && $("#f-diff").checked) tax *= 0.65;
    return tax;
  }

  function fillRow(row) {
    const tax = rowTax(row);
    if (tax === null) return;
    const set = (head, p) => { row.querySelector(`[data-head=${head}]`).value = rupees(p); };
    if ($("[name=inv_typ]").value === "SEWOP") {
      set("iamt", 0); set("camt", 0); set("samt", 0);
    } else if (intra()) {
      const half = Math.round(tax / 2);
      set("iamt", 0); set("camt", half); set("samt", half);
    } else {
      set("iamt", Math.round(tax)); set("camt", 0); set("samt", 0);
    }
  }

  // The document value follows the items until the user types one.
  const val = $("[name=val]");
  function itemsTotal() {
    let total = 0, any = false;
    for (const row of rows()) {
      for (const input of row.querySelectorAll("input[data-head]")) {
        const p = paise(input.value);
        if (p !== null) { total += p; any = true; }
      }
    }
    return any ? total : null;
  }
  // A saved value equal to the items' total is still "automatic" (the edit form comes pre-filled).
  let valTyped = val.value !== "" && paise(val.value) !== itemsTotal();
  val.addEventListener("input", () => { valTyped = val.value !== ""; });
  function fillValue() {
    if (valTyped) return;
    const total = itemsTotal();
    val.value = total === null ? "" : rupees(total);
  }

  function showSections() {
    const section = $("[name=section]").value;
    const note = section === "cdnr" || section === "cdnra";
    const amend = section === "b2ba" || section === "cdnra" || section === "ecoma";
    const shown = { note, amend, eco: isEco(), "not-eco": !isEco() };
    for (const el of form.querySelectorAll("[data-show]")) {
      el.hidden = !shown[el.dataset.show];
    }
  }

  // Rate or taxable value of a row recomputes that row; place of supply, type and 65% recompute all
  // rows. Tax heads typed by hand stay until one of those changes.
  form.addEventListener("input", (e) => {
    const head = e.target.dataset && e.target.dataset.head;
    if (head === "rt" || head === "txval") fillRow(e.target.closest("tr"));
    if (head) fillValue();
  });
  form.addEventListener("change", (e) => {
    const name = e.target.name;
    if (["pos", "inv_typ", "diff_percent", "stin", "section"].includes(name)) { rows().forEach(fillRow); fillValue(); }
    if (e.target.dataset && e.target.dataset.head === "rt") { fillRow(e.target.closest("tr")); fillValue(); }
    if (name === "section") showSections();
  });

  const addButton = document.getElementById("add-row");
  const template = document.getElementById("row-template");
  if (addButton && template) {
    addButton.hidden = false;
    addButton.addEventListener("click", () => {
      const i = Math.max(-1, ...rows().map((r) => Number(r.dataset.row))) + 1;
      const html = template.innerHTML.replace(/__i__/g, String(i)).replace(/__n__/g, String(rows().length + 1));
      document.getElementById("item-rows").insertAdjacentHTML("beforeend", html);
      const added = rows().pop();
      added.querySelector("select").focus();
    });
  }
  // Issue 15: a row can be taken away (the last one is emptied instead); rows are numbered again.
  const body = document.getElementById("item-rows");
  const renumber = () => rows().forEach((r, k) => {
    r.querySelector(".sup-rown").textContent = String(k + 1);
    const button = r.querySelector("[data-remove-row]");
    if (button) button.setAttribute("aria-label", "Remove row " + (k + 1));
  });
  if (body) {
    form.querySelectorAll("[data-remove-row]").forEach((b) => { b.hidden = false; });
    new MutationObserver(() => form.querySelectorAll("[data-remove-row]").forEach((b) => { b.hidden = false; }))
      .observe(body, { childList: true });
    body.addEventListener("click", (e) => {
      const button = e.target.closest("[data-remove-row]");
      if (!button) return;
      const row = button.closest("tr.sup-item");
      const next = row.nextElementSibling;
      if (rows().length > 1) {
        if (next && next.classList.contains("sup-item-error")) next.remove();
        const focusTo = row.previousElementSibling || row.nextElementSibling;
        row.remove();
        renumber();
        if (addButton) addButton.focus(); else if (focusTo) focusTo.querySelector("select, input").focus();
      } else {
        row.querySelectorAll("input").forEach((i) => { i.value = ""; });
        row.querySelector("select").value = "";
        row.querySelector("select").focus();
      }
      fillValue();
    });
  }
  showSections();
})();
