// danso: the monthly form without a connection (issue 17).
// - registers the service worker (/sw.js), which keeps the form's pages and files;
// - offline, a form sent is kept in IndexedDB (a queue, each form with a key made here,
//   a UUID) instead of being lost, and the page says how many wait;
// - back online (the "online" event, Background Sync, or the next page opened), the
//   queue goes to the month's sync address (register.offline), which records each key
//   once; forms it refuses (a conflict, an error, a month handed in) stay here, listed,
//   to open again in the form or to discard;
// - handing the month in needs a connection: offline it is refused, with a message.
// The words come from the page (#offline-text, translated by the server).
(function () {
  "use strict";
  var DB = "danso-offline";
  var STORE = "queue";
  var SLICE = 20;
  var PREFILL = "danso-prefill";
  var text = {};
  var syncing = null;

  function words() {
    var node = document.getElementById("offline-text");
    try { return node ? JSON.parse(node.textContent) : {}; } catch (e) { return {}; }
  }
  function fill(template, n) { return String(template || "").replace("%(n)s", n); }

  // ------------------------------------------------------------ the queue (IndexedDB)
  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function store(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }
  function every() { return store("readonly", function (s) { return s.getAll(); }); }
  // A form belongs to whoever typed it: on a phone shared by two collaborators, or
  // after a logout, it is sent (and listed) only under its author's session, never
  // recorded under someone else's name.
  function me() {
    var form = document.querySelector("[data-offline-form]");
    return form ? form.dataset.user || "" : "";
  }
  function all() {
    return every().then(function (items) {
      var user = me();
      return (items || []).filter(function (i) { return user && i.user === user; });
    });
  }
  function put(item) { return store("readwrite", function (s) { s.put(item); }); }
  function remove(key) { return store("readwrite", function (s) { s.delete(key); }); }
  window.dansoQueue = { all: all, put: put, remove: remove };

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function token() {
    var cookie = document.cookie.split("; ").filter(function (c) { return c.indexOf("csrftoken=") === 0; })[0];
    if (cookie) { return decodeURIComponent(cookie.slice("csrftoken=".length)); }
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // ------------------------------------------------------------ what the page shows
  function status(message, kind) {
    var node = document.getElementById("offline-status");
    if (!node) { return; }
    node.textContent = message || "";
    node.hidden = !message;
    node.className = "notice" + (kind ? " " + kind : "");
  }

  function refresh() {
    return all().then(function (items) {
      var waiting = items.filter(function (i) { return i.state === "waiting"; });
      var problems = items.filter(function (i) { return i.state === "problem"; });
      document.documentElement.dataset.queueWaiting = String(waiting.length);
      document.documentElement.dataset.queueProblems = String(problems.length);
      if (waiting.length) {
        status(fill(text.queued, waiting.length), "queued");
      }
      var section = document.getElementById("offline-problems");
      if (!section) { return items; }
      var list = section.querySelector("ul");
      list.innerHTML = "";
      problems.forEach(function (item) {
        var li = document.createElement("li");
        li.dataset.key = item.key;
        var what = document.createElement("strong");
        what.textContent = item.summary;
        li.appendChild(what);
        (item.messages || []).forEach(function (m) {
          var p = document.createElement("p");
          p.className = "error";
          p.textContent = m;
          li.appendChild(p);
        });
        var again = document.createElement("a");
        again.className = "button";
        again.href = item.page;
        again.textContent = text.reopen;
        again.addEventListener("click", function () {
          sessionStorage.setItem(PREFILL, JSON.stringify(item));
        });
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "button secondary";
        drop.dataset.discard = item.key;
        drop.textContent = text.discard;
        drop.addEventListener("click", function () {
          if (window.confirm(text.discard_confirm)) { remove(item.key).then(refresh); }
        });
        var actions = document.createElement("div");
        actions.className = "actions";
        actions.appendChild(again);
        actions.appendChild(drop);
        li.appendChild(actions);
        list.appendChild(li);
      });
      section.hidden = !problems.length;
      return items;
    });
  }

  // ------------------------------------------------------------ offline: keep the form
  function fields(form) {
    var out = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "action") { out[name] = String(value); }
    });
    return out;
  }

  function summary(form, data) {
    var kind = document.querySelector("#kinds .chip.on");
    var parts = [kind ? kind.textContent.trim() : data.event_type];
    var search = form.querySelector(".picker-field input");
    if (search && search.value) { parts.push(search.value.split(" · ")[0]); }
    if (data.child_name) { parts.push(data.child_name); }
    if (data.new_name) { parts.push(data.new_name); }
    parts.push(data.event_date || "");
    return parts.filter(Boolean).join(" · ");
  }

  function queue(form) {
    var data = fields(form);
    var person = form.querySelector("select[name=person]");
    var option = person && person.selectedOptions[0];
    var origin = form.dataset.originKey;
    var keyField = form.querySelector("input[name=submission_key]");
    var item = {
      key: keyField && keyField.value ? keyField.value : uuid(),
      user: form.dataset.user || "",
      url: form.dataset.syncUrl,
      page: location.pathname + "?type=" + encodeURIComponent(data.event_type || ""),
      fields: data,
      version: option ? option.dataset.version || "" : "",
      summary: summary(form, data),
      state: "waiting",
      messages: [],
      made: new Date().toISOString()
    };
    return put(item).then(function () {
      if (keyField) { keyField.value = uuid(); }
      delete form.dataset.originKey;
      return origin ? remove(origin) : null;
    }).then(function () {
      form.reset();
      var checks = document.getElementById("checks");
      if (checks) { checks.innerHTML = ""; }
      if (navigator.serviceWorker && window.SyncManager) {
        navigator.serviceWorker.ready.then(function (reg) {
          return reg.sync.register("danso-queue");
        }).catch(function () { return null; });
      }
      return refresh();
    }).then(function () {
      form.scrollIntoView({ block: "start" });
    });
  }

  // ------------------------------------------------------------ back online: send
  function send(url, items) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token(), "Accept": "application/json" },
      body: JSON.stringify({
        items: items.map(function (i) { return { key: i.key, version: i.version, fields: i.fields }; })
      })
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.status === 403 || type.indexOf("json") === -1) {
        throw new Error("login");  // logged out, or the session's token changed
      }
      return response.json();
    });
  }

  function sync() {
    if (syncing) { return syncing; }
    if (!navigator.onLine) { return Promise.resolve(0); }
    var sent = 0;
    syncing = all().then(function (items) {
      var waiting = items.filter(function (i) { return i.state === "waiting"; });
      if (!waiting.length) { return 0; }
      status(text.sending, "");
      var slices = [];
      waiting.forEach(function (item) {
        var last = slices[slices.length - 1];
        if (!last || last.url !== item.url || last.items.length >= SLICE) {
          slices.push({ url: item.url, items: [item] });
        } else {
          last.items.push(item);
        }
      });
      return slices.reduce(function (done, slice) {
        return done.then(function () {
          return send(slice.url, slice.items).then(function (answer) {
            return Promise.all((answer.results || []).map(function (result) {
              var item = slice.items.filter(function (i) { return i.key === result.key; })[0];
              if (!item) { return null; }
              if (result.status === "saved" || result.status === "already") {
                sent += 1;
                return remove(item.key);
              }
              item.state = "problem";
              item.messages = result.messages || [];
              return put(item);
            }));
          });
        });
      }, Promise.resolve()).then(function () { return sent; });
    }).then(function (count) {
      if (count) { status(fill(text.sent, count), "ok"); } else { status("", ""); }
      return refresh().then(function () { return count; });
    }).catch(function (error) {
      status(error && error.message === "login" ? text.login : "", "error");
      return refresh().then(function () { return sent; });
    }).then(function (count) {
      syncing = null;
      document.documentElement.dataset.lastSync = String(count);
      return count;
    });
    return syncing;
  }
  window.dansoSync = sync;

  // ------------------------------------------------------------ a form opened again
  function prefill(form) {
    var raw = sessionStorage.getItem(PREFILL);
    if (!raw) { return; }
    var item;
    try { item = JSON.parse(raw); } catch (e) { item = null; }
    if (!item || item.fields.event_type !== form.querySelector("[name=event_type]").value) { return; }
    sessionStorage.removeItem(PREFILL);
    Object.keys(item.fields).forEach(function (name) {
      var value = item.fields[name];
      form.querySelectorAll('[name="' + name + '"]').forEach(function (field) {
        if (field.type === "radio" || field.type === "checkbox") {
          field.checked = field.value === value;
        } else if (field.type !== "hidden") {
          field.value = value;
          if (field.tagName === "SELECT") { field.dispatchEvent(new Event("change", { bubbles: true })); }
        }
      });
    });
    form.dataset.originKey = item.key;  // sent again under a new key: this one goes then
    form.scrollIntoView({ block: "start" });
  }

  // ------------------------------------------------------------ start
  function start() {
    text = words();
    var form = document.querySelector("form[data-offline-form]");
    if (!form) { return; }
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(form.dataset.worker || "/sw.js", { scope: "/" })
        .then(function () { return navigator.serviceWorker.ready; })
        .then(function (reg) { return prefetch(reg); })
        .catch(function () { return null; })
        .then(function () { document.documentElement.dataset.offlineReady = "1"; });
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data && event.data.type === "sync") { sync(); }
      });
    } else {
      document.documentElement.dataset.offlineReady = "1";
    }
    // Every form carries a key made here: posted online, it is the key a lost answer is
    // recognised by (the browser's "resend" after a connection error records it once,
    // SubmissionKey); kept offline, it is the queued copy's key.
    var keyField = form.querySelector("input[name=submission_key]");
    if (keyField) { keyField.value = uuid(); }
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) {
        if (form.dataset.originKey) { remove(form.dataset.originKey); }
        return;  // online: the form is posted as usual
      }
      event.preventDefault();
      queue(form);
    });
    var handIn = document.querySelector("form[data-hand-in]");
    if (handIn) {
      handIn.addEventListener("submit", function (event) {
        if (handIn.dataset.ready) { return; }
        event.preventDefault();
        if (!navigator.onLine) {
          status(text.offline_hand_in, "error");
          return;
        }
        var button = event.submitter;
        status(text.hand_in_waiting, "");
        sync().then(all).then(function (items) {
          if (items.some(function (i) { return i.url === form.dataset.syncUrl; })) {
            return refresh();  // forms still to look at: the month is not handed in yet
          }
          handIn.dataset.ready = "1";
          handIn.requestSubmit(button);
          return null;
        });
      });
    }
    firstScreen();
    window.addEventListener("online", sync);
    window.addEventListener("offline", refresh);
    prefill(form);
    refresh().then(sync);
  }

  // On a phone the form comes first: the page opens at the row of kinds of event (the
  // menus are one swipe up), unless the page has something to say first (the month
  // before to finish, the commune's note) or an address of its own (#eventform).
  function firstScreen() {
    var said = document.querySelector("main > .messages");
    var form = document.getElementById("eventform");
    if (location.hash === "#eventform" && said && form) {
      // after a save: what was recorded is said just above the form, on the screen
      form.parentNode.insertBefore(said, form);
      var show = function () { said.scrollIntoView({ block: "start" }); };
      show();
      // the browser goes to #eventform itself once the page is loaded: after that
      window.addEventListener("load", function () { setTimeout(show, 0); });
      return;
    }
    if (location.hash || !window.matchMedia("(max-width: 640px)").matches) { return; }
    var target = document.querySelector("main .notice:not([hidden]), #kinds");
    if (target) { target.scrollIntoView({ block: "start" }); }
  }

  // The month's other kinds of event, kept by the service worker for an offline visit;
  // once an hour at most (a phone's connection is slow and costs money).
  function prefetch(reg) {
    // window.dansoPrefetch = false (set by the browser tests that do not test offline
    // work: their live server shares one SQLite connection between its threads, which
    // these background requests would race against)
    if (!navigator.onLine || !reg.active || window.dansoPrefetch === false) { return null; }
    var mark = "danso-prefetched:" + location.pathname;
    var last = Number(localStorage.getItem(mark) || 0);
    if (Date.now() - last < 3600 * 1000) { return null; }
    var urls = Array.prototype.map.call(document.querySelectorAll("#kinds a.chip"), function (a) { return a.href; });
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function () { localStorage.setItem(mark, String(Date.now())); resolve(null); };
      reg.active.postMessage({ type: "prefetch", urls: urls }, [channel.port2]);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
