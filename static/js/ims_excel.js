// IMS Excel round trip: the download links carry the filters currently in the filter form (htmx filtering
// changes them without reloading the page). Without this file the links carry the filters of the page load.
document.addEventListener("click", (e) => {
  const link = e.target.closest("a[data-export]");
  const form = document.getElementById("ims-filters");
  if (!link || !form) return;
  const query = new URLSearchParams();
  for (const [key, value] of new FormData(form)) {
    if (value) query.append(key, value);
  }
  query.set("format", link.dataset.export);
  link.href = `${link.href.split("?")[0]}?${query}`;
});
