// danso's service worker, served at /sw.js by register.offline.service_worker, which puts
// self.DANSO = {version, shell} before this text.  It keeps on the phone:
// - the shell (the style sheet and scripts the monthly form needs), cache first;
// - the monthly form's pages the collaborator opened (or offline.js asked for), network
//   first: online a page is always asked for anew, and the copy kept is the fallback
//   when there is no connection.
// Nothing else is kept.  The forms filled in offline are not here: offline.js keeps them
// in IndexedDB and sends them itself.
"use strict";
var CONFIG = self.DANSO || { version: "dev", shell: [] };
var SHELL = "danso-shell-" + CONFIG.version;
var PAGES = "danso-pages";
var FORM_PAGE = /^\/register\/units\/\d+\/collection\/\d{4}-\d{2}\/$/;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL)
      .then(function (cache) { return cache.addAll(CONFIG.shell); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf("danso-shell-") === 0 && key !== SHELL;
      }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function isFormPage(url) {
  return url.origin === self.location.origin && FORM_PAGE.test(url.pathname);
}

// One copy a month and kind of event: the other parameters (the working date) do not
// change the form's page.
function pageKey(url) {
  return url.origin + url.pathname + "?type=" + (url.searchParams.get("type") || "birth");
}

function keep(url, response) {
  if (response.redirected && response.url.indexOf("/login/") !== -1) {
    // logged out: the pages kept (names of the village) go
    return caches.delete(PAGES).then(function () { return response; });
  }
  if (!response.ok || response.redirected) { return Promise.resolve(response); }
  var copy = response.clone();
  return caches.open(PAGES)
    .then(function (cache) { return cache.put(pageKey(url), copy); })
    .then(function () { return response; });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (CONFIG.shell.indexOf(url.pathname) !== -1) {
    event.respondWith(
      caches.open(SHELL).then(function (cache) {
        return cache.match(request, { ignoreSearch: true }).then(function (found) {
          return found || fetch(request).then(function (response) {
            if (response.ok) { cache.put(request, response.clone()); }
            return response;
          });
        });
      })
    );
  } else if (request.mode === "navigate" && isFormPage(url)) {
    event.respondWith(
      fetch(request).then(function (response) { return keep(url, response); })
        .catch(function () {
          return caches.open(PAGES).then(function (cache) {
            return cache.match(pageKey(url));
          }).then(function (found) { return found || Response.error(); });
        })
    );
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var port = event.ports && event.ports[0];
  if (data.type === "prefetch") {
    // the month's other kinds of event, one after the other (a phone's connection is slow)
    var urls = (data.urls || []).map(function (u) { return new URL(u, self.location.origin); })
      .filter(isFormPage);
    event.waitUntil(urls.reduce(function (done, url) {
      return done.then(function () {
        return fetch(url.href, { credentials: "same-origin" })
          .then(function (response) { return keep(url, response); })
          .catch(function () { return null; });
      });
    }, Promise.resolve()).then(function () { if (port) { port.postMessage("done"); } }));
  } else if (data.type === "forget") {
    event.waitUntil(caches.delete(PAGES).then(function () { if (port) { port.postMessage("done"); } }));
  }
});

// Background Sync: the pages open send their queue (offline.js holds the CSRF token).
self.addEventListener("sync", function (event) {
  if (event.tag !== "danso-queue") { return; }
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (clients) {
    clients.forEach(function (client) { client.postMessage({ type: "sync" }); });
  }));
});
