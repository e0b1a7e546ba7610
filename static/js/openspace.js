/* Open space: page parts that follow the event live, the grid's drag and drop and keyboard
   moves (both post the same form as the session page), full screen and print buttons. */
(function () {
  "use strict";
  var tab = Math.random().toString(36).slice(2, 12), timer = null, waiting = false, source = null;

  document.addEventListener("htmx:configRequest", function (e) { e.detail.headers["X-Live-Tab"] = tab; });

  function grid() { return document.getElementById("grid"); }
  function dragging() { return !!document.querySelector(".sortable-chosen"); }
  function busy(el) {
    var a = document.activeElement;
    return dragging() || (a && el.contains(a) && /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName));
  }

  // Re-read each live part of the page (its data-os-refresh URL answers with the fragment),
  // unless every change since is one it does not show (data-os-skip: verbs).
  var verbs = [];
  function refresh() {
    var changed = verbs;
    timer = null;
    verbs = [];
    document.querySelectorAll("[data-os-refresh][id]").forEach(function (el) {
      var skip = (el.dataset.osSkip || "").split(" ");
      if (changed.length && changed.every(function (v) { return skip.indexOf(v) !== -1; })) return;
      if (busy(el)) { waiting = true; return; }
      htmx.ajax("GET", el.dataset.osRefresh, { target: el, swap: "outerHTML", select: "#" + el.id });
    });
  }
  // Many screens get the same event: spread their requests over half a second.
  function soon(verb) {
    verbs.push(verb || "");
    if (!timer) timer = setTimeout(refresh, 100 + Math.random() * 400);
  }
  document.addEventListener("pointerup", function () { if (waiting) { waiting = false; setTimeout(soon, 50); } });
  document.addEventListener("focusout", function () { if (waiting) { waiting = false; setTimeout(soon, 50); } });

  function connect() {
    var live = document.getElementById("os-live");
    if (!live || !window.EventSource) return;
    source = new EventSource(live.dataset.stream);
    source.addEventListener("changed", function (e) {
      var data = {};
      try { data = JSON.parse(e.data); } catch (err) { /* an old or broken event: refresh anyway */ }
      if (data.o !== tab) soon(data.v);
    });
    source.addEventListener("open", function () { if (live.dataset.opened) soon(); live.dataset.opened = "1"; });
    source.addEventListener("error", function () {
      // Refused (busy server): try again later; meanwhile the page re-reads itself now and then.
      if (source.readyState === EventSource.CLOSED) { setTimeout(connect, 10000); soon(); }
    });
  }

  function placeUrl(id) { return grid().dataset.placeUrl.replace(/\/0\/place$/, "/" + id + "/place"); }

  function place(item, list) {
    var id = item.dataset.session;
    htmx.ajax("POST", placeUrl(id), {
      source: item, target: "#grid", swap: "outerHTML",
      values: { room: list.dataset.room, slot: list.dataset.slot }
    }).then(function () {
      var link = document.getElementById("gs-" + id);
      if (link && (document.activeElement === document.body || !document.activeElement)) link.focus();
    });
  }

  function setUp(root) {
    var g = grid();
    if (!g || !("editable" in g.dataset) || typeof Sortable === "undefined") return;
    root.querySelectorAll(".os-cell").forEach(function (list) {
      if (list._sortable) return;
      list._sortable = Sortable.create(list, {
        group: "os-grid", animation: 120, draggable: "li.os-item",
        onEnd: function (event) { if (event.from !== event.to) place(event.item, event.to); }
      });
    });
  }

  // Shift + arrow keys on a focused session: to the neighbouring cell (a session there swaps).
  document.addEventListener("keydown", function (event) {
    if (!event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
    var g = grid(), item = event.target.closest && event.target.closest("li.os-item");
    if (!g || !item || !("editable" in g.dataset) || !/^Arrow/.test(event.key)) return;
    var list = item.parentElement, target = null, cell = list.closest("td");
    if (!cell) {
      if (event.key === "ArrowRight" || event.key === "ArrowDown") {
        target = Array.prototype.find.call(g.querySelectorAll("td .os-cell"),
          function (l) { return !l.querySelector("li.os-item"); });
      }
    } else {
      var row = cell.parentElement, at = Array.prototype.indexOf.call(row.children, cell);
      if (event.key === "ArrowLeft") {
        target = at > 1 ? row.children[at - 1].querySelector(".os-cell") : g.querySelector(".os-pool");
      } else if (event.key === "ArrowRight" && row.children[at + 1]) {
        target = row.children[at + 1].querySelector(".os-cell");
      } else {
        var other = event.key === "ArrowUp" ? row.previousElementSibling : row.nextElementSibling;
        if (other && other.children[at]) target = other.children[at].querySelector(".os-cell");
      }
    }
    if (!target) return;
    event.preventDefault();
    place(item, target);
  });

  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest("[data-fullscreen], [data-print]");
    if (!el) return;
    if ("print" in el.dataset) window.print();
    else if (document.fullscreenElement) document.exitFullscreen();
    else document.documentElement.requestFullscreen();
  });

  document.addEventListener("DOMContentLoaded", function () {
    htmx.onLoad(setUp);
    connect();
    document.querySelectorAll("[data-os-every]").forEach(function (el) {
      setInterval(function () { soon("clock"); }, (parseInt(el.dataset.osEvery, 10) || 60) * 1000);
    });
  });
})();
