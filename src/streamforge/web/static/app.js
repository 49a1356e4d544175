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
  deployForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const out = document.getElementById("deploy-result");
    const f = deployForm.dataset;
    const body = Object.fromEntries(new FormData(deployForm));
    body.target = f.target;
    body.language = f.language;
    out.hidden = false;
    out.textContent = "Deploying…";
    try {
      const result = await callApi("POST", `/api/pipeline/${f.sector}/deploy`, body);
      out.innerHTML = "";
      const a = Object.assign(document.createElement("a"), { href: result.url, target: "_blank" });
      a.textContent = `${result.created ? "Created" : "Updated"} pipeline ${result.pipeline_id}`;
      out.append(a);
    } catch (err) {
      out.textContent = err.message;
      out.className = "problem";
    }
  });
}

// A select marked data-autosubmit submits its form when changed (no inline handlers: the CSP
// allows scripts from /static only).
for (const element of document.querySelectorAll("[data-autosubmit]")) {
  element.addEventListener("change", () => element.form.submit());
}
