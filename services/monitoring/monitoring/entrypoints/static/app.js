"use strict";
const rupiah = new Intl.NumberFormat("id-ID", { style: "currency", currency: "IDR", maximumFractionDigits: 0 });
const rupiahShort = new Intl.NumberFormat("id-ID", { style: "currency", currency: "IDR", notation: "compact", maximumFractionDigits: 1 });
const number = new Intl.NumberFormat("id-ID");
const percent = new Intl.NumberFormat("id-ID", { style: "percent", maximumFractionDigits: 1 });
const dateTime = new Intl.DateTimeFormat("id-ID", { dateStyle: "long", timeStyle: "medium", timeZone: "Asia/Makassar" });
const month = new Intl.DateTimeFormat("id-ID", { month: "short", year: "numeric" });
let catalog = [];
const kinds = {};
const charts = {};
let period = null;  // the released period shown (YYYY, YYYY-Qn or YYYY-MM)
let released = [];  // every released period, oldest first
let targetIndicators = new Set();  // the indicators the targets table shows
// The filters come from the page's address (the filter form is a plain GET form), so a view can be shared.
const url = new URLSearchParams(window.location.search);
const FILTERS = ["kecamatan", "opd", "pekka_category", "age_band"];
const chosen = Object.fromEntries(FILTERS.filter(k => url.get(k)).map(k => [k, url.get(k)]));
const filtered = Object.keys(chosen).length > 0;
if (url.get("period")) period = url.get("period");
function withFilters(params, keep = FILTERS) {
  const q = new URLSearchParams(params);
  for (const k of keep) if (chosen[k]) q.set(k, chosen[k]);
  return q.toString();
}

function fmt(kind, value, suppressed) {
  if (suppressed) return "x";
  if (value === null || value === undefined) return "—";
  if (kind === "sum_idr" || kind === "median_idr") return rupiah.format(value);
  if (kind === "ratio") return percent.format(value);
  return number.format(value);
}
// Cards and chart axes are narrow: large Rupiah amounts read as "Rp 1,1 M" (miliar) or "Rp 37,5 jt".
function fmtShort(kind, value, suppressed) {
  if (!suppressed && value !== null && value !== undefined && (kind === "sum_idr" || kind === "median_idr")
      && Math.abs(value) >= 1e6) return rupiahShort.format(value);
  return fmt(kind, value, suppressed);
}
function monthLabel(p) {
  const [y, m] = p.split("-");
  if (m && m.startsWith("Q")) return `Triwulan ${["I", "II", "III", "IV"][Number(m[1]) - 1]} ${y}`;
  return m ? month.format(new Date(Number(y), Number(m) - 1, 1)) : y;
}
function periodLabel(p) { return p && p.length === 4 ? `Tahun ${p}` : monthLabel(p || ""); }
class Refused extends Error {}
async function getJSON(path) {
  const r = await fetch(path);
  if (r.ok) return r.json();
  let message = `Permintaan ditolak (${r.status}).`;
  try { message = (await r.json()).pesan || message; } catch (e) { /* not JSON */ }
  throw new Refused(message);
}
function showError(err) {
  const box = document.getElementById("filter-error");
  box.hidden = false;
  box.textContent = err instanceof Refused ? err.message : "Angka tidak dapat dimuat. Coba muat ulang halaman.";
}
function el(tag, attrs = {}, text = null) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  return node;
}

function renderFigures(figures) {
  const box = document.getElementById("headline");
  box.innerHTML = "";
  for (const ind of catalog.filter(i => i.headline)) {
    const f = figures[ind.name];
    if (filtered && !f) continue;  // not published with this filter
    const card = el("div", { class: "card", "data-indicator": ind.name });
    card.appendChild(el("div", { class: "label" }, ind.label));
    const value = el("div", { class: "value" }, fmtShort(ind.kind, (f || {}).value, (f || {}).suppressed));
    value.title = fmt(ind.kind, (f || {}).value, (f || {}).suppressed);
    card.appendChild(value);
    card.appendChild(definition(ind.name));
    box.appendChild(card);
  }
  document.getElementById("updated").textContent = dateTime.format(new Date());
}

function renderFunnel(steps) {
  const body = document.querySelector("#funnel tbody");
  body.innerHTML = "";
  for (const s of steps) {
    const row = el("tr", { "data-step": s.step });
    row.appendChild(el("th", { scope: "row" }, s.label));
    row.appendChild(el("td", {}, fmt("count", s.value, s.suppressed)));
    body.appendChild(row);
  }
  if (!steps.length) body.appendChild(el("tr")).appendChild(el("td", { colspan: "2" }, "Belum ada angka yang dirilis."));
}

// The cohort funnel: each step a part of the one before; a withheld step is "x" with its reason one tap away.
function withheld(reason) {
  const box = el("details", { class: "withheld" });
  box.appendChild(el("summary", { "aria-label": "x: angka disembunyikan, lihat alasannya" }, "x"));
  box.appendChild(el("p", {}, reason || ""));
  return box;
}
function renderCohort(data, empty = "Corong kohort belum dirilis.") {
  const body = document.querySelector("#cohort tbody");
  body.innerHTML = "";
  document.getElementById("cohort-sentence").textContent = data ? data.sentence : "";
  document.getElementById("cohort-scope").textContent = data
    ? `· terdaftar ${periodLabel(data.period)}${data.kecamatan ? " · " + (KECAMATAN[data.kecamatan] || data.kecamatan) : ""}` : "";
  if (!data) {
    body.appendChild(el("tr")).appendChild(el("td", { colspan: "3" }, empty));
    return;
  }
  data.steps.forEach((s, i) => {
    const row = el("tr", { "data-cohort-step": s.step });
    const label = i === 0 ? "Terdaftar" : `${i === 1 ? "Dari mereka" : "Dari mereka lagi"}: ${s.label}`;
    row.appendChild(el("th", { scope: "row" }, label));
    const cell = el("td");
    if (s.suppressed) cell.appendChild(withheld(data.reason)); else cell.textContent = fmt("count", s.value, false);
    row.appendChild(cell);
    row.appendChild(el("td", {}, i === 0 ? "" : (s.rate_of_previous === null ? "—" : percent.format(s.rate_of_previous))));
    body.appendChild(row);
  });
}
async function loadCohort() {
  const kec = chosen.kecamatan ? { kecamatan: chosen.kecamatan } : {};
  const unfiltered = chosen.opd || chosen.pekka_category || chosen.age_band;
  if (unfiltered) { renderCohort(null, "Corong kohort publik hanya untuk seluruh kabupaten atau satu kecamatan."); return; }
  try {
    renderCohort(await getJSON(`/api/cohort?${new URLSearchParams({ ...(period ? { period } : {}), ...kec })}`));
  } catch (err) {
    try { renderCohort(await getJSON(`/api/cohort?${new URLSearchParams(kec)}`)); } catch (e) { renderCohort(null); }
  }
}

function renderHeadline(msg) {
  // The live message is the regency's; a filtered view reads its own figures instead.
  if (msg.period && !period) period = msg.period;
  if (filtered || (msg.period && msg.period !== period)) return;
  renderFigures(msg.figures || {});
  renderFunnel(msg.funnel || []);
}

async function renderFiltered() {
  const names = catalog.filter(i => i.headline).map(i => "indicator=" + i.name).join("&");
  const data = await getJSON(`/api/indicators?${withFilters({ period })}&${names}`);
  const figures = {};
  for (const i of data.indicators) figures[i.indicator] = i.cells[0] || { value: empty(i.kind), suppressed: false };
  renderFigures(figures);
  const funnelFilters = ["kecamatan", "pekka_category", "age_band"];
  if (chosen.opd) renderFunnel([]);
  else renderFunnel(await getJSON(`/api/funnel?${withFilters({ period }, funnelFilters)}`));
}

// Every figure's definition one tap away: a disclosure under it.
function definition(name) {
  const box = el("details", { class: "definition" });
  box.appendChild(el("summary", {}, "Definisi"));
  box.appendChild(el("p", {}, DEFINITIONS[name] || ""));
  return box;
}

// A figure with no record: zero for counts and sums; no value for ratios and medians (nothing to divide).
function empty(kind) { return kind === "ratio" || kind === "median_idr" ? null : 0; }

function kecamatanLink(code) {
  const a = el("a", { href: "/?" + new URLSearchParams({ period, kecamatan: code }) }, KECAMATAN[code] || code);
  return a;
}

async function renderKecamatan() {
  const table = document.getElementById("by-kecamatan");
  const note = document.getElementById("kec-note");
  const heading = document.getElementById("h-kec");
  table.tHead.innerHTML = "";
  table.tBodies[0].innerHTML = "";
  let data, keyLabel, label = k => KECAMATAN[k] || k;
  if (chosen.kecamatan && Object.keys(chosen).length === 1) {
    // Drill-down: the kecamatan's desa/kelurahan (published by year, registrations).
    heading.textContent = `Desa/kelurahan di ${KECAMATAN[chosen.kecamatan] || chosen.kecamatan}`;
    note.textContent = "Perempuan terdaftar per desa/kelurahan, per tahun. ";
    note.appendChild(el("a", { href: "/?" + new URLSearchParams({ period }) }, "Kembali ke semua kecamatan"));
    data = await getJSON(`/api/indicators?${new URLSearchParams({ period: period.slice(0, 4), kecamatan: chosen.kecamatan,
      group_by: "desa", indicator: "women_registered" })}`);
    keyLabel = "Desa/kelurahan";
  } else if (filtered) {
    note.textContent = "Tabel per kecamatan hanya tersedia tanpa filter lain (angka publik: satu rincian sekaligus).";
    return;
  } else {
    const names = catalog.filter(i => i.headline).map(i => "indicator=" + i.name).join("&");
    data = await getJSON(`/api/indicators?group_by=kecamatan&period=${period}&${names}`);
    keyLabel = "Kecamatan";
  }
  const keys = [...new Set(data.indicators.flatMap(i => i.cells.map(c => c.key)).filter(Boolean))].sort();
  if (!keys.length) {
    note.appendChild(document.createTextNode(" Belum ada angka yang diterbitkan untuk tabel ini."));
    return;
  }
  const head = el("tr");
  head.appendChild(el("th", { scope: "col" }, keyLabel));
  for (const i of data.indicators) head.appendChild(el("th", { scope: "col" }, i.label));
  table.tHead.appendChild(head);
  for (const k of keys) {
    const row = el("tr");
    const first = el("td");
    if (keyLabel === "Kecamatan") first.appendChild(kecamatanLink(k)); else first.textContent = label(k);
    row.appendChild(first);
    for (const i of data.indicators) {
      const c = i.cells.find(x => x.key === k);
      row.appendChild(el("td", {}, c ? fmt(i.kind, c.value, c.suppressed) : "0"));
    }
    table.tBodies[0].appendChild(row);
  }
}

// Every released month of the shown year, in order: a month with no record is a zero, never a gap.
function monthsOf(year) {
  return released.filter(p => p.length === 7 && !p.includes("Q") && p.startsWith(year));
}

// names: the indicators whose charts to refresh (default: every headline indicator).
async function renderCharts(names = null) {
  const year = period.slice(0, 4);
  const headline = (names || catalog.filter(i => i.headline).map(i => i.name)).map(n => "indicator=" + n).join("&");
  const data = await getJSON(`/api/indicators?${withFilters({ group_by: "period", period: year })}&${headline}`);
  const box = document.getElementById("charts");
  for (const ind of data.indicators) {
    const byKey = Object.fromEntries(ind.cells.filter(c => c.key).map(c => [c.key, c]));
    const quarterly = ind.cells.some(c => c.key && c.key.includes("Q"));
    const keys = quarterly ? ["Q1", "Q2", "Q3", "Q4"].map(q => `${year}-${q}`).filter(k => released.includes(k))
      : monthsOf(year);
    const cells = keys.map(k => byKey[k] || { key: k, value: 0, suppressed: false });
    const values = cells.map(c => c.suppressed ? null : c.value);
    // A chart says more than a number only when some month holds something: all-zero series are left out.
    const existing = charts[ind.indicator];
    const blank = cells.every(c => !c.suppressed && !c.value);
    if (existing) existing.canvas.closest("figure").hidden = blank;
    if (blank && !existing) continue;
    const top = Math.max(1, ...values.filter(v => v !== null));
    // Withheld months get a grey bar of a fixed small height and an "x" in their label: marked, not missing.
    const marks = cells.map(c => c.suppressed ? top * 0.06 : null);
    const labels = cells.map(c => monthLabel(c.key) + (c.suppressed ? " (x)" : ""));
    const integer = ind.kind === "count";
    let chart = charts[ind.indicator];
    if (!chart) {
      const wrap = el("figure", { class: "chart", "data-chart": ind.indicator });
      wrap.appendChild(el("figcaption", {}, ind.label));
      const frame = el("div", { class: "frame" });
      const canvas = el("canvas", { role: "img", "aria-label": `${ind.label} per bulan` });
      frame.appendChild(canvas);
      wrap.appendChild(frame);
      box.appendChild(wrap);
      chart = charts[ind.indicator] = new Chart(canvas, {
        type: "bar",
        data: { labels, datasets: [
          { label: ind.label, data: values, backgroundColor: "#b4236b", borderColor: "#b4236b" },
          { label: "x = disembunyikan", data: marks, backgroundColor: "#9ca3af" }] },
        options: { maintainAspectRatio: false, animation: false,
          plugins: { legend: { display: false },
            tooltip: { callbacks: { label: ctx => ctx.datasetIndex === 1 ? "x (disembunyikan)"
              : fmt(ind.kind, ctx.parsed.y, ctx.parsed.y === null) } } },
          scales: { x: { stacked: true, ticks: { autoSkip: true, maxRotation: 0 } },
            y: { stacked: true, beginAtZero: true, suggestedMax: integer ? 4 : undefined,
              ticks: { precision: integer ? 0 : undefined, callback: v => fmtShort(ind.kind, v, false) } } } },
      });
    } else {
      chart.data.labels = labels;
      chart.data.datasets[0].data = values;
      chart.data.datasets[1].data = marks;
      chart.update();
    }
    chart.canvas.closest("figure").dataset.months = keys.join(",");
    chart.canvas.closest("figure").dataset.withheld = cells.filter(c => c.suppressed).map(c => c.key).join(",");
  }
}

async function renderAllIndicators() {
  const data = await getJSON(`/api/indicators?${withFilters({ period })}`);
  const body = document.querySelector("#all-indicators tbody");
  body.innerHTML = "";
  for (const i of data.indicators) {
    const c = i.cells[0] || { value: empty(i.kind), suppressed: false };
    const row = el("tr", { "data-indicator": i.indicator });
    const name = el("td", {}, i.label);
    name.appendChild(definition(i.indicator));
    row.appendChild(name);
    row.appendChild(el("td", {}, i.group));
    row.appendChild(el("td", {}, fmt(i.kind, c.value, c.suppressed)));
    body.appendChild(row);
  }
}

async function renderTargets() {
  const year = Number(period.slice(0, 4));
  document.getElementById("target-year").textContent = year;
  const rows = await getJSON(`/api/targets?year=${year}` + (chosen.kecamatan ? `&kecamatan=${chosen.kecamatan}` : ""));
  targetIndicators = new Set(rows.map(r => r.indicator));
  const body = document.querySelector("#targets tbody");
  body.innerHTML = "";
  if (!rows.length) {
    body.appendChild(el("tr")).appendChild(el("td", { colspan: "5" }, `Belum ada target untuk tahun ${year}.`));
    return;
  }
  for (const r of rows) {
    const kind = kinds[r.indicator];
    const row = el("tr");
    row.appendChild(el("td", {}, r.label));
    row.appendChild(el("td", {}, r.kecamatan_code === "all" ? "Seluruh Kukar" : (KECAMATAN[r.kecamatan_code] || r.kecamatan_code)));
    row.appendChild(el("td", {}, fmt(kind, r.target, false)));
    row.appendChild(el("td", {}, fmt(kind, r.actual, r.suppressed)));
    const cell = el("td");
    const shown = r.progress === null ? "—" : percent.format(r.progress);
    const bar = el("div", { class: "progress", role: "progressbar", "aria-label": `Progres ${r.label}`,
      "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(Math.round(100 * Math.min(1, r.progress || 0))) });
    const fill = el("div");
    fill.style.width = `${100 * Math.min(1, r.progress || 0)}%`;
    bar.appendChild(fill);
    cell.appendChild(bar);
    cell.appendChild(document.createTextNode(" " + shown));
    row.appendChild(cell);
    body.appendChild(row);
  }
}

// Detail refreshes asked for by live messages, gathered: tables and charts are heavier than the headline, so they
// are refreshed at most every 3 seconds, and only those whose indicators changed (or all, when the period moved).
let pending = null;
let wanted = { all: false, release: false, names: new Set() };
function refreshDetails(change = null) {
  if (!change) wanted.all = true;
  else {
    if ("release_id" in change) wanted.release = true;
    for (const name of Object.keys(change.figures || {})) wanted.names.add(name);
  }
  if (pending) return;
  pending = setTimeout(async () => {
    pending = null;
    const what = wanted;
    wanted = { all: false, release: false, names: new Set() };
    await (what.all ? renderDetails() : renderChanged(what));
  }, 3000);
}

// Only what a change touches: a headline indicator's chart, the kecamatan table when one of its columns changed,
// the targets when one of theirs did; a release also renews the period list, the table of every indicator and
// the cohort funnel (and every chart when the year gained a month).
async function renderChanged(what) {
  const before = period ? monthsOf(period.slice(0, 4)).join(",") : "";
  if (what.release) await renderPeriods();
  if (!period) return;
  const newMonth = what.release && monthsOf(period.slice(0, 4)).join(",") !== before;
  const names = catalog.filter(i => i.headline && what.names.has(i.name)).map(i => i.name);
  const parts = [];
  if (newMonth) parts.push(renderCharts());
  else if (names.length) parts.push(renderCharts(names));
  if (names.length || newMonth) parts.push(renderKecamatan());
  if (what.release || names.some(n => targetIndicators.has(n))) parts.push(renderTargets());
  if (what.release) parts.push(renderAllIndicators(), loadCohort());
  if (filtered && (names.length || what.release)) parts.push(renderFiltered());
  const results = await Promise.allSettled(parts);
  const failed = results.find(r => r.status === "rejected");
  if (failed) showError(failed.reason);
}

async function renderPeriods() {
  const info = await getJSON("/api/periods");
  released = info.periods;
  const select = document.getElementById("period");
  select.innerHTML = "";
  for (const p of info.periods.slice().reverse()) select.appendChild(el("option", { value: p }, periodLabel(p)));
  if (!period || !info.periods.includes(period)) period = info.default;
  select.value = period || "";
  document.getElementById("release-info").textContent = info.release_id
    ? `Rilis ke-${info.release_id}, ${dateTime.format(new Date(info.released_at))}` : "Belum ada angka yang dirilis.";
  document.getElementById("export-period").value = period || "";
}

async function renderDetails() {
  await renderPeriods();
  if (!period) { renderCohort(null); return; }
  const parts = [renderKecamatan(), renderCharts(), renderTargets(), renderAllIndicators(), loadCohort()];
  if (filtered || url.get("period")) parts.push(renderFiltered());
  const results = await Promise.allSettled(parts);
  const failed = results.find(r => r.status === "rejected");
  if (failed) showError(failed.reason);
}

function setUpFilters() {
  const kec = document.getElementById("f-kecamatan");
  for (const [code, name] of Object.entries(KECAMATAN)) kec.appendChild(el("option", { value: code }, name));
  for (const [id, key] of [["f-kecamatan", "kecamatan"], ["f-opd", "opd"], ["f-pekka", "pekka_category"], ["f-age", "age_band"]]) {
    document.getElementById(id).value = chosen[key] || "";
  }
  const parts = Object.entries(chosen).map(([k, v]) => k === "kecamatan" ? (KECAMATAN[v] || v)
    : document.querySelector(`[name="${k}"] option[value="${CSS.escape(v)}"]`)?.textContent || v);
  document.getElementById("scope").textContent = parts.length ? "· " + parts.join(" · ") : "· Seluruh Kutai Kartanegara";
  // Empty selects are left out of the address, so a shared link carries only what was chosen.
  document.getElementById("filters").addEventListener("submit", ev => {
    for (const select of ev.target.querySelectorAll("select")) select.disabled = !select.value;
  });
  if (window.matchMedia("(min-width: 700px)").matches) document.getElementById("charts-box").open = true;
}

// The live message as last received: a whole one ("headline" event) with every later "change" merged in, as
// monitoring/service_layer/feed_delta.py merges (changed figures by name, changed funnel steps by step).
let live = null;
function merge(message, change) {
  const out = { ...message };
  for (const [key, value] of Object.entries(change)) {
    if (key === "figures") out.figures = { ...(message.figures || {}), ...value };
    else if (key === "funnel") {
      const steps = [...(message.funnel || [])];
      for (const step of value) {
        const at = steps.findIndex(s => s.step === step.step);
        if (at >= 0) steps[at] = step; else steps.push(step);
      }
      out.funnel = steps;
    } else out[key] = value;
  }
  return out;
}
// What differs between two whole messages, said as a change (a reconnection's message against the one held).
function difference(before, after) {
  const change = {};
  for (const key of Object.keys(after)) {
    if (key === "figures") {
      const figures = Object.fromEntries(Object.entries(after.figures || {})
        .filter(([k, v]) => JSON.stringify((before.figures || {})[k]) !== JSON.stringify(v)));
      if (Object.keys(figures).length) change.figures = figures;
    } else if (key === "funnel") {
      const steps = (after.funnel || []).filter(s => JSON.stringify((before.funnel || []).find(b => b.step === s.step)) !== JSON.stringify(s));
      if (steps.length) change.funnel = steps;
    } else if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) change[key] = after[key];
  }
  return change;
}

// One headline card, re-rendered in place; false when the card is not on the page.
function updateCard(name) {
  const value = document.querySelector(`#headline [data-indicator="${CSS.escape(name)}"] .value`);
  if (!value) return false;
  const f = live.figures[name] || {};
  value.textContent = fmtShort(kinds[name], f.value, f.suppressed);
  value.title = fmt(kinds[name], f.value, f.suppressed);
  return true;
}
function updateStep(step) {
  const cell = document.querySelector(`#funnel tr[data-step="${CSS.escape(step.step)}"] td`);
  if (!cell) return false;
  cell.textContent = fmt("count", step.value, step.suppressed);
  return true;
}

// A change folded into the page: the cards and funnel rows it names, then the details it concerns. A change of the
// released period (the public face's latest release moved to a new period) re-renders everything.
function applyChange(change) {
  if (!Object.keys(change).length) return;
  if ("period" in change) {
    renderHeadline(live);
    refreshDetails();
    return;
  }
  if (!filtered && (!live.period || live.period === period)) {  // the headline shown is the live message's
    const names = Object.keys(change.figures || {});
    if (!names.every(updateCard)) renderFigures(live.figures || {});
    if (!(change.funnel || []).every(updateStep)) renderFunnel(live.funnel || []);
    document.getElementById("updated").textContent = dateTime.format(new Date());
  }
  refreshDetails(change);
}

function connect() {
  const source = new EventSource("/api/stream");
  const status = document.getElementById("live-status");
  const dot = document.getElementById("live-dot");
  source.addEventListener("open", () => { status.textContent = "Langsung"; dot.classList.add("on"); });
  source.addEventListener("error", () => { status.textContent = "Terputus, mencoba lagi…"; dot.classList.remove("on"); });
  // On every (re)connection a whole message: only what differs from the one held is re-rendered.
  source.addEventListener("headline", ev => {
    const message = JSON.parse(ev.data);
    const change = difference(live || {}, message);
    live = message;
    applyChange(change);
  });
  source.addEventListener("change", ev => {
    if (!live) return;  // never before a whole message
    const change = JSON.parse(ev.data);
    live = merge(live, change);
    applyChange(change);
  });
}

document.getElementById("export").addEventListener("submit", ev => {
  ev.preventDefault();
  const form = new FormData(ev.target);
  const params = new URLSearchParams({ format: ev.submitter.value });
  if (form.get("period")) params.set("period", form.get("period"));
  window.location = "/api/export?" + params;
});

(async () => {
  setUpFilters();
  catalog = await getJSON("/api/catalog");
  for (const i of catalog) kinds[i.name] = i.kind;
  live = await getJSON("/api/headline");
  renderHeadline(live);
  await renderDetails();
  connect();
})().catch(showError);
