// IMS Inward: select-all, selection counts, the declaration and credit-note rejection dialogs,
// and the keyboard (j/k move, x tick, a/r/p/n act, / search). The page reads and acts without it.
(function () {
  "use strict";
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const bulk = () => $("#ims-bulk");
  const boxes = () => $$('#ims-rows input[name="ids"]');
  const ticked = () => boxes().filter((b) => b.checked);
  const rowOf = (box) => box.closest("tr");
  let bypass = false;

  function recount() {
    const n = ticked().length;
    $$("[data-selcount]").forEach((el) => { el.textContent = String(n); });
    const all = $("#ims-select-all");
    if (all) {
      const total = boxes().length;
      all.checked = total > 0 && n === total;
      all.indeterminate = n > 0 && n < total;
    }
  }

  function setHidden(sel, value) { const el = $(sel, bulk()); if (el) el.value = value; }

  function resetHidden() {
    setHidden("[data-decl-red]", "");
    $$("[data-decl-amt]", bulk()).forEach((el) => { el.value = ""; });
    setHidden("[data-confirmed]", "");
  }

  function resubmit(btn) { bypass = true; btn.click(); bypass = false; }

  // The amounts a declaration may reduce per head: the heads the note has, each at most its own
  // reduction; checked as typed, so "too large" is said before the dialog closes (issue 15).
  function declProblem(dlg, row) {
    const given = {};
    for (const el of $$("[data-decl-in]", dlg)) {
      const raw = el.value.trim().replace(/,/g, "");
      const head = el.dataset.declIn;
      el.removeAttribute("aria-invalid");
      if (!raw) continue;
      const max = Number(row.dataset["red" + head[0].toUpperCase() + head.slice(1)] || 0);
      const label = el.closest("[data-decl-head]").querySelector("label").firstChild.textContent.trim();
      if (!/^\d+(\.\d{1,2})?$/.test(raw)) {
        el.setAttribute("aria-invalid", "true");
        return `${label}: write an amount in rupees, such as 1250.50.`;
      }
      if (Number(raw) > max) {
        el.setAttribute("aria-invalid", "true");
        return `${label}: at most ${inr(max)}, the note's own ${label.split(" ")[0]}.`;
      }
      given[head] = Number(raw);
    }
    if ("cgst" in given || "sgst" in given) {
      const c = "cgst" in given ? given.cgst : Number(row.dataset.redCgst || 0);
      const s = "sgst" in given ? given.sgst : Number(row.dataset.redSgst || 0);
      if (c !== s) return "CGST and SGST/UTGST are reduced by the same amount.";
    }
    return "";
  }

  function inr(n) {
    return n.toLocaleString("en-IN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function openDecl(btn, declRows, total) {
    const dlg = $("#ims-decl-dialog");
    if (!dlg || typeof dlg.showModal !== "function") return false;
    const single = total === 1 && declRows.length === 1;
    const row = declRows[0];
    const ok = $('button[value="ok"]', dlg);
    const error = $("[data-decl-error]", dlg);
    $("[data-decl-amounts]", dlg).hidden = !single;
    $$("[data-decl-in]", dlg).forEach((el) => { el.value = ""; el.removeAttribute("aria-invalid"); });
    error.textContent = "";
    ok.disabled = false;
    if (single) {
      $$("[data-decl-head]", dlg).forEach((box) => {
        const head = box.dataset.declHead;
        const max = Number(row.dataset["red" + head[0].toUpperCase() + head.slice(1)] || 0);
        box.hidden = !(max > 0);
        $("[data-decl-max]", box).textContent = `at most ${inr(max)}`;
        $("[data-decl-in]", box).placeholder = inr(max);
      });
    }
    const check = () => {
      const problem = single && $('input[name="decl_choice"]:checked', dlg).value === "Y" ? declProblem(dlg, row) : "";
      error.textContent = problem;
      ok.disabled = Boolean(problem);
    };
    dlg.oninput = check;
    dlg.onchange = check;
    $("[data-decl-count]", dlg).textContent = single ? `${row.dataset.number || "This note"} reduces your ITC.` :
      `${declRows.length} of the ${total} ticked records reduce your ITC. Yes reduces each by its full amount.`;
    dlg.onclose = () => {
      if (dlg.returnValue !== "ok") return;
      const choice = $('input[name="decl_choice"]:checked', dlg).value;
      setHidden("[data-decl-red]", choice);
      if (single && choice === "Y") {
        $$("[data-decl-in]", dlg).forEach((el) => {
          setHidden(`[data-decl-amt="${el.dataset.declIn}"]`, el.value.trim().replace(/,/g, ""));
        });
      }
      resubmit(btn);
    };
    dlg.returnValue = "";
    dlg.showModal();
    return true;
  }

  function openReject(btn, cnRows) {
    const dlg = $("#ims-reject-dialog");
    if (!dlg || typeof dlg.showModal !== "function") return false;
    $("[data-cn-count]", dlg).textContent = String(cnRows.length);
    dlg.onclose = () => {
      if (dlg.returnValue !== "ok") return;
      setHidden("[data-confirmed]", "1");
      resubmit(btn);
    };
    dlg.returnValue = "";
    dlg.showModal();
    return true;
  }

  // "Select all N matching" (issue 5): offered once every row of the page is ticked; the count is one
  // request made only then. Chosen, the bulk buttons start a job over the filters instead of the ticks.
  const allMatching = () => $("#ims-all-matching");
  const allMatchingBox = () => $("#ims-all-matching-cb");
  function clearAllMatching() {
    const span = allMatching();
    if (span) { span.hidden = true; span.innerHTML = ""; }
  }
  function offerAllMatching() {
    const form = bulk(), span = allMatching();
    if (!form || !span || typeof htmx === "undefined") return;
    const qs = new URLSearchParams(($('input[name="qs"]', form) || {}).value || "");
    qs.delete("cursor");
    span.hidden = false;
    htmx.ajax("GET", `${form.dataset.countUrl}?${qs.toString()}`, { target: span, swap: "innerHTML" });
  }
  function startAllMatching(btn) {
    const box = allMatchingBox();
    const label = btn.textContent.replace(/\s*\(.*\)\s*$/, "").trim();
    const note = btn.dataset.bulk === "A" ? " Records that reduce your ITC are accepted with declaration Y for the full amount." : "";
    if (!window.confirm(`${label}: all ${box.dataset.count} matching records?${note}`)) return;
    htmx.ajax("POST", bulk().dataset.bulkUrl, {
      source: bulk(), target: "#ims-bulk-job", swap: "innerHTML", values: { action: btn.dataset.bulk },
    });
    box.checked = false;
    clearAllMatching();
  }

  document.addEventListener("click", (e) => {
    const btn = e.target.closest("#ims-bulk button[data-bulk]");
    if (!btn || bypass) return;
    const box = allMatchingBox();
    if (box && box.checked) { e.preventDefault(); startAllMatching(btn); return; }
    const rows = ticked().map(rowOf);
    if (rows.length === 0) return;
    const action = btn.dataset.bulk;
    if (action === "A") {
      const declRows = rows.filter((r) => r.dataset.decl === "1");
      if (declRows.length && openDecl(btn, declRows, rows.length)) e.preventDefault();
    } else if (action === "R") {
      const cnRows = rows.filter((r) => r.dataset.cn === "1");
      if (cnRows.length && openReject(btn, cnRows)) e.preventDefault();
    }
  });

  document.addEventListener("change", (e) => {
    if (e.target.id === "ims-select-all") {
      boxes().forEach((b) => { b.checked = e.target.checked; });
      if (e.target.checked) offerAllMatching(); else clearAllMatching();
    } else if (e.target.name === "ids") {
      const total = boxes().length;
      if (!e.target.checked) clearAllMatching();
      else if (total && ticked().length === total && allMatching() && allMatching().hidden) offerAllMatching();
    }
    if (e.target.id === "ims-all-matching-cb") {
      const note = $("[data-allmatch-note]");
      if (note) note.hidden = !e.target.checked;
    }
    if (e.target.id === "ims-select-all" || e.target.name === "ids") recount();
  });

  document.addEventListener("htmx:afterRequest", (e) => {
    if (e.detail.elt === bulk() || (bulk() && bulk().contains(e.detail.elt))) resetHidden();
  });
  // New rows (filters, paging, an action): the offer was for the old selection. Once an action has been
  // applied (its result is shown), its remarks are spent: the next Reject or Pending never sends them about
  // another supplier's invoice (issue 15). A confirmation asked first keeps them.
  document.addEventListener("htmx:afterSwap", (e) => {
    if (!e.detail.target || e.detail.target.id !== "ims-table") return;
    clearAllMatching();
    const remarks = document.getElementById("ims-remarks");
    if (remarks && $("#ims-messages .ims-result")) remarks.value = "";
  });
  // Filters: leave empty fields out of the request, so the pushed URL names only the filters in use.
  document.addEventListener("htmx:configRequest", (e) => {
    if (e.detail.elt.id !== "ims-filters") return;
    const params = e.detail.parameters;
    const keys = params instanceof FormData ? Array.from(params.keys()) : Object.keys(params);
    keys.forEach((k) => {
      const v = params instanceof FormData ? params.get(k) : params[k];
      if (v === "" || v === null) { if (params instanceof FormData) params.delete(k); else delete params[k]; }
    });
  });
  document.addEventListener("htmx:afterSettle", recount);
  document.addEventListener("DOMContentLoaded", recount);
  // The Number box searches as one types (keyup); its change event on losing focus — e.g. to tick a row it
  // found — must not search again and re-render the table, losing the tick (issue 15).
  document.addEventListener("DOMContentLoaded", () => {
    const q = document.getElementById("f-q");
    if (q) q.addEventListener("change", (e) => e.stopPropagation());
  });

  // Keyboard.
  let focusIndex = -1;
  const rows = () => $$("#ims-rows tr.ims-row");
  function focusRow(i) {
    const list = rows();
    if (!list.length) return;
    focusIndex = Math.max(0, Math.min(list.length - 1, i));
    list.forEach((r) => r.classList.remove("focus"));
    const row = list[focusIndex];
    row.classList.add("focus");
    row.focus({ preventScroll: false });
    row.scrollIntoView({ block: "nearest" });
  }
  const KEY_ACTION = { a: "A", r: "R", p: "P", n: "N" };

  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const tag = (document.activeElement && document.activeElement.tagName) || "";
    // Row checkboxes keep the shortcuts (a keyboard user tabs to them); other fields take the keys.
    const rowBox = document.activeElement && document.activeElement.matches
      && document.activeElement.matches('#ims-rows input[name="ids"]');
    if ((["INPUT", "TEXTAREA", "SELECT"].includes(tag) && !rowBox) || document.querySelector("dialog[open]")) return;
    const current = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest("#ims-rows tr.ims-row") : null;
    if (current) focusIndex = rows().indexOf(current);
    if (e.key === "j") { e.preventDefault(); focusRow(focusIndex + 1); }
    else if (e.key === "k") { e.preventDefault(); focusRow(focusIndex - 1); }
    else if (e.key === "x") {
      const row = rows()[focusIndex];
      const box = row && $('input[name="ids"]', row);
      if (box) { e.preventDefault(); box.checked = !box.checked; recount(); }
    } else if (KEY_ACTION[e.key]) {
      const btn = $(`#ims-bulk button[data-bulk="${KEY_ACTION[e.key]}"]`);
      if (btn && ticked().length) { e.preventDefault(); btn.click(); }
    } else if (e.key === "/") {
      const search = $("[data-search]");
      if (search) { e.preventDefault(); search.focus(); search.select(); }
    }
  });
})();

// Issue 17: "Save view" saves the filters as they are now (htmx filtering changes them without a reload).
document.addEventListener("submit", (e) => {
  const form = e.target;
  if (!form.matches || !form.matches(".ims-view-save")) return;
  const filters = document.getElementById("ims-filters");
  if (!filters) return;
  form.querySelectorAll('input[type=hidden]:not([name=csrfmiddlewaretoken])').forEach((el) => el.remove());
  new FormData(filters).forEach((value, key) => {
    if (!value) return;
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = key;
    input.value = value;
    form.appendChild(input);
  });
});
