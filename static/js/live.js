/* Live board: htmx-ext-sse swaps each event into #live-sink (its badges and message go out of
   band); this file puts the event's card in its place, skips events this tab caused, waits
   while a card is being dragged, and polls /board/changes while streaming fails. */
(function () {
  "use strict";
  var tab = Math.random().toString(36).slice(2, 12), last = 0, pending = [], poller = null, stale = false;

  function live() { return document.getElementById("live"); }
  function dragging() { return !!document.querySelector(".sortable-chosen"); }
  function seen(id) {
    var root = live();
    id = parseInt(id, 10);
    if (!root || !(id > last)) return;
    last = id;  // a new EventSource (after a failure) asks for what came after this
    root.setAttribute("data-sse-connect", root.dataset.stream + "?since=" + last);
  }

  document.addEventListener("htmx:configRequest", function (e) { e.detail.headers["X-Live-Tab"] = tab; });

  document.addEventListener("htmx:sseBeforeMessage", function (e) {
    var data = e.detail.data || "";
    if (data.indexOf("<!--tab:" + tab + "-->") === 0) { seen(e.detail.lastEventId); e.preventDefault(); }
    else if (dragging()) { pending.push(data); e.preventDefault(); }
  });
  document.addEventListener("htmx:sseMessage", apply);
  document.addEventListener("htmx:sseOpen", function () { clearInterval(poller); poller = null; });
  document.addEventListener("htmx:sseError", function () { 
    var root = live();
    if (!poller && root) poller = setInterval(poll, parseInt(root.dataset.poll, 10) || 10000);
  });
  document.addEventListener("pointerup", function () { setTimeout(flush, 50); });
  document.addEventListener("focusout", function () { if (stale) setTimeout(refreshBoard, 0); });

  function flush() {
    if (dragging() || !pending.length) return;
    var sink = document.getElementById("live-sink");
    while (pending.length) { htmx.swap(sink, pending.shift(), { swapStyle: "innerHTML" }); apply(); }
  }

  function poll() {
    var root = live();
    if (!root || dragging()) return;
    htmx.ajax("GET", root.dataset.changes + "?since=" + last, { target: "#live-sink", swap: "innerHTML" })
      .then(apply);
  }

  function filtered() {
    var keys = Array.from(new URLSearchParams(window.location.search).keys());
    return keys.some(function (k) { return k !== "group" && k !== "lang" && k !== "present"; });
  }

  function drafts() {
    return Array.from(document.querySelectorAll("#board input:not([type=hidden]), #board textarea"));
  }

  // Many tabs refresh at once after a layout change: spread their requests over half a second.
  function refreshSoon() { setTimeout(refreshBoard, Math.random() * 500); }

  // A fresh board (a layout change, or too much missed): not while someone types in it, and
  // half-typed drafts are put back into the new board.
  function refreshBoard() {
    stale = drafts().indexOf(document.activeElement) !== -1;
    if (stale) return;
    var area = document.querySelector("#board .board-scroll"), x = area.scrollLeft, y = area.scrollTop, kept = {};
    var focused = document.activeElement && document.activeElement.id;
    drafts().forEach(function (i) { if (i.id && i.value) kept[i.id] = i.value; });
    htmx.ajax("GET", window.location.href, { target: "#board", swap: "outerHTML", select: "#board" })
      .then(function () {
        area = document.querySelector("#board .board-scroll");
        area.scrollLeft = x; area.scrollTop = y;  // where the user had scrolled to
        var again = focused && document.getElementById(focused);  // e.g. a card link
        if (again && document.activeElement === document.body) again.focus({ preventScroll: true });
        Object.keys(kept).forEach(function (id) {
          var field = document.getElementById(id);
          if (field && !field.value) field.value = kept[id];
        });
      });
  }

  function place(ev) {
    var board = document.getElementById("board"), id = ev.dataset.card;
    if (!board) return;
    // Only the server knows which cards match the filters: a filtered board asks it again.
    if (filtered()) { refreshSoon(); return; }
    var old = board.querySelector("#card-" + id), fresh = ev.querySelector("li.card");
    var focused = old && old.contains(document.activeElement);
    if (!fresh) { if (old) old.remove(); return; }
    var lanes = (ev.dataset.lanes || "").split(" "), list = null;
    board.querySelectorAll('.card-list[data-column="' + ev.dataset.column + '"]').forEach(function (l) {
      if (!list && lanes.indexOf(l.dataset.lane) !== -1) list = l;
    });
    if (!list && old && old.parentElement.dataset.column === ev.dataset.column) list = old.parentElement;
    if (!list) { if (old) old.remove(); return; }
    var order = (ev.dataset.order || "").split(" "), at = order.indexOf(id), before = null;
    for (var i = at + 1; at >= 0 && i < order.length && !before; i++) {
      var next = list.querySelector("#card-" + order[i]);
      if (next && next.parentElement === list) before = next;  // (not a nested copy)
    }
    if (!before && list.parentElement.querySelector(".cell-more")) {  // beyond a cut-short cell
      if (old) old.remove();
      return;
    }
    if (old && old.parentElement === list && old.nextElementSibling === before) old.replaceWith(fresh);
    else { if (old) old.remove(); list.insertBefore(fresh, before); }
    if (focused) fresh.querySelector("a").focus({ preventScroll: true });
  }

  function apply() {
    var sink = document.getElementById("live-sink");
    if (!sink) return;
    sink.querySelectorAll(".live-event").forEach(function (ev) {
      seen(ev.dataset.id);
      if ("reload" in ev.dataset || "structure" in ev.dataset) refreshSoon();
      else if (ev.dataset.card) place(ev);
      // Page parts marked data-live-refresh="<verb prefix>" re-read themselves (their data-hx-get, else
      // this page) when such an event arrives: the timebox, the freeze banner.
      document.querySelectorAll("[data-live-refresh][id]").forEach(function (el) {
        if (ev.dataset.verb && ev.dataset.verb.indexOf(el.dataset.liveRefresh) === 0) {
          var own = el.getAttribute("data-hx-get");  // else the whole page (not the board fragment)
          htmx.ajax("GET", own || window.location.href, { target: el, swap: "outerHTML",
            select: "#" + el.id, headers: own ? {} : { "HX-History-Restore-Request": "true" } });
        }
      });
    });
    sink.textContent = "";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = live();
    if (root) last = parseInt(root.dataset.since, 10) || 0;
  });
})();
