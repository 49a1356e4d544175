// Small helpers shared by the pages: sortable tables and JSON calls to the API.
"use strict";

function sortTable(th) {
  const table = th.closest("table");
  const index = Array.from(th.parentNode.children).indexOf(th);
  const ascending = th.dataset.sort !== "asc";
  table.querySelectorAll("th").forEach((h) => delete h.dataset.sort);
  th.dataset.sort = ascending ? "asc" : "desc";
  const body = table.tBodies[0];
  const key = (row) => row.cells[index].textContent.trim();
  const rows = Array.from(body.rows).sort((a, b) => {
    const x = key(a), y = key(b);
    const nx = Number(x), ny = Number(y);
    const cmp = x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y);
    return ascending ? cmp : -cmp;
  });
  body.append(...rows);
}

function bindSortable(root) {
  root.querySelectorAll("table.sortable th").forEach((th) => {
    th.addEventListener("click", () => sortTable(th));
  });
}
bindSortable(document);

async function callApi(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = Array.isArray(data.detail) ? data.detail.map((d) => `${(d.loc || []).slice(-1)[0] || "request"}: ${d.msg}`).join("; ") : data.detail;
    throw new Error(detail || response.statusText);
  }
  return data;
}

const deployForm = document.getElementById("deploy-form");
if (deployForm) {
  const button = document.getElementById("deploy");
  deployForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button.disabled) return; // one deploy at a time
    const out = document.getElementById("deploy-result");
    const f = deployForm.dataset;
    const body = Object.fromEntries(new FormData(deployForm));
    Object.assign(body, { target: f.target, language: f.language, scd: Number(f.scd), format: f.format });
    if (f.run) body.run = f.run;
    if (f.interval) body.interval = Number(f.interval);
    button.disabled = true;
    out.hidden = false;
    out.className = "muted";
    out.textContent = "Deploying: uploading the sources, creating the pipeline, starting its first update…";
    try {
      const result = await callApi("POST", `/api/pipeline/${encodeURIComponent(f.sector)}/deploy`, body);
      out.innerHTML = "";
      out.className = "ok";
      const a = Object.assign(document.createElement("a"), { href: result.url, target: "_blank", rel: "noopener" });
      a.textContent = `${result.created ? "Created" : "Updated"} pipeline ${result.pipeline_id}`;
      out.append(a);
      if (result.update_id) out.append(` · update ${result.update_id} started`);
      if (result.shared_with) out.append(` · shared with ${result.shared_with} (CAN_MANAGE)`);
    } catch (err) {
      out.textContent = err.message;
      out.className = "problem";
    } finally {
      button.disabled = false;
    }
  });
}

// A select marked data-autosubmit submits its form when changed (no inline handlers: the CSP
// allows scripts from /static only).
for (const element of document.querySelectorAll("[data-autosubmit]")) {
  element.addEventListener("change", () => element.form.submit());
}
