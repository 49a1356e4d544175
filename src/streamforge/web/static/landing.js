// The landing explorer: a run's tables, newest files, a sample read back, the manifest, verify.
"use strict";

const explorer = document.getElementById("explorer");
const runId = explorer.dataset.run;
let chosen = null; // the table whose files are listed

function cell(row, value, numeric) {
  Object.assign(row.insertCell(), { className: numeric ? "num" : "", textContent: value ?? "—" });
}
function when(iso) { return iso ? iso.replace("T", " ").replace("+00:00", " UTC") : null; }
function counts(byTable) {
  return Object.entries(byTable).map(([t, c]) => `${t}: ${Object.entries(c).map(([k, n]) => `${k} ${n}`).join(", ")}`).join("; ") || "—";
}

async function load() {
  const view = await callApi("GET", `/api/runs/${runId}/landing`);
  const link = document.getElementById("volume-link");
  if (view.volume_link) { link.href = view.volume_link; link.hidden = false; }
  document.getElementById("verify").disabled = !view.can_verify;
  const body = document.querySelector("#tables tbody");
  body.innerHTML = "";
  for (const t of view.tables) {
    const row = body.insertRow();
    row.className = "clickable";
    row.dataset.table = t.name;
    cell(row, t.name); cell(row, t.kind.replace("_", " "));
    cell(row, t.files.toLocaleString(), true); cell(row, t.rows.toLocaleString(), true);
    cell(row, (t.bytes / 1e6).toFixed(2), true); cell(row, when(t.last_write));
    row.addEventListener("click", () => { chosen = t.name; showFiles(t); });
  }
  const current = view.tables.find((t) => t.name === chosen) || view.tables.find((t) => t.files > 0);
  if (current) { chosen = current.name; showFiles(current); }
  const cycles = document.querySelector("#cycles tbody");
  cycles.innerHTML = "";
  for (const c of view.cycles) {
    const row = cycles.insertRow();
    cell(row, c.cycle, true); cell(row, c.files, true); cell(row, c.rows.toLocaleString(), true);
    cell(row, counts(c.anomalies)); cell(row, counts(c.faults));
  }
}

function showFiles(table) {
  document.getElementById("files-of").textContent = table.name;
  const body = document.querySelector("#files tbody");
  body.innerHTML = "";
  for (const f of table.newest) {
    const row = body.insertRow();
    row.className = "clickable";
    cell(row, f.file); cell(row, f.cycle, true); cell(row, (f.rows ?? 0).toLocaleString(), true);
    cell(row, ((f.bytes ?? 0) / 1024).toFixed(1), true); cell(row, when(f.written_at));
    row.addEventListener("click", () => showSample(f.file));
  }
}

async function showSample(file) {
  const data = await callApi("GET", `/api/runs/${runId}/sample?${new URLSearchParams({ file, rows: 20 })}`);
  document.getElementById("sample-of").textContent = file;
  const head = document.querySelector("#sample thead");
  const body = document.querySelector("#sample tbody");
  head.innerHTML = ""; body.innerHTML = "";
  const top = head.insertRow();
  for (const name of data.columns) top.append(Object.assign(document.createElement("th"), { textContent: name }));
  for (const r of data.rows) {
    const row = body.insertRow();
    for (const name of data.columns) {
      const value = r[name];
      cell(row, value !== null && typeof value === "object" ? JSON.stringify(value) : value);
    }
  }
  document.getElementById("sample-card").hidden = false;
}

document.getElementById("refresh").addEventListener("click", load);
document.getElementById("verify").addEventListener("click", async () => {
  const out = document.getElementById("verify-result");
  const list = document.getElementById("findings");
  out.textContent = "Verifying…"; out.className = ""; list.innerHTML = "";
  try {
    const report = await callApi("POST", `/api/runs/${runId}/verify`);
    const rows = Object.values(report.rows).reduce((a, b) => a + b, 0);
    out.textContent = report.ok ? `ok: ${rows.toLocaleString()} rows checked, no findings`
      : `${report.findings.length} findings`;
    out.className = report.ok ? "ok" : "problem";
    for (const f of report.findings.slice(0, 50)) {
      const li = document.createElement("li");
      li.textContent = `${f.table} cycle ${f.cycle}: ${f.message}`;
      list.append(li);
    }
  } catch (err) { out.textContent = err.message; out.className = "problem"; }
});
load();
