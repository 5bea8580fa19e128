// The CSV import's progress bar. Without this script the confirm form posts as usual and the
// server redirects to the result once every row is written; with it, the form is posted with
// fetch, asking for a stream of NDJSON lines: {"done": n, "total": m} after each batch, then
// {"imported": n, "url": ...} or {"error": {"message": ...}, "url": ...}.

const NDJSON = "application/x-ndjson";

function numberText(value) {
  return Number(value).toLocaleString("en-GB");
}

function showProgress(bar, status, done, total) {
  bar.max = Math.max(total, 1);
  bar.value = done;
  bar.textContent = `${numberText(done)} of ${numberText(total)}`;
  status.textContent = `Imported ${numberText(done)} of ${numberText(total)} rows.`;
}

function showError(form, status, message, url) {
  status.textContent = "";
  const text = document.createElement("span");
  text.textContent = `${message} `;
  status.append(text);
  if (url) {
    const link = document.createElement("a");
    link.className = "nhsuk-link";
    link.href = url;
    link.textContent = "Check the file again";
    status.append(link);
  }
  form.querySelector("button").disabled = false;
}

// Each complete line of the body, as it arrives.
async function* lines(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let pending = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    pending += decoder.decode(value, { stream: true });
    const parts = pending.split("\n");
    pending = parts.pop();
    for (const part of parts) if (part.trim()) yield JSON.parse(part);
  }
  pending += decoder.decode();
  if (pending.trim()) yield JSON.parse(pending);
}

async function importWithProgress(form) {
  const panel = document.getElementById("import-progress");
  const bar = panel.querySelector("progress");
  const status = document.getElementById("import-status");
  form.querySelector("button").disabled = true;
  panel.hidden = false;
  status.textContent = "Importing the returns. Stay on this page until they are saved.";
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: NDJSON },
      credentials: "same-origin",
    });
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok || !response.body || !type.startsWith(NDJSON)) {
      throw new Error(`the server answered ${response.status}`);
    }
    for await (const line of lines(response)) {
      if (line.error) {
        showError(form, status, line.error.message, line.url);
        return;
      }
      if (line.imported !== undefined) {
        showProgress(bar, status, line.imported, line.imported);
        status.textContent = `Imported ${numberText(line.imported)} returns. Opening the result.`;
        window.location.assign(line.url);
        return;
      }
      showProgress(bar, status, line.done, line.total);
    }
    throw new Error("the answer ended early");
  } catch {
    showError(
      form,
      status,
      "Sorry, there was a problem following the import. Check your returns before you try again.",
      form.dataset.previewUrl,
    );
  }
}

const form = document.querySelector("form[data-import-progress]");
if (form && window.fetch && window.ReadableStream && window.TextDecoder) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    importWithProgress(form);
  });
}
