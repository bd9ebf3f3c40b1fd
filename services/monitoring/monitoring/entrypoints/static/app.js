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
async function getJSON(url) { const r = await fetch(url); if (!r.ok) throw new Error(url + " " + r.status); return r.json(); }

function renderHeadline(msg) {
  if (msg.period && msg.period !== period && !document.getElementById("period").dataset.chosen) period = msg.period;
  const box = document.getElementById("headline");
  box.innerHTML = "";
  for (const ind of catalog.filter(i => i.headline)) {
    const f = msg.figures[ind.name] || {};
    const card = document.createElement("div");
    card.className = "card";
    card.dataset.indicator = ind.name;
    card.innerHTML = `<div class="label"></div><div class="value"></div>`;
    card.querySelector(".label").textContent = ind.label;
    card.querySelector(".value").textContent = fmtShort(ind.kind, f.value, f.suppressed);
    card.querySelector(".value").title = fmt(ind.kind, f.value, f.suppressed);
    box.appendChild(card);
  }
  const funnel = document.getElementById("funnel");
  funnel.innerHTML = "";
  const top = Math.max(1, ...msg.funnel.map(s => s.value || 0));
  for (const s of msg.funnel) {
    const bar = document.createElement("div");
    bar.className = "bar";
    bar.dataset.step = s.step;
    bar.style.width = `${Math.max(25, 100 * (s.value || 0) / top)}%`;
    bar.textContent = `${s.label}: ${fmt("count", s.value, s.suppressed)}`;
    funnel.appendChild(bar);
  }
  document.getElementById("updated").textContent = dateTime.format(new Date());
}

async function renderKecamatan() {
  const names = catalog.filter(i => i.headline).map(i => i.name);
  const q = names.map(n => "indicator=" + n).join("&");
  const data = await getJSON(`/api/indicators?group_by=kecamatan&period=${period}&${q}`);
  const keys = [...new Set(data.indicators.flatMap(i => i.cells.map(c => c.key)).filter(Boolean))].sort();
  const table = document.getElementById("by-kecamatan");
  table.tHead.innerHTML = "<tr><th>Kecamatan</th>" + data.indicators.map(i => `<th>${i.label}</th>`).join("") + "</tr>";
  table.tBodies[0].innerHTML = keys.map(k => "<tr><td>" + (KECAMATAN[k] || k) + "</td>" + data.indicators.map(i => {
    const c = i.cells.find(x => x.key === k);
    return "<td>" + (c ? fmt(i.kind, c.value, c.suppressed) : "0") + "</td>";
  }).join("") + "</tr>").join("");
}

async function renderCharts() {
  const data = await getJSON(`/api/indicators?group_by=period&period=${period.slice(0, 4)}`);
  const box = document.getElementById("charts");
  for (const ind of data.indicators) {
    const cells = ind.cells.filter(c => c.key);
    const labels = cells.map(c => monthLabel(c.key));
    const values = cells.map(c => c.suppressed ? null : c.value);
    if (!charts[ind.indicator]) {
      const wrap = document.createElement("div");
      wrap.className = "chart";
      const canvas = document.createElement("canvas");
      canvas.setAttribute("aria-label", ind.label);
      wrap.appendChild(canvas);
      box.appendChild(wrap);
      charts[ind.indicator] = new Chart(canvas, {
        type: ind.kind === "ratio" ? "line" : "bar",
        data: { labels, datasets: [{ label: ind.label, data: values, backgroundColor: "#b4236b", borderColor: "#b4236b" }] },
        options: { maintainAspectRatio: false, animation: false,
          plugins: { tooltip: { callbacks: { label: ctx => fmt(ind.kind, ctx.parsed.y, ctx.parsed.y === null) } } },
          scales: { y: { beginAtZero: true, ticks: { callback: v => fmtShort(ind.kind, v, false) } } } },
      });
    } else {
      const chart = charts[ind.indicator];
      chart.data.labels = labels;
      chart.data.datasets[0].data = values;
      chart.update();
    }
  }
}

async function renderTargets() {
  const year = Number(period.slice(0, 4));
  document.getElementById("target-year").textContent = year;
  const rows = await getJSON(`/api/targets?year=${year}`);
  document.querySelector("#targets tbody").innerHTML = rows.length ? rows.map(r => {
    const kind = kinds[r.indicator];
    const pct = r.progress === null ? 0 : Math.min(1, r.progress);
    return `<tr><td>${r.label}</td><td>${r.kecamatan_code === "all" ? "Seluruh Kukar" : (KECAMATAN[r.kecamatan_code] || r.kecamatan_code)}</td>
      <td>${fmt(kind, r.target, false)}</td><td>${fmt(kind, r.actual, r.suppressed)}</td>
      <td><div class="progress" title="${r.progress === null ? "—" : percent.format(r.progress)}"><div style="width:${pct * 100}%"></div></div>
      ${r.progress === null ? "—" : percent.format(r.progress)}</td></tr>`;
  }).join("") : `<tr><td colspan="5">Belum ada target untuk tahun ${year}.</td></tr>`;
}

let pending = null;
function refreshDetails() {
  // Tables and charts are heavier than the headline: refresh them at most every 3 seconds.
  if (pending) return;
  pending = setTimeout(async () => {
    pending = null;
    await renderDetails();
  }, 3000);
}

async function renderPeriods() {
  const info = await getJSON("/api/periods");
  const select = document.getElementById("period");
  const chosen = select.value;
  select.innerHTML = info.periods.slice().reverse().map(p => `<option value="${p}">${periodLabel(p)}</option>`).join("");
  if (!period) period = info.default;
  select.value = select.dataset.chosen ? chosen : period;
  document.getElementById("release-info").textContent = info.release_id
    ? `Rilis ke-${info.release_id}, ${dateTime.format(new Date(info.released_at))}` : "Belum ada angka yang dirilis.";
  document.getElementById("export-period").value = period || "";
}

async function renderDetails() {
  await renderPeriods();
  if (!period) return;
  await Promise.all([renderKecamatan(), renderCharts(), renderTargets()]).catch(console.error);
}

document.getElementById("period").addEventListener("change", async ev => {
  ev.target.dataset.chosen = "1";
  period = ev.target.value;
  document.getElementById("export-period").value = period;
  const msg = await getJSON(`/api/indicators?period=${period}&${catalog.filter(i => i.headline).map(i => "indicator=" + i.name).join("&")}`);
  const figures = {};
  for (const i of msg.indicators) figures[i.indicator] = i.cells[0] || {};
  const steps = await getJSON(`/api/funnel?period=${period}`);
  renderHeadline({ period, figures, funnel: steps });
  await renderDetails();
});

function connect() {
  const source = new EventSource("/api/stream");
  const status = document.getElementById("live-status");
  const dot = document.getElementById("live-dot");
  source.addEventListener("open", () => { status.textContent = "Langsung"; dot.classList.add("on"); });
  source.addEventListener("error", () => { status.textContent = "Terputus, mencoba lagi…"; dot.classList.remove("on"); });
  source.addEventListener("headline", ev => { renderHeadline(JSON.parse(ev.data)); refreshDetails(); });
}

document.getElementById("export").addEventListener("submit", ev => {
  ev.preventDefault();
  const form = new FormData(ev.target);
  const params = new URLSearchParams({ format: ev.submitter.value });
  if (form.get("period")) params.set("period", form.get("period"));
  window.location = "/api/export?" + params;
});

(async () => {
  catalog = await getJSON("/api/catalog");
  for (const i of catalog) kinds[i.name] = i.kind;
  renderHeadline(await getJSON("/api/headline"));
  await renderDetails();
  connect();
})();
