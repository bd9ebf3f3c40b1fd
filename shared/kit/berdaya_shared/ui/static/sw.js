// Berdaya's service worker (served at /sw.js, scope: the whole service). It keeps sheet pages and the kit's assets
// so that a sheet opened before going upriver opens again without signal:
// - pages that say "X-Berdaya-Offline: 1" (sheets) and /static/ui/ assets are fetched network first and kept in the
//   cache; without a connection the kept copy is answered;
// - every other request (API calls, posts, other pages) goes to the network untouched;
// - kept pages (they hold the names of a course's participants) are deleted once older than ?days= (7 by default)
//   and whenever the user signs out (the signed-out page clears all caches).
"use strict";

var CACHE = "berdaya-sheets-v1";
var DAY_MS = 86400000;
var days = Number(new URL(self.location.href).searchParams.get("days") || "7");

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(Promise.all([
    self.clients.claim(),
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
    }),
    purge()
  ]));
});

function keepable(request, response) {
  if (!response || !response.ok || response.type !== "basic") return false;
  var path = new URL(request.url).pathname;
  return path.indexOf("/static/ui/") === 0 || response.headers.get("X-Berdaya-Offline") === "1";
}

function stamped(response) {
  // The time a page was kept, for the purge: a copy with an X-Berdaya-Kept header.
  var headers = new Headers(response.headers);
  headers.set("X-Berdaya-Kept", String(Date.now()));
  return response.blob().then(function (body) {
    return new Response(body, { status: response.status, statusText: response.statusText, headers: headers });
  });
}

function keep(request, response) {
  return stamped(response.clone()).then(function (copy) {
    return caches.open(CACHE).then(function (cache) { return cache.put(request, copy); });
  });
}

function purge() {
  var limit = Date.now() - days * DAY_MS;
  return caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.map(function (request) {
        return cache.match(request).then(function (response) {
          var kept = Number(response && response.headers.get("X-Berdaya-Kept"));
          if (!kept || kept < limit) return cache.delete(request);
        });
      }));
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  var path = new URL(request.url).pathname;
  if (request.mode !== "navigate" && path.indexOf("/static/ui/") !== 0) return;
  event.respondWith(fetch(request).then(function (response) {
    if (keepable(request, response)) event.waitUntil(keep(request, response));
    return response;
  }, function (error) {
    // Kept pages are found by address alone: the Vary of the answer (HX-Request, Accept-Encoding) does not apply.
    return purge().then(function () { return caches.match(request, { ignoreVary: true }); }).then(function (kept) {
      if (kept) return kept;
      throw error;
    });
  }));
});

self.addEventListener("message", function (event) {
  if (!event.data || event.data.type !== "cache-page") return;
  var url = new URL(event.data.url);
  if (url.origin !== self.location.origin) return;
  var request = new Request(url.href, { credentials: "same-origin" });
  event.waitUntil(fetch(request).then(function (response) {
    return keepable(request, response) ? keep(request, response) : null;
  }).catch(function () { return null; }));
});
