// The table editor: CodeMirror with validate's findings at their lines while you type, the charts
// and preview regenerated from the edited text (not saved), Save and New table when allowed.
"use strict";

const pageBox = document.getElementById("editor-page");
const { sector, table } = pageBox.dataset;
const base = `/sectors/${encodeURIComponent(sector)}/tables/${encodeURIComponent(table)}`;
const stateText = (value) => { document.getElementById("edit-state").textContent = value; };
let previewTimer = null;
let lastValid = null;

function showIssues(issues, others) {
  const list = document.getElementById("edit-issues");
  list.innerHTML = "";
  for (const issue of [...issues.map((i) => [i.severity, i.text]), ...others.map((t) => ["error", t])]) {
    const li = document.createElement("li");
    li.className = issue[0];
    li.textContent = issue[1];
    list.append(li);
  }
}

async function lint(text, updateLinting, _options, cm) {
  let result;
  try {
    result = await callApi("POST", `/api${base}/check`, { text });
  } catch (err) {
    stateText(err.message);
    return;
  }
  const marks = result.issues.map((i) => {
    const line = Math.max(0, Math.min(cm.lineCount() - 1, (i.line || 1) - 1));
    return {
      from: CodeMirror.Pos(line, 0),
      to: CodeMirror.Pos(line, cm.getLine(line).length),
      message: i.hint ? `${i.message} (${i.hint})` : i.message,
      severity: i.severity === "error" ? "error" : "warning", // a note shows as a warning
    };
  });
  updateLinting(cm, marks);
  showIssues(result.issues, result.other_files);
  lastValid = result.valid;
  stateText(result.valid ? "valid" : `${result.issues.length} problem(s)`);
  if (result.valid) { clearTimeout(previewTimer); previewTimer = setTimeout(() => preview(text), 200); }
}

async function preview(text) {
  const box = document.getElementById("edit-preview");
  const response = await fetch(`${base}/edit/preview`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text }),
  });
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    const detail = Array.isArray(data.detail) ? data.detail.map((d) => d.text || d.msg).join("; ") : data.detail;
    stateText(detail || response.statusText);
    return;
  }
  box.innerHTML = await response.text(); // rendered by the server's templates, escaped there
  bindSortable(box);
  box.dataset.text = text;
}

const editor = CodeMirror.fromTextArea(document.getElementById("yaml"), {
  mode: "yaml",
  lineNumbers: true,
  indentUnit: 2,
  tabSize: 2,
  extraKeys: { Tab: (cm) => cm.replaceSelection("  ") }, // YAML indents with spaces
  gutters: ["CodeMirror-lint-markers"],
  lint: { getAnnotations: lint, async: true, delay: 400 },
});
window.streamforgeEditor = editor; // for tests and the console
// Measure again once the page's fonts and grid have settled (the gutter width depends on them).
window.addEventListener("load", () => editor.refresh());
document.fonts?.ready.then(() => editor.refresh());

const saveButton = document.getElementById("save");
if (saveButton) {
  saveButton.addEventListener("click", async () => {
    try {
      const result = await callApi("PUT", `/api${base}`, { text: editor.getValue() });
      stateText(`saved ${result.saved}`);
    } catch (err) { stateText(err.message); }
  });
}

const newTable = document.getElementById("new-table");
if (newTable) {
  newTable.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = Object.fromEntries(new FormData(newTable));
    try {
      const made = await callApi("POST", `/api/sectors/${encodeURIComponent(sector)}/tables`, body);
      window.location.href = `/sectors/${encodeURIComponent(sector)}/tables/${made.table}/edit`;
    } catch (err) { stateText(err.message); }
  });
}
