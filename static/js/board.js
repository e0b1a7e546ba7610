/* Board: drag and drop (Sortable) and keyboard moves; both post the same move form as the
   no-JS form on the card page. The server answers with the card, the column badges and a
   message for the live region. */
(function () {
  "use strict";

  function board() { return document.getElementById("board"); }

  function moveUrl(cardId) {
    return board().dataset.moveUrl.replace(/\/0\/move$/, "/" + cardId + "/move");
  }

  function cardOf(el) { return el && el.closest ? el.closest("li.card") : null; }

  // Post a move of `card` to where it now stands in the DOM.
  function postMove(card) {
    var list = card.parentElement;
    var values = { column: list.dataset.column };
    var next = card.nextElementSibling, prev = card.previousElementSibling;
    if (next) values.before = next.dataset.card;
    else if (prev) values.after = prev.dataset.card;
    htmx.ajax("POST", moveUrl(card.dataset.card), {
      source: card, target: card, swap: "outerHTML", values: values
    }).then(function () {
      var link = document.getElementById("card-link-" + card.dataset.card);
      if (link && document.activeElement === document.body) link.focus();
    });
  }

  function reloadBoard() {
    htmx.ajax("GET", window.location.href, { target: "#board", swap: "outerHTML", select: "#board" });
  }

  function setUp(root) {
    var b = board();
    if (!b || !("editable" in b.dataset) || typeof Sortable === "undefined") return;
    root.querySelectorAll(".card-list").forEach(function (list) {
      if (list._sortable) return;
      list._sortable = Sortable.create(list, {
        group: list.dataset.lane, animation: 120, draggable: "li.card",
        onEnd: function (event) {
          if (event.from === event.to && event.oldIndex === event.newIndex) return;
          postMove(event.item);
        }
      });
    });
  }

  // Shift + arrow keys on a focused card: left/right to the neighbour column (same lane),
  // up/down within the column.
  document.addEventListener("keydown", function (event) {
    if (!event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
    var card = cardOf(event.target), b = board();
    if (!card || !b || !("editable" in b.dataset)) return;
    var list = card.parentElement, key = event.key, moved = false;
    if (key === "ArrowUp" && card.previousElementSibling) {
      list.insertBefore(card, card.previousElementSibling); moved = true;
    } else if (key === "ArrowDown" && card.nextElementSibling) {
      list.insertBefore(card, card.nextElementSibling.nextElementSibling); moved = true;
    } else if (key === "ArrowLeft" || key === "ArrowRight") {
      var lists = Array.prototype.slice.call(
        list.closest(".board-row").querySelectorAll(".card-list"));
      var target = lists[lists.indexOf(list) + (key === "ArrowLeft" ? -1 : 1)];
      if (target) { target.insertBefore(card, target.firstElementChild); moved = true; }
    }
    if (!moved) return;
    event.preventDefault();
    var link = card.querySelector("a");
    if (link) link.focus();
    postMove(card);
  });

  // A refused move (WIP limit, frozen board, conflict): put the board back as the server has it;
  // the card's move form with the reason is above the board (#board-refused) until a move succeeds.
  document.addEventListener("htmx:afterRequest", function (event) {
    var path = event.detail.requestConfig && event.detail.requestConfig.path;
    if (!path || !/\/move$/.test(path)) return;
    if (!event.detail.successful) { reloadBoard(); return; }
    var refused = document.getElementById("board-refused");
    if (refused) refused.innerHTML = "";
  });

  // Quick-add forms empty themselves after a card was added, ready for the next one.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (event.detail.successful && form.matches && form.matches("form[data-reset]")) {
      form.reset();
      var input = form.querySelector("input[name=title]");
      if (input) input.focus();
    }
  });

  // A folded or unfolded lane is remembered for this person (the View panel does it without JS).
  // (a click on the summary, not the "toggle" event: that one also fires for lanes parsed open)
  document.addEventListener("click", function (event) {
    var head = event.target.closest && event.target.closest("summary.lane-head"), b = board();
    if (!head || !b) return;
    var fold = head.parentElement;  // its state flips after this click
    htmx.ajax("POST", b.dataset.laneUrl, {
      source: fold, swap: "none", values: { lane: fold.dataset.lane, collapsed: fold.open ? "y" : "" }
    });
  });

  // Phone: the column switcher scrolls the board sideways and marks the column in view.
  document.addEventListener("click", function (event) {
    var tab = event.target.closest && event.target.closest(".col-tab");
    var head = tab && document.getElementById(tab.hash.slice(1));
    if (!head) return;
    event.preventDefault();
    head.closest(".board-scroll").scrollTo({ left: head.offsetLeft, behavior: "smooth" });
  });
  function markColumn(area) {
    var heads = area.querySelectorAll(".board-heads > .col-head"), at = area.scrollLeft + 2;
    heads.forEach(function (head, i) {
      var next = heads[i + 1], here = head.offsetLeft <= at && (!next || next.offsetLeft > at);
      var tab = document.getElementById(head.id.replace("col-head-", "col-tab-"));
      if (tab) { if (here) tab.setAttribute("aria-current", "true"); else tab.removeAttribute("aria-current"); }
    });
  }
  document.addEventListener("scroll", function (event) {
    var area = event.target;
    if (area.classList && area.classList.contains("board-scroll")) markColumn(area);
  }, true);

  document.addEventListener("DOMContentLoaded", function () {
    htmx.onLoad(setUp);
    var area = document.querySelector("#board .board-scroll");
    if (area) markColumn(area);
  });
})();
