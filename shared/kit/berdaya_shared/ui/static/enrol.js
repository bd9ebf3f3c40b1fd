// Enrolment by name: the trainer's browser asks the registry's POST /women/enrolment-search with her own token
// (the same key as names.js: data-key-source answers {access_token, purpose, registry_url}). The name, desa and
// birth year travel in the request body, never in a URL, and never through the page's own service. The registry
// answers at most five women (ref, name, desa, kecamatan, birth year) or refuses a search that is too broad; each
// answer is shown as a choice (text, never HTML) in the enrolment form, whose command stays the service's own.
// Nothing is kept on the device: the answers live in the page only.
(function () {
  "use strict";

  var FIELDS = { name: "f-cari-nama", desa: "f-cari-desa", birth_year: "f-cari-tahun" };

  function clearErrors(form) {
    form.querySelectorAll(".error-message[data-search-error]").forEach(function (el) { el.remove(); });
    form.querySelectorAll("[data-search-field]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
      input.closest(".field").classList.remove("field-error");
      input.setAttribute("aria-describedby", input.id + "-hint");
    });
  }

  function showError(form, field, message) {
    var input = document.getElementById(FIELDS[field] || FIELDS.name);
    var box = input.closest(".field");
    var note = document.createElement("p");
    note.className = "error-message";
    note.id = input.id + "-error";
    note.setAttribute("data-search-error", "");
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = "Kesalahan: ";
    note.appendChild(hidden);
    note.appendChild(document.createTextNode(message));
    box.insertBefore(note, input);
    box.classList.add("field-error");
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", input.id + "-hint " + note.id);
    input.focus();
  }

  function fieldOf(item) {
    var name = String(item.field || "").split(".").pop();
    return FIELDS[name] ? name : null;
  }

  function label(item) {
    var where = [item.desa ? "Desa " + item.desa : null, item.kecamatan ? "Kec. " + item.kecamatan : null,
                 item.birth_year ? "lahir " + item.birth_year : null].filter(Boolean).join(", ");
    return item.full_name + (where ? " — " + where : "");
  }

  function showChoices(section, items) {
    var fieldset = document.querySelector("[data-enrol-choices]");
    var list = fieldset.querySelector("[data-enrol-list]");
    list.textContent = "";
    items.forEach(function (item, i) {
      var row = document.createElement("div");
      row.className = "field field-check";
      var input = document.createElement("input");
      input.type = "radio";
      input.name = "person_ref";
      input.value = item.person_ref;
      input.id = "f-pilih-" + i;
      if (items.length === 1) input.checked = true;
      var text = document.createElement("label");
      text.htmlFor = input.id;
      text.textContent = label(item);
      row.appendChild(input);
      row.appendChild(text);
      list.appendChild(row);
    });
    fieldset.hidden = items.length === 0;
  }

  function search(section, form) {
    var status = form.querySelector("[data-enrol-status]");
    var body = { course_ref: section.getAttribute("data-course-ref"),
                 name: document.getElementById(FIELDS.name).value.trim() };
    var desa = document.getElementById(FIELDS.desa).value.trim();
    var year = document.getElementById(FIELDS.birth_year).value.trim();
    clearErrors(form);
    if (!body.name) { showError(form, "name", "Nama: tulis nama yang dicari"); return; }
    if (year && !/^\d{4}$/.test(year)) { showError(form, "birth_year", "Tahun lahir: tulis 4 angka, misalnya 1985"); return; }
    if (desa) body.desa = desa;
    if (year) body.birth_year = Number(year);
    status.textContent = "Mencari di registri…";
    fetch(section.getAttribute("data-key-source"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) {
        if (!answer.ok) throw new Error("key " + answer.status);
        return answer.json();
      })
      .then(function (key) {
        return fetch(key.registry_url.replace(/\/$/, "") + "/women/enrolment-search", {
          method: "POST", mode: "cors", credentials: "omit",
          headers: { "Content-Type": "application/json", Accept: "application/json",
                     Authorization: "Bearer " + key.access_token, "X-Purpose": key.purpose },
          body: JSON.stringify(body)
        });
      })
      .then(function (answer) {
        return answer.json().then(function (json) { return { status: answer.status, json: json }; });
      })
      .then(function (result) {
        if (result.status === 200) {
          var items = result.json.items || [];
          showChoices(section, items);
          status.textContent = items.length ? items.length + " perempuan cocok; pilih satu lalu tekan Daftarkan."
            : "Tidak ada yang cocok. Periksa ejaan nama, atau kosongkan desa dan tahun lahir.";
          return;
        }
        showChoices(section, []);
        var problems = result.json.kesalahan || [];
        var placed = false;
        problems.forEach(function (item) {
          var field = fieldOf(item);
          if (field && !placed) { showError(form, field, item.pesan || result.json.pesan); placed = true; }
        });
        status.textContent = placed ? "" : (result.json.pesan || "Registri menolak pencarian ini.");
      })
      .catch(function () {
        status.textContent = "Registri tidak dapat dihubungi; coba lagi, atau tulis nomor registrinya.";
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-enrol-search]").forEach(function (section) {
      var form = section.querySelector("[data-enrol-find]");
      section.hidden = false;
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        search(section, form);
      });
    });
  });
})();
