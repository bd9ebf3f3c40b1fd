// The offline outbox of a sheet page (attendance, fair sales), after enketo's records queue.
//
// A form marked data-offline-sheet is never posted directly: each submitted version of the sheet is saved in
// IndexedDB ("berdaya-outbox") with a new UUID, then sent in the background, oldest first, one at a time, with
// "Idempotency-Key: <that UUID>" on every attempt, so however often it is retried the server applies it once.
// - 2xx: sent; the entry is deleted (a short note "terkirim <time>" is kept, without the sheet's content);
// - 401 (the session expired): the queue is kept and the page asks to sign in again; sending resumes afterwards;
// - 4xx (a refusal the server explained): the entry stays, marked "ditolak: <pesan>", until the officer removes it;
// - no connection, 5xx, 429 or 409 "still in flight": tried again with exponential backoff (1 s, 2 s, ... 60 s),
//   and at once when the browser comes back online.
// Every entry's status is shown in the element marked data-outbox. Nothing is sent to any other origin.
// Sign-out and the signed-out page delete the whole store (app.js).
(function () {
  "use strict";

  var DB_NAME = "berdaya-outbox";
  var QUEUE = "queue";
  var SENT = "sent";
  var MAX_DELAY_MS = 60000;
  var days = Number(document.body.getAttribute("data-offline-days") || "7");
  var draining = false;
  var timer = null;
  var signinNeeded = false;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore(QUEUE, { keyPath: "id" }).createIndex("created", "created");
        db.createObjectStore(SENT, { keyPath: "id" }).createIndex("sentAt", "sentAt");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function tx(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode);
        var result = work(t.objectStore(store));
        t.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : result); };
        t.onerror = t.onabort = function () { db.close(); reject(t.error); };
      });
    });
  }

  function all(store) {
    return tx(store, "readonly", function (s) { return s.getAll(); }).then(function (rows) {
      return (rows || []).sort(function (a, b) { return (a.created || a.sentAt) - (b.created || b.sentAt); });
    });
  }

  function put(store, value) { return tx(store, "readwrite", function (s) { s.put(value); }); }
  function remove(store, id) { return tx(store, "readwrite", function (s) { s.delete(id); }); }

  function twoDigits(n) { return (n < 10 ? "0" : "") + n; }

  var MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
    "November", "Desember"];

  function when(ms) {
    var d = new Date(ms);
    return d.getDate() + " " + MONTHS[d.getMonth()] + " " + d.getFullYear() + " " + twoDigits(d.getHours()) + "." +
      twoDigits(d.getMinutes());
  }

  function statusText(entry) {
    if (entry.status === "refused") return "ditolak: " + entry.message;
    if (entry.status === "signin") return "masuk lagi untuk mengirim";
    if (entry.status === "sending") return "sedang dikirim";
    if (entry.retryAt) return "menunggu dikirim (dicoba lagi " + when(entry.retryAt) + ")";
    return "menunggu dikirim";
  }

  function render() {
    var box = document.querySelector("[data-outbox]");
    if (!box) return Promise.resolve();
    return Promise.all([all(QUEUE), all(SENT)]).then(function (found) {
      var queued = found[0];
      var sent = found[1].slice(-10);
      var list = box.querySelector("ul") || box.appendChild(document.createElement("ul"));
      list.textContent = "";
      queued.forEach(function (entry) {
        var item = document.createElement("li");
        item.setAttribute("data-outbox-entry", entry.id);
        item.setAttribute("data-status", entry.status);
        item.className = entry.status === "refused" ? "status-refused" : "status-waiting";
        item.textContent = entry.label + ": " + statusText(entry);
        if (entry.status === "refused") {
          var discard = document.createElement("button");
          discard.type = "button";
          discard.className = "button-secondary button";
          discard.textContent = "Hapus dari antrean";
          discard.addEventListener("click", function () { remove(QUEUE, entry.id).then(render); });
          item.appendChild(document.createTextNode(" "));
          item.appendChild(discard);
        }
        list.appendChild(item);
      });
      sent.forEach(function (note) {
        var item = document.createElement("li");
        item.setAttribute("data-outbox-entry", note.id);
        item.setAttribute("data-status", "sent");
        item.className = "status-sent";
        item.textContent = note.label + ": terkirim " + when(note.sentAt);
        list.appendChild(item);
      });
      var empty = box.querySelector("[data-outbox-empty]");
      if (empty) empty.hidden = queued.length + sent.length > 0;
      var signin = box.querySelector("[data-outbox-signin]");
      if (signin) signin.hidden = !signinNeeded;
      box.setAttribute("data-waiting", String(queued.length));
    });
  }

  function schedule(delay) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { timer = null; drain(); }, delay);
  }

  function backoff(entry) {
    entry.attempts = (entry.attempts || 0) + 1;
    var delay = Math.min(MAX_DELAY_MS, 1000 * Math.pow(2, entry.attempts - 1));
    entry.status = "waiting";
    entry.retryAt = Date.now() + delay;
    return put(QUEUE, entry).then(function () { schedule(delay); });
  }

  function refusal(response) {
    return response.json().then(function (body) {
      var parts = [body.pesan || ("status " + response.status)];
      (body.kesalahan || []).forEach(function (e) { if (e.pesan && parts.indexOf(e.pesan) < 0) parts.push(e.pesan); });
      return parts.join("; ");
    }, function () { return "status " + response.status; });
  }

  function send(entry) {
    entry.status = "sending";
    return put(QUEUE, entry).then(render).then(function () {
      return fetch(entry.url, {
        method: entry.method,
        headers: { "Content-Type": entry.contentType, "Idempotency-Key": entry.id, "Accept": "application/json",
                   "X-Berdaya-Outbox": "1" },
        body: entry.body,
        credentials: "same-origin",
        cache: "no-store"
      });
    }).then(function (response) {
      var signedOut = response.status === 401 ||
        (response.redirected && new URL(response.url).pathname.indexOf("/auth/") === 0);
      if (signedOut) {
        entry.status = "signin";
        signinNeeded = true;
        return put(QUEUE, entry).then(function () { return "stop"; });
      }
      if (response.ok) {
        return remove(QUEUE, entry.id).then(function () {
          return put(SENT, { id: entry.id, label: entry.label, sentAt: Date.now() });
        }).then(function () { return "next"; });
      }
      var retry = response.status >= 500 || response.status === 429 ||
        (response.status === 409 && response.headers.has("Retry-After"));
      if (retry) return backoff(entry).then(function () { return "stop"; });
      return refusal(response).then(function (message) {
        entry.status = "refused";
        entry.message = message;
        return put(QUEUE, entry).then(function () { return "next"; });
      });
    }, function () {
      return backoff(entry).then(function () { return "stop"; });  // no connection
    });
  }

  function drain() {
    if (draining) return Promise.resolve();
    draining = true;
    signinNeeded = false;
    return all(QUEUE).then(function (queued) {
      var due = queued.filter(function (e) {
        return e.status !== "refused" && (!e.retryAt || e.retryAt <= Date.now() || navigator.onLine);
      });
      var step = function (i) {
        if (i >= due.length) return Promise.resolve();
        return send(due[i]).then(function (next) { return next === "next" ? step(i + 1) : null; });
      };
      return step(0);
    }).then(purgeSent).finally(function () { draining = false; return render(); });
  }

  function purgeSent() {
    var limit = Date.now() - days * 86400000;
    return all(SENT).then(function (notes) {
      return Promise.all(notes.filter(function (n) { return n.sentAt < limit; }).map(function (n) {
        return remove(SENT, n.id);
      }));
    });
  }

  function enqueue(form) {
    var body = new URLSearchParams(new FormData(form)).toString();
    var entry = {
      id: crypto.randomUUID(), label: form.getAttribute("data-offline-label") || document.title,
      sheet: form.getAttribute("data-offline-sheet"), url: form.action, method: (form.method || "post").toUpperCase(),
      contentType: "application/x-www-form-urlencoded", body: body, created: Date.now(), status: "waiting",
      attempts: 0
    };
    return put(QUEUE, entry).then(render).then(drain).then(function () { return entry; });
  }

  function pending() {
    return all(QUEUE);
  }

  function cacheThisPage() {
    if (!navigator.serviceWorker) return;
    navigator.serviceWorker.register("/sw.js?days=" + days).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (registration.active) registration.active.postMessage({ type: "cache-page", url: location.href });
    }).catch(function () { /* the sheet still works online */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-offline-sheet]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        enqueue(form).then(function () {
          var done = form.querySelector("[data-offline-saved]");
          if (done) done.hidden = false;
        });
      });
    });
    cacheThisPage();
    render().then(drain);
  });
  window.addEventListener("online", function () { drain(); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) drain(); });

  window.BerdayaOutbox = { pending: pending, drain: drain, render: render, enqueue: enqueue };
})();
