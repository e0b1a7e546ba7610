/* Funding pipeline: drag and drop (Sortable) and Shift+Arrow keys move an idea to another
   status. Both post the same form as the no-JS "Move to" control on the idea's page. */
(function () {
  "use strict";
  var refocus = null;

  function move(card, status) {
    if (!status || status === card.dataset.status) return;
    refocus = card.id;
    htmx.ajax("POST", card.dataset.moveUrl, {
      source: card, values: { status: status }, target: "#funding-board", swap: "outerHTML"
    });
  }

  htmx.onLoad(function (root) {
    var board = root.id === "funding-board" ? root : root.querySelector && root.querySelector("#funding-board");
    if (!board) return;
    // Give focus back to the moved idea, unless the user has already put it elsewhere
    // (this runs when htmx settles, which can be a moment after the swap).
    if (refocus) {
      var el = document.getElementById(refocus);
      var active = document.activeElement;
      refocus = null;
      if (el && (!active || active === document.body || active === el)) el.focus();
    }
    if (!board.hasAttribute("data-sortable") || !window.Sortable) return;
    board.querySelectorAll(".funding-list").forEach(function (list) {
      Sortable.create(list, {
        group: "funding", sort: false, animation: 120,
        onEnd: function (evt) {
          if (evt.from !== evt.to) move(evt.item, evt.to.dataset.status);
        }
      });
    });
  });

  document.addEventListener("keydown", function (event) {
    var card = event.target;
    if (!event.shiftKey || !card.matches || !card.matches(".funding-card[data-move-url]")) return;
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    var lists = Array.prototype.slice.call(document.querySelectorAll("#funding-board .funding-list"));
    var i = lists.indexOf(card.closest(".funding-list")) + (event.key === "ArrowLeft" ? -1 : 1);
    if (i < 0 || i >= lists.length) return;
    event.preventDefault();
    move(card, lists[i].dataset.status);
  });

  // A refused move (not allowed in the pipeline, a frozen board): the idea's "Move to" form
  // with the reason shows above the pipeline (#funding-refused); redraw the board so the
  // dragged idea goes back where it was. A move that succeeds clears the refused form.
  document.addEventListener("htmx:afterRequest", function (event) {
    var board = document.getElementById("funding-board");
    var path = event.detail.requestConfig && event.detail.requestConfig.path;
    if (!board || !path || !/\/move$/.test(path)) return;
    if (event.detail.successful) {
      var refused = document.getElementById("funding-refused");
      if (refused) refused.innerHTML = "";
      return;
    }
    htmx.ajax("GET", board.dataset.refreshUrl, { target: "#funding-board", swap: "outerHTML" });
  });
})();
