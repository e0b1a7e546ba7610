/* @mentions: while someone types "@an" in a text field with data-mentions="<url>", the server's
   list of matching members (notifications/_mentions.html) appears under it; a click or Enter on
   a name puts "@Full Name " into the text. Without JavaScript people type the name themselves. */
(function () {
  "use strict";
  var AT = /(^|[^\w@.\-])@([^\s@]{0,30})$/;

  function partial(field) {
    var before = field.value.slice(0, field.selectionStart);
    var m = AT.exec(before);
    return m ? { query: m[2], start: before.length - m[2].length - 1 } : null;
  }

  function box(field) { return document.getElementById(field.id + "-mentions"); }

  var timer = null;
  document.addEventListener("input", function (e) {
    var field = e.target;
    if (!field.matches || !field.matches("textarea[data-mentions]") || !window.htmx) return;
    var list = box(field);
    if (!list) return;
    clearTimeout(timer);
    timer = setTimeout(function () {  // one request per pause in typing
      var found = partial(field);
      if (!found) { list.textContent = ""; return; }
      // A newer request replaces one still on its way, so an older answer never wins.
      field.setAttribute("hx-sync", "this:replace");
      field.setAttribute("hx-params", "none");  // (the text itself stays in the browser)
      var url = field.dataset.mentions + "?q=" + encodeURIComponent(found.query) + "&for=" + encodeURIComponent(field.id);
      htmx.ajax("GET", url, { source: field, target: list, swap: "innerHTML" });
    }, 150);
  });

  document.addEventListener("keydown", function (e) {
    var field = e.target;
    if (e.key === "Escape" && field.matches && field.matches("textarea[data-mentions]") && box(field)) {
      box(field).textContent = "";
    } else if (e.key === "ArrowDown" && field.matches && field.matches("textarea[data-mentions]")) {
      var first = box(field) && box(field).querySelector("button[data-mention]");
      if (first) { e.preventDefault(); first.focus(); }
    }
  });

  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("button[data-mention]");
    if (!button) return;
    var field = document.getElementById(button.dataset.for);
    if (!field) return;
    var found = partial(field) || { start: field.selectionStart };
    var end = field.selectionStart, text = "@" + button.dataset.mention + " ";
    field.value = field.value.slice(0, found.start) + text + field.value.slice(end);
    field.focus();
    field.selectionStart = field.selectionEnd = found.start + text.length;
    box(field).textContent = "";
  });
})();
