// The Run page: start and stop runs through the JSON API, poll the selected run's status.
"use strict";

const form = document.getElementById("run-form");
const select = document.getElementById("run-select");
const stopButton = document.getElementById("stop");
const removeButton = document.getElementById("remove");
let current = null;
let nextCycleAt = null; // epoch seconds of the selected run's next cycle, for the countdown
let filledFor = null; // the run whose settings the form shows

function show(id, visible) { document.getElementById(id).hidden = !visible; }
function text(id, value) { document.getElementById(id).textContent = value; }

async function refreshList(preferred) {
  const runs = await callApi("GET", "/api/runs");
  select.innerHTML = "";
  for (const run of runs) {
    const option = new Option(`${run.sector} → ${run.destination} (${run.state})`, run.id);
    select.append(option);
  }
  const keep = runs.find((r) => r.id === (preferred || current)) || runs.find((r) => r.active) || runs[0];
  current = keep ? keep.id : null;
  if (current) select.value = current;
  select.hidden = runs.length < 2;
  return keep;
}

function drawChart(history) {
  const svg = document.getElementById("chart");
  if (history.length < 1) { svg.innerHTML = ""; return; }
  const maxT = Math.max(...history.map((p) => p[0]), 1);
  const maxR = Math.max(...history.map((p) => p[1]), 1);
  const points = [[0, 0], ...history].map(([t, r]) => `${(600 * t) / maxT},${135 - (130 * r) / maxR}`);
  svg.innerHTML = `<polyline points="${points.join(" ")}" />`;
  text("chart-max", `${maxR.toLocaleString()} rows after ${maxT.toFixed(0)} s`);
}

function render(run) {
  show("no-run", !run);
  show("status", !!run);
  stopButton.disabled = !run || !run.active;
  removeButton.hidden = !run || run.active;
  if (!run) return;
  if (filledFor !== run.id) fillForm(run);
  text("s-state", run.state);
  text("s-cycle", run.cycle);
  text("s-rows", run.rows.toLocaleString());
  nextCycleAt = run.next_cycle_at;
  tick();
  text("s-rate", run.rows_per_s != null ? Math.round(run.rows_per_s).toLocaleString() : "—");
  text("s-mbps", run.mb_per_s != null ? run.mb_per_s.toFixed(2) : "—");
  text("s-sector", `${run.sector}, ${run.format}, every ${run.interval} s`);
  text("s-dest", run.destination);
  document.getElementById("s-explore").href = `/runs/${run.id}/landing`;
  show("s-resumed", run.resumed);
  show("s-error", !!run.last_error);
  text("s-error", run.last_error || "");
  document.getElementById("s-state").className = `state-${run.state}`;
  const body = document.getElementById("s-tables");
  body.innerHTML = "";
  for (const [name, t] of Object.entries(run.tables)) {
    const row = body.insertRow();
    row.insertCell().textContent = name;
    Object.assign(row.insertCell(), { className: "num", textContent: t.rows.toLocaleString() });
    Object.assign(row.insertCell(), { className: "num", textContent: t.files });
    Object.assign(row.insertCell(), { className: "num", textContent: (t.bytes / 1e6).toFixed(2) });
  }
  const events = document.getElementById("s-events");
  events.innerHTML = "";
  for (const [time, what] of run.events.slice(-8).reverse()) {
    const li = document.createElement("li");
    li.innerHTML = `<span class="muted"></span> `;
    li.firstChild.textContent = time;
    li.append(what);
    events.append(li);
  }
  drawChart(run.history);
}

async function poll() {
  try {
    if (current) render(await callApi("GET", `/api/runs/${current}`));
    else render(await refreshList());
  } catch (err) { /* the server restarted: the next poll finds out */ }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const body = {
    sector: data.get("sector"), destination: data.get("destination"), format: data.get("format"),
    interval: Number(data.get("interval")), seed: Number(data.get("seed")),
    scale: Number(data.get("scale")), fresh: data.get("fresh") === "on",
  };
  show("form-error", false);
  if (body.fresh && !confirm(
    `Start over deletes every table folder and the checkpoint StreamForge wrote in ${body.destination}. Continue?`
  )) return;
  try {
    const run = await callApi("POST", "/api/runs", body);
    await refreshList(run.id);
    render(run);
  } catch (err) {
    text("form-error", err.message);
    show("form-error", true);
  }
});

stopButton.addEventListener("click", async () => {
  stopButton.disabled = true;
  render(await callApi("POST", `/api/runs/${current}/stop`));
  await refreshList(current);
});

select.addEventListener("change", () => { current = select.value; poll(); });

removeButton.addEventListener("click", async () => {
  if (!confirm("Remove this run from the list? Its files stay where they are.")) return;
  await callApi("DELETE", `/api/runs/${current}`);
  current = null;
  render(await refreshList());
});

// The form shows the selected run's settings, so a reload or a restart keeps them.
function fillForm(run) {
  filledFor = run.id;
  const set = (name, value) => { form.elements[name].value = value; };
  set("sector", run.sector);
  set("destination", run.requested_destination || run.destination);
  set("format", run.format);
  set("interval", run.interval);
  set("seed", run.seed);
  set("scale", run.scale);
  form.elements.fresh.checked = false;
  showEstimate();
}

// A countdown that moves every 200 ms between polls, from the server's due time.
function tick() {
  if (nextCycleAt == null) { text("s-next", "—"); return; }
  const left = Math.max(0, nextCycleAt - Date.now() / 1000);
  text("s-next", `${left.toFixed(1)} s`);
}
setInterval(tick, 200);

// What the run will write, before Start: rows and MB for the dimensions, then per cycle.
function megabytes(bytes) { return (bytes / 1048576).toLocaleString(undefined, { maximumFractionDigits: 1 }); }
let estimateTimer = null;
async function showEstimate() {
  const data = new FormData(form);
  const query = new URLSearchParams({ format: data.get("format"), scale: data.get("scale"), seed: data.get("seed") });
  try {
    const e = await callApi("GET", `/api/sectors/${encodeURIComponent(data.get("sector"))}/estimate?${query}`);
    text("estimate", `About ${e.dimension_rows.toLocaleString()} rows (${megabytes(e.dimension_bytes)} MB) of dimensions once, `
      + `then ${e.cycle_rows.toLocaleString()} rows (${megabytes(e.cycle_bytes)} MB) every cycle`
      + (e.peak_cycle_rows > e.cycle_rows
        ? ` on average, up to ${e.peak_cycle_rows.toLocaleString()} rows (${megabytes(e.peak_cycle_bytes)} MB) in the busiest.`
        : "."));
  } catch (err) { text("estimate", err.message); }
}
form.addEventListener("input", () => { clearTimeout(estimateTimer); estimateTimer = setTimeout(showEstimate, 300); });
showEstimate();
refreshList().then(render);
setInterval(poll, 1000);

// Scenario controls: rates and a burst for the next cycles; the manifest records them per file.
const scenarioForm = document.getElementById("scenario-form");
scenarioForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!current) return;
  const body = {};
  for (const [name, value] of new FormData(scenarioForm)) {
    if (value !== "") body[name] = Number(value);
  }
  try {
    render(await callApi("PUT", `/api/runs/${current}/scenario`, body));
  } catch (err) {
    text("s-error", err.message);
    show("s-error", true);
  }
});
