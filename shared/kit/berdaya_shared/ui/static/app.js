// Berdaya staff pages: small improvements over pages that work without JavaScript.
// - focus the error summary after a refused form, so keyboard and screen-reader users land on it;
// - show money typed as 1500000 as 1.500.000 once the field is left;
// - warn before signing out while sheets still wait on this device to be sent;
// - on the signed-out page, wipe what this site kept in the browser (the offline outbox with its names, the
//   service worker and its caches) for browsers that ignore the Clear-Site-Data header.
(function () {
  "use strict";

  function groupThousands(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  function formatMoney(input) {
    var raw = input.value.trim().replace(/^rp\.?\s*/i, "");
    if (/^\d+$/.test(raw)) input.value = groupThousands(raw.replace(/^0+(?=\d)/, ""));
  }

  function wipe() {
    var jobs = [];
    if (window.indexedDB) {
      jobs.push(new Promise(function (resolve) {
        var request = indexedDB.deleteDatabase("berdaya-outbox");
        request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
      }));
    }
    if (window.caches) {
      jobs.push(caches.keys().then(function (keys) {
        return Promise.all(keys.map(function (key) { return caches.delete(key); }));
      }));
    }
    if (navigator.serviceWorker) {
      jobs.push(navigator.serviceWorker.getRegistrations().then(function (registrations) {
        return Promise.all(registrations.map(function (r) { return r.unregister(); }));
      }));
    }
    return Promise.all(jobs).then(function () { document.body.setAttribute("data-wiped", "true"); });
  }

  function waitingSheets() {
    if (!window.BerdayaOutbox) return Promise.resolve(0);
    return window.BerdayaOutbox.pending().then(function (entries) { return entries.length; });
  }

  function guardSignOut(form) {
    var confirmed = false;
    form.addEventListener("submit", function (event) {
      if (confirmed) return;
      event.preventDefault();
      waitingSheets().then(function (count) {
        var message = "Masih ada " + count + " lembar yang belum terkirim. Jika Anda keluar sekarang, lembar itu " +
          "dihapus dari perangkat ini dan tidak akan terkirim. Tetap keluar?";
        if (count === 0 || window.confirm(message)) {
          confirmed = true;
          form.submit();
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
    document.querySelectorAll("input[data-money]").forEach(function (input) {
      input.addEventListener("blur", function () { formatMoney(input); });
    });
    document.querySelectorAll("form[data-signout]").forEach(guardSignOut);
    if (document.body.hasAttribute("data-signed-out")) wipe();
  });

  window.BerdayaApp = { wipe: wipe, formatMoney: formatMoney };
})();
