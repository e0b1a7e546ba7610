/* Sprintboard's service worker (served as /sw.js, scope /): the workshop stays readable offline.
   - Static files (content-hashed names): from the cache once fetched.
   - Pages a signed-in person opened: from the network, a copy kept; without a network the copy,
     marked so that the page says how old it is ("shown as of 14:05", see offline.js).
   - Pages that must not be kept (Cache-Control: no-store: secrets, guests) are never stored.
   Logging out clears it all (offline.js, and the logout answer's Clear-Site-Data header). */
"use strict";

var STATIC = "sb-static-v1", PAGES = "sb-pages-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== STATIC && k !== PAGES; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function fromCacheFirst(request) {
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
    });
  });
}

function keepable(response) {
  var type = response.headers.get("Content-Type") || "", control = response.headers.get("Cache-Control") || "";
  return response.status === 200 && type.indexOf("text/html") === 0 && control.indexOf("no-store") < 0;
}

function marked(response) {
  // Say on the page that this is the copy kept on the device, and since when (offline.js).
  var stored = response.headers.get("X-Stored-At") || "";
  return response.text().then(function (html) {
    return new Response(html.replace('<section id="offline"', '<section id="offline" data-cached="' + stored + '"'), {
      status: 200, headers: { "Content-Type": "text/html; charset=utf-8" }
    });
  });
}

function keep(url, response) {
  // (a copy with the time it was fetched: the page shows it when it is opened offline)
  return response.blob().then(function (body) {
    var headers = new Headers(response.headers);
    headers.set("X-Stored-At", new Date().toISOString());
    return caches.open(PAGES).then(function (cache) {
      return cache.put(url, new Response(body, { status: 200, headers: headers }));
    });
  });
}

function fromNetworkFirst(event) {
  var request = event.request;
  // A copy asked for ahead (X-Offline-Keep) is fetched on its own: the page that asked may move
  // on meanwhile, and its leaving must not cut the copy short.
  var sent = request.mode === "navigate" ? request : new Request(request.url, { credentials: "same-origin", headers: request.headers });
  return fetch(sent).then(function (response) {
    if (keepable(response)) event.waitUntil(keep(request.url, response.clone()));
    return response;
  }, function (error) {
    return caches.open(PAGES).then(function (cache) { return cache.match(request.url); }).then(function (hit) {
      if (hit) return marked(hit);
      throw error;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) event.respondWith(fromCacheFirst(request));
  else if (request.mode === "navigate" || request.headers.get("X-Offline-Keep")) event.respondWith(fromNetworkFirst(event));
});

self.addEventListener("message", function (event) {
  if (event.data === "clear") event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.map(function (k) { return caches.delete(k); }));
  }));
});
