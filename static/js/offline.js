/* Sprintboard: writes that survive a flaky connection. Every write carries a one-time request
   key (the server answers a repeated key with its first answer, see sprintboard/request_keys.py):
   forms have theirs in a hidden field, script-made requests get one in X-Request-Key. */
(function () {
  "use strict";

  function newKey() {
    var bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  window.sbNewKey = newKey;

  function renew(root) {
    (root || document).querySelectorAll("input[name=request_key]").forEach(function (input) {
      input.value = newKey();
    });
  }

  // A request made by script (a drag-and-drop move …) without a form key gets a key of its own.
  document.addEventListener("htmx:configRequest", function (event) {
    var d = event.detail;
    if (d.verb === "get" || d.headers["X-Request-Key"]) return;
    var form = d.elt && (d.elt.closest ? d.elt.closest("form") : null);
    if (!form || !form.querySelector("input[name=request_key]")) d.headers["X-Request-Key"] = newKey();
  });

  // Once a form's write was answered, its next write is a new one: a new key. (A request that
  // got no answer keeps its key, so sending it again cannot apply it twice.)
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr, elt = event.detail.elt;
    var form = elt && elt.closest ? elt.closest("form") : null;
    if (xhr && xhr.status && form && document.contains(form)) renew(form);
  });

  // A page restored from the back/forward cache holds keys that were used already.
  window.addEventListener("pageshow", function (event) { if (event.persisted) renew(); });
})();
