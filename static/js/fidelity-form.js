// The review form's running total and band, updated as scores are chosen. Progressive
// enhancement: the server writes the same sentence on every render, so without JavaScript the
// form still shows the total as it was last saved or checked. The bands come from the page
// (data-bands), which takes them from training/fidelity.py: the scale lives in one place.
const ITEMS = 25;

function runningText(scores, bands, labels) {
  const scored = scores.length;
  const sum = scores.reduce((total, score) => total + score, 0);
  if (scored < ITEMS) {
    return `Running total: ${sum} from ${scored} of ${ITEMS} items scored. ` +
      `The band shows when all ${ITEMS} items are scored.`;
  }
  let band = "";
  for (const [slug, [low, high]] of Object.entries(bands)) {
    if (sum >= low && sum <= high) band = labels[slug] || slug;
  }
  return `Total: ${sum} of 125 (all ${ITEMS} items scored). Band: ${band}.`;
}

function start() {
  const panel = document.querySelector("[data-fidelity-total]");
  const output = document.getElementById("running-total");
  if (!panel || !output) return;
  const form = panel.closest("form");
  const bands = JSON.parse(panel.dataset.bands);
  const labels = JSON.parse(panel.dataset.bandLabels);

  function update() {
    const scores = [];
    for (let item = 1; item <= ITEMS; item += 1) {
      const chosen = form.querySelector(`input[type=radio][name="score_${item}"]:checked`);
      const score = chosen ? Number.parseInt(chosen.value, 10) : NaN;
      if (score >= 1 && score <= 5) scores.push(score);
    }
    const text = runningText(scores, bands, labels);
    if (output.textContent.trim() !== text) output.textContent = text;
  }

  form.addEventListener("change", (event) => {
    if (event.target.matches('input[type=radio][name^="score_"]')) update();
  });
  update();
}

start();
