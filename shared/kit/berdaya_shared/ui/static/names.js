// Participants' names from the registry, asked by the browser with the signed-in user's own token (names stay in
// the registry: a service's pages never hold them). A container marked data-names="<key>" with
// data-names-source="<same-origin URL answering {access_token, purpose, registry_url, offline_days}>" holds
// elements marked data-name-for="<person_ref>"; each gets her name as text (never as HTML).
// - The registry answers only for women the user may see (a trainer: her own OPD's course participants) and logs
//   every name it answers with the user and her declared purpose.
// - For use without signal, the names of that one list are kept in IndexedDB ("berdaya-names", by key, with the
//   time they were kept) at most offline_days days (7 by default); older lists are deleted on every page load,
//   and the whole store is deleted at sign-out (app.js).
(function () {
  "use strict";

  var DB_NAME = "berdaya-names";
  var STORE = "lists";
  var DAY_MS = 86400000;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function tx(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var result = work(t.objectStore(STORE));
        t.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : undefined); };
        t.onerror = t.onabort = function () { db.close(); reject(t.error); };
      });
    });
  }

  function purge(days) {
    var limit = Date.now() - days * DAY_MS;
    return tx("readwrite", function (store) {
      var request = store.openCursor();
      request.onsuccess = function () {
        var cursor = request.result;
        if (!cursor) return;
        if (!cursor.value.kept || cursor.value.kept < limit) cursor.delete();
        cursor.continue();
      };
    });
  }

  function show(container, names, note) {
    container.querySelectorAll("[data-name-for]").forEach(function (el) {
      var name = names[el.getAttribute("data-name-for")];
      if (name) el.textContent = name;
    });
    var status = container.querySelector("[data-names-status]");
    if (status) status.textContent = note;
    container.setAttribute("data-names-loaded", "true");
  }

  function fromRegistry(container, refs) {
    var source = container.getAttribute("data-names-source");
    return fetch(source, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) {
        if (!answer.ok) throw new Error("token " + answer.status);
        return answer.json();
      })
      .then(function (key) {
        return fetch(key.registry_url.replace(/\/$/, "") + "/women/names", {
          method: "POST", mode: "cors", credentials: "omit",
          headers: { "Content-Type": "application/json", Accept: "application/json",
                     Authorization: "Bearer " + key.access_token, "X-Purpose": key.purpose },
          body: JSON.stringify({ person_refs: refs })
        }).then(function (answer) {
          if (!answer.ok) throw new Error("registry " + answer.status);
          return answer.json();
        }).then(function (body) { return { items: body.items, days: key.offline_days || 7 }; });
      });
  }

  function load(container) {
    var key = container.getAttribute("data-names");
    var refs = [];
    container.querySelectorAll("[data-name-for]").forEach(function (el) {
      var ref = el.getAttribute("data-name-for");
      if (refs.indexOf(ref) < 0) refs.push(ref);
    });
    if (!refs.length) return Promise.resolve();
    var days = Number(document.body.getAttribute("data-offline-days") || "7");
    var kept = window.indexedDB ? purge(days).catch(function () {}) : Promise.resolve();
    return kept.then(function () { return fromRegistry(container, refs); }).then(function (answer) {
      var names = {};
      answer.items.forEach(function (item) { names[item.person_ref] = item.full_name; });
      show(container, names, "Nama peserta dari registri.");
      if (window.indexedDB) {
        return tx("readwrite", function (store) { store.put({ key: key, names: names, kept: Date.now() }); });
      }
    }).catch(function () {
      if (!window.indexedDB) return;
      return tx("readonly", function (store) { return store.get(key); }).then(function (list) {
        if (list && list.kept >= Date.now() - days * DAY_MS) {
          show(container, list.names, "Tanpa sinyal: nama dari salinan di perangkat ini.");
        } else {
          var status = container.querySelector("[data-names-status]");
          if (status) status.textContent = "Nama peserta belum dapat dimuat; nomor peserta ditampilkan.";
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-names]").forEach(load);
  });
})();
