// Confirmation dialogs of irreversible steps (filing GSTR-3B): a button with data-open-dialog="<id>"
// opens the <dialog>; a button with data-close-dialog inside it closes it without submitting.
document.addEventListener("click", (e) => {
  const opener = e.target.closest("[data-open-dialog]");
  if (opener) {
    const dialog = document.getElementById(opener.dataset.openDialog);
    if (dialog && typeof dialog.showModal === "function") dialog.showModal();
    return;
  }
  const closer = e.target.closest("[data-close-dialog]");
  if (closer) closer.closest("dialog")?.close();
});
