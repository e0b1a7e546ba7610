/* Sprintboard: small progressive enhancements. Every action also works without this file. */
(function () {
  "use strict";

  // A language <select> submits its form on change (the button stays for no-JS and keyboard users).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) el.form.requestSubmit();
  });

  // Forms that ask for the browser's time zone (login, joining): the account starts in it.
  document.addEventListener("DOMContentLoaded", function () {
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* none */ }
    document.querySelectorAll("input[data-browser-timezone]").forEach(function (el) { el.value = zone; });
  });

  // "/" jumps to the search box in the header (unless one is typing somewhere).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var el = event.target;
    if (el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))) return;
    var box = document.getElementById("site-search");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  // "Print / PDF": the browser's print dialog (without JS the link shows how to open it).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-print]");
    if (!link) return;
    event.preventDefault();
    window.print();
  });

  // Buttons with data-confirm ask first.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
  }, true);

  // Uploads sent by htmx show their progress (without JS the plain form uploads).
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest && event.target.closest("form[data-upload]");
    var bar = form && form.querySelector("progress");
    if (!bar || !event.detail.lengthComputable) return;
    bar.hidden = false;
    bar.value = Math.round(100 * event.detail.loaded / event.detail.total);
  });

  // An Undo toast goes away when its time is up (the server refuses a late Undo anyway).
  function expireUndo(root) {
    var found = root.querySelectorAll ? root.querySelectorAll("[data-undo-seconds]") : [];
    Array.prototype.forEach.call(found, function (el) {
      if (el._undoTimer) return;
      el._undoTimer = setTimeout(function () { el.remove(); }, 1000 * Number(el.dataset.undoSeconds));
    });
  }
  document.addEventListener("DOMContentLoaded", function () { expireUndo(document); });
  document.addEventListener("htmx:afterSettle", function () { expireUndo(document); });

  // Flash messages swapped in by htmx fade after a while; errors stay until the next action.
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("#flash .flash-success").forEach(function (el) {
      setTimeout(function () { el.remove(); }, 6000);
    });
  });
})();
