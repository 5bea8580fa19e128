// "Add another action" on the visit form. Progressive enhancement: without JavaScript the server
// shows three empty rows (and every filled one); with it, a button adds one more row at a time,
// built from the <template> the server rendered with the same markup, and moves the focus into it.
function start() {
  const container = document.querySelector("[data-add-another]");
  if (!container) return;
  const rows = container.querySelector("[data-add-another-rows]");
  const template = container.querySelector("template[data-add-another-template]");
  if (!rows || !template) return;
  const max = Number.parseInt(container.dataset.addAnotherMax || "20", 10);

  const button = document.createElement("button");
  button.type = "button";
  button.className = "nhsuk-button nhsuk-button--secondary";
  button.textContent = "Add another action";

  const status = document.createElement("p");
  status.className = "nhsuk-u-visually-hidden";
  status.setAttribute("aria-live", "polite");

  function count() {
    return rows.querySelectorAll("[data-add-another-row]").length;
  }

  function nextIndex() {
    let highest = -1;
    rows.querySelectorAll("[name^='actions-']").forEach((input) => {
      const match = /^actions-(\d+)-/.exec(input.name);
      if (match) highest = Math.max(highest, Number.parseInt(match[1], 10));
    });
    return highest + 1;
  }

  function update() {
    button.hidden = count() >= max;
  }

  button.addEventListener("click", () => {
    if (count() >= max) return;
    const index = nextIndex();
    const number = count() + 1;
    const html = template.innerHTML
      .replaceAll("__INDEX__", String(index))
      .replaceAll("__NUMBER__", String(number));
    rows.insertAdjacentHTML("beforeend", html);
    const added = rows.lastElementChild;
    const first = added && added.querySelector("textarea, input");
    if (first) first.focus();
    status.textContent = `Action ${number} added.`;
    update();
  });

  // With the button at hand, one empty row is enough to start with: drop the extra empty rows
  // the server showed for browsers without JavaScript (never a filled row or one with an error).
  let keptEmpty = false;
  rows.querySelectorAll("[data-add-another-row]").forEach((row) => {
    const fields = row.querySelectorAll("input, textarea");
    const empty = Array.from(fields).every((field) => field.value.trim() === "");
    const hasError = row.querySelector(".nhsuk-error-message") !== null;
    if (!empty || hasError) return;
    if (keptEmpty) row.remove();
    keptEmpty = true;
  });

  container.appendChild(button);
  container.appendChild(status);
  update();
}

start();
