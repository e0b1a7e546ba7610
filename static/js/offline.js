/* Sprintboard: nothing is lost on a flaky connection.
   - Every write carries a one-time request key (the server answers a repeated key with its first
     answer, see sprintboard/request_keys.py): forms have theirs in a hidden field, requests made
     by script get one in X-Request-Key.
   - Offline, moves, quick-added cards, card edits, checklist ticks, comments, actors and interests/needs/ideas
     are kept in IndexedDB, marked on the page, and sent in order when the connection is back; a
     change the server refuses then is listed as "could not be saved", with retry and discard.
   - A card edit refused as stale is listed with the conflict view; "Try again" sends it on top
     of the version the conflict showed.
   - Other writes (and every write signed out: login, applications, registrations) are not sent
     offline: the form stays filled in and the banner says it was not sent.
   - The banner (templates/_offline.html) says what is going on, in the page's language. */
(function () {
  "use strict";

  function newKey() {
    var bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function renew(root) {
    (root || document).querySelectorAll("input[name=request_key]").forEach(function (input) {
      input.value = newKey();
    });
  }

  var KINDS = [
    ["move", /\/cards\/\d+\/move$/], ["card", /\/board\/cards$/], ["tick", /\/checklist\/\d+\/toggle$/],
    ["comment", /\/cards\/\d+\/comments$/], ["actor", /\/actors\/new$/], ["entry", /\/entries\/$/],
    ["edit", /\/cards\/\d+\/edit$/]
  ];
  function kindOf(path) {
    path = (path || "").split("?")[0];
    for (var i = 0; i < KINDS.length; i++) if (KINDS[i][1].test(path)) return KINDS[i][0];
    return null;
  }

  var bar, T = {}, user, sent = new WeakMap(), saved = false, unsent = false;

  // --- the queue in IndexedDB (one store; each change records whose it is) ---
  var opened;
  function run(mode, work) {
    if (!opened) opened = new Promise(function (ok, fail) {
      var r = indexedDB.open("sprintboard-offline", 1);
      r.onupgradeneeded = function () { r.result.createObjectStore("changes", { keyPath: "id", autoIncrement: true }); };
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { fail(r.error); };
    });
    return opened.then(function (db) {
      return new Promise(function (ok, fail) {
        var r = work(db.transaction("changes", mode).objectStore("changes"));
        r.onsuccess = function () { ok(r.result); };
        r.onerror = function () { fail(r.error); };
      });
    });
  }
  function changes() {
    if (!user) return Promise.resolve([]);  // signed out: nothing is kept on the device
    return run("readonly", function (s) { return s.getAll(); }).then(function (rows) {
      return rows.filter(function (c) { return c.user === user; });
    }, function () { return []; });  // (a browser that keeps nothing: private mode, storage full)
  }
  function put(change) { return run("readwrite", function (s) { return s.put(change); }); }
  function drop(id) { return run("readwrite", function (s) { return s.delete(id); }); }

  function text(s) { return (s || "").replace(/\s+/g, " ").trim().slice(0, 80); }
  function labelOf(kind, elt, params) {
    var what = params.get("title") || params.get("comment-body") || params.get("name") || params.get("text");
    var card = elt.closest && elt.closest("li.card");
    if (!what && card) what = (card.querySelector("a") || card).textContent;
    if (!what) what = elt.textContent;
    return (T.kinds[kind] || kind) + ": " + text(what);
  }

  function markPending(elt, target, change) {
    var mark = document.createElement("span");
    mark.className = "pending-mark";
    mark.textContent = T.mark;
    if (change.kind === "card" && target) {
      var li = document.createElement("li");
      li.className = "card is-pending";
      li.textContent = text(new URLSearchParams(change.body).get("title")) + " ";
      li.appendChild(mark);
      target.appendChild(li);
    } else if (change.kind === "move" || change.kind === "tick") {
      var item = elt.closest("li") || elt;
      item.classList.add("is-pending");
      if (!item.querySelector(".pending-mark")) item.appendChild(mark);
      var button = change.kind === "tick" && elt.querySelector("[aria-pressed]");
      if (button) button.setAttribute("aria-pressed", button.getAttribute("aria-pressed") === "true" ? "false" : "true");
    } else {
      var note = document.createElement("p");
      note.className = "is-pending";
      note.textContent = change.label + " ";
      note.appendChild(mark);
      elt.parentNode.insertBefore(note, elt);
    }
    // (an edit keeps what was typed: the form still shows the person's version)
    if (elt.matches && elt.matches("form") && change.kind !== "tick" && change.kind !== "edit") elt.reset();
    renew(elt.closest ? elt.closest("form") || elt : elt);
  }

  // Shown as waiting only once it is kept on the device: a page left right after a change
  // (a tap on a link) would otherwise cut its write and lose it, with the page saying it waits.
  // When the device cannot keep it (a private window, storage full or refused), it is not sent:
  // the form keeps what was typed and the banner says so, as for a form that is never kept.
  function enqueue(change, elt, target) {
    return put(change).then(function (id) { change.id = id; markPending(elt, target, change); render(); },
                            notSent);
  }

  function describe(path, verb, data, elt, headerKey) {
    var kind = bar && user && verb !== "get" && kindOf(path);
    if (!kind) return null;
    var params = new URLSearchParams();
    data.forEach(function (value, name) { if (typeof value === "string") params.append(name, value); });
    var key = params.get("request_key") || headerKey || newKey();
    params.delete("request_key");
    params.delete("csrf_token");
    return { user: user, kind: kind, path: path, body: params.toString(), key: key, state: "pending",
             label: labelOf(kind, elt, params), at: Date.now() };
  }

  // htmx writes: a key for script-made requests; offline (or when sending fails) into the queue.
  document.addEventListener("htmx:configRequest", function (event) {
    var d = event.detail;
    if (d.verb === "get") return;
    var form = d.elt && d.elt.closest ? d.elt.closest("form") : null;
    if (!d.headers["X-Request-Key"] && !(form && form.querySelector("input[name=request_key]"))) {
      d.headers["X-Request-Key"] = newKey();
    }
    var change = describe(d.path, d.verb, d.formData, d.elt, d.headers["X-Request-Key"]);
    if (navigator.onLine) { if (change) sent.set(d.elt, [change, d.target]); return; }
    event.preventDefault();
    if (change) enqueue(change, d.elt, d.target);
    else notSent();
  });
  document.addEventListener("htmx:sendError", function (event) {
    var waiting = sent.get(event.detail.elt);
    if (!waiting) { if (event.detail.requestConfig && event.detail.requestConfig.verb !== "get") notSent(); return; }
    sent.delete(event.detail.elt);
    enqueue(waiting[0], event.detail.elt, waiting[1]);
    window.dispatchEvent(new Event("offline"));
  });
  // A plain form (no htmx) sent while offline: into the queue instead of a browser error page;
  // one that cannot wait (signing in, an application, a registration) stays filled in, not sent.
  document.addEventListener("submit", function (event) {
    var form = event.target, verb = (form.method || "get").toLowerCase();
    if (navigator.onLine || event.defaultPrevented || form.matches("[data-hx-post]") || !bar) return;
    if (verb === "get") return;  // (a page to open: the service worker may have it)
    var change = describe(form.getAttribute("action") || location.pathname, verb, new FormData(form), form);
    event.preventDefault();
    if (change) enqueue(change, form, null);
    else notSent();
  });
  function notSent() {
    unsent = true;
    render();
  }
  // Once a form's write was answered, its next write is a new one: a new key. (A request that
  // got no answer keeps its key, so sending it again cannot apply it twice.)
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr, elt = event.detail.elt;
    var form = elt && elt.closest ? elt.closest("form") : null;
    if (xhr && xhr.status) { sent.delete(elt); if (unsent) { unsent = false; render(); } }
    if (xhr && xhr.status && form && document.contains(form)) renew(form);
  });
  // A page restored from the back/forward cache holds keys that were used already.
  window.addEventListener("pageshow", function (event) { if (event.persisted) renew(); });

  // --- replay, in the order the changes were made ---
  var draining = false;
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("data-hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  function send(change) {
    return fetch(change.path, {
      method: "POST", credentials: "same-origin", redirect: "manual", body: change.body,
      headers: { "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true",
                 "X-CSRFToken": csrf(), "X-Request-Key": change.key }
    }).then(function (response) {
      if (response.ok || response.type === "opaqueredirect") return drop(change.id).then(function () { return "saved"; });
      if (response.headers.get("Retry-After")) return "later";  // still being saved, or busy
      return response.text().then(function (html) {
        change.state = "failed";
        change.html = html;
        return put(change).then(function () { return "failed"; });
      });
    }, function () { return "later"; });
  }
  function drain() {
    if (draining || !navigator.onLine || !bar || !user) return;
    draining = true;
    var done = 0;
    changes().then(function (rows) {
      var queue = rows.filter(function (c) { return c.state === "pending"; }).sort(function (a, b) { return a.id - b.id; });
      function next(i) {
        if (i >= queue.length) return null;
        return send(queue[i]).then(function (result) {
          if (result === "later") return null;
          done++;
          return next(i + 1);
        });
      }
      return next(0);
    }).then(function () {
      draining = false;
      if (done) { saved = true; refresh(); }
      render();
    }, function () { draining = false; });
  }
  // What the server now has replaces the page's pending guesses.
  function refresh() {
    var main = document.getElementById("main");
    fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; }).then(function (html) {
      var fresh = html && new DOMParser().parseFromString(html, "text/html").getElementById("main");
      if (fresh && main && document.contains(main)) htmx.swap(main, fresh.outerHTML, { swapStyle: "outerHTML" });
    });
  }

  // --- the banner ---
  function render() {
    if (!bar) return;
    changes().then(function (rows) {
      var pending = rows.filter(function (c) { return c.state === "pending"; });
      var failed = rows.filter(function (c) { return c.state === "failed"; });
      var parts = [];
      if (bar.dataset.asOf) parts.push(bar.dataset.asOf);
      if (!navigator.onLine) parts.push(T.offline);
      if (unsent) parts.push(T.notSent);
      if (pending.length) parts.push(T.waiting.replace("{n}", pending.length));
      else if (failed.length) parts.push(T.failed);
      else if (saved && navigator.onLine) parts.push(T.saved);
      bar.querySelector(".offline-status").textContent = parts.join(" ");
      var list = bar.querySelector(".offline-pending");
      list.replaceChildren.apply(list, pending.map(function (c) {
        var li = document.createElement("li");
        li.textContent = c.label;
        return li;
      }));
      var box = bar.querySelector(".offline-failed"), template = bar.querySelector("template");
      box.hidden = !failed.length;
      box.querySelector("ul").replaceChildren.apply(box.querySelector("ul"), failed.map(function (c) {
        var li = template.content.firstElementChild.cloneNode(true);
        var answer = new DOMParser().parseFromString(c.html || "", "text/html").body;
        // The reason first: a refusal may come as its form with the reason inside (a move's).
        var reason = answer.querySelector("[role=alert], .error-box, .error");
        var message = text((reason || answer).textContent);
        // The answer is shown to read (a conflict: the current version beside this one); its own
        // forms and ids stay out of this page (retry and discard are the buttons here).
        answer.querySelectorAll("form, a.button, script").forEach(function (e) { e.remove(); });
        answer.querySelectorAll("[id], [aria-labelledby], [role=alert]").forEach(function (e) {
          e.removeAttribute("id"); e.removeAttribute("aria-labelledby"); e.removeAttribute("role");
        });
        li.dataset.change = c.id;
        li.querySelector(".offline-label").textContent = c.label;
        li.querySelector(".offline-message").textContent = message;
        li.querySelector(".offline-detail").replaceChildren.apply(li.querySelector(".offline-detail"), Array.prototype.slice.call(answer.childNodes));
        return li;
      }));
      bar.hidden = !parts.length && !failed.length;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-offline-retry], [data-offline-discard]");
    if (!button) return;
    var id = Number(button.closest("li").dataset.change);
    changes().then(function (rows) {
      var change = rows.filter(function (c) { return c.id === id; })[0];
      if (!change) return null;
      if (button.hasAttribute("data-offline-discard")) return drop(id);
      change.state = "pending";
      change.key = newKey();  // the first key's answer was the refusal: this is a new attempt
      // An edit refused as stale goes on top of the version the conflict answer showed.
      var current = new DOMParser().parseFromString(change.html || "", "text/html").querySelector("input[name=version]");
      if (current && change.kind === "edit") {
        var params = new URLSearchParams(change.body);
        params.set("version", current.value);
        change.body = params.toString();
      }
      return put(change);
    }).then(function () { render(); drain(); });
  });

  // --- what this device keeps: pages (service worker) and the queue, for one person only ---
  function forget() {
    if (window.caches) caches.keys().then(function (keys) { keys.forEach(function (k) { caches.delete(k); }); });
    if (opened) opened.then(function (db) { db.close(); });
    opened = null;
    indexedDB.deleteDatabase("sprintboard-offline");
    try { localStorage.removeItem("sb-user"); sessionStorage.removeItem("sb-today"); } catch (e) { /* none kept */ }
  }
  // Logging out with changes still waiting asks first; then the device forgets this person.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!bar || !navigator.onLine || !/\/logout$/.test(form.getAttribute("action") || "")) return;
    if (bar.querySelector(".offline-pending li") && !window.confirm(T.unsaved)) event.preventDefault();
    else forget();
  }, true);
  function startWorker() {
    var local = /^(localhost|127\.0\.0\.1|\[::1\])$/.test(location.hostname);
    if (!("serviceWorker" in navigator) || (location.protocol !== "https:" && !local)) return;
    try {
      if (localStorage.getItem("sb-user") !== user) {  // someone else used this device before
        if (window.caches) caches.keys().then(function (keys) { keys.forEach(function (k) { caches.delete(k); }); });
        localStorage.setItem("sb-user", user);
      }
    } catch (e) { /* storage refused: nothing kept */ }
    navigator.serviceWorker.register("/sw.js").then(function () { return navigator.serviceWorker.ready; }).then(function () {
      // The toolbox methods of a workshop's agenda are kept too, for the session at the venue,
      // and so are today's workshops with theirs, even if not opened yet on this device.
      if (!navigator.serviceWorker.controller) return null;
      var urls = Array.prototype.map.call(document.querySelectorAll(".method-link a[href]"), function (a) { return a.href; });
      var fetched = 0;
      try {  // (today's list at most every ten minutes per tab)
        fetched = Number(sessionStorage.getItem("sb-today") || 0);
        if (Date.now() - fetched > 600000) sessionStorage.setItem("sb-today", String(Date.now()));
      } catch (e) { /* storage refused: fetched every time */ }
      var asked = Date.now() - fetched > 600000 ? fetch("/offline/today", { credentials: "same-origin" }) : Promise.reject();
      return asked.then(function (r) { return r.ok ? r.json() : { keep: [] }; }, function () { return { keep: [] }; }).then(function (today) {
        var seen = {};
        seen[location.href] = true;  // (this page was kept as it was opened)
        urls.concat(today.keep || []).forEach(function (url) {
          url = new URL(url, location.href).href;
          if (seen[url]) return;  // (one copy of each: two answers racing to be kept could both fail)
          seen[url] = true;
          fetch(url, { credentials: "same-origin", headers: { "X-Offline-Keep": "1" } }).catch(function () {});
        });
      });
    });
  }

  window.addEventListener("online", function () { unsent = false; render(); drain(); });
  window.addEventListener("offline", render);

  document.addEventListener("DOMContentLoaded", function () {
    bar = document.getElementById("offline");
    if (!bar || !window.indexedDB) { bar = null; return; }
    user = bar.dataset.user;
    ["offline", "notSent", "waiting", "saved", "failed", "asOf", "mark", "unsaved"].forEach(function (name) {
      T[name] = bar.dataset["t" + name.charAt(0).toUpperCase() + name.slice(1)];
    });
    T.kinds = JSON.parse(bar.dataset.tKinds);
    // A copy the service worker kept (it marks it with data-cached, the time it was fetched).
    var rendered = new Date(bar.dataset.cached);
    if (bar.dataset.cached && !isNaN(rendered)) {
      renew();  // the device's copy holds the keys it was served with, which may have been used
      var when = { hour: "2-digit", minute: "2-digit" };
      if (rendered.toDateString() !== new Date().toDateString()) { when.day = "numeric"; when.month = "short"; }  // (kept on an earlier day)
      bar.dataset.asOf = T.asOf.replace("{time}", rendered.toLocaleString(document.documentElement.lang, when));
    }
    render();
    drain();
    if (user) window.addEventListener("load", startWorker);
    setInterval(drain, 15000);  // a connection that is "online" but lost requests recovers too
  });
})();
