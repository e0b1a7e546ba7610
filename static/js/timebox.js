/* Timebox countdown: counts down from the seconds the server computed (its clock, not ours). */
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function start(box) {
    if (box.dataset.ticking) return;
    var clock = box.querySelector("[data-countdown]");
    var left = parseInt(box.getAttribute("data-remaining"), 10);
    if (!clock || isNaN(left)) return;
    box.dataset.ticking = "1";
    var began = Date.now();
    var timer = setInterval(function () {
      if (!box.isConnected) { clearInterval(timer); return; }
      // Elapsed time is measured locally, so only the browser's rate matters, not its clock setting.
      var now = Math.max(0, left - Math.floor((Date.now() - began) / 1000));
      clock.textContent = now > 0 ? pad(Math.floor(now / 60)) + ":" + pad(now % 60) : box.getAttribute("data-over");
      if (now <= 0) { box.classList.add("is-over"); clearInterval(timer); }
    }, 1000);
  }
  function scan(root) {
    root = root && root.querySelectorAll ? root : document;
    if (root.matches && root.matches(".timebox[data-remaining]")) start(root);
    root.querySelectorAll(".timebox[data-remaining]").forEach(start);
  }
  if (window.htmx) { window.htmx.onLoad(scan); } else { document.addEventListener("DOMContentLoaded", function () { scan(document); }); }
})();
