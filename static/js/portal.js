// The portal's own script, loaded as a module on every page: starts the NHS.UK components
// (error summary focus, header menu, buttons, file upload...) and draws the charts. No inline script.
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

initAll();

// Draws every chart on the page from the figure JSON the server put beside it.
function drawCharts() {
  if (!window.Plotly) return;
  document.querySelectorAll("[data-figure-id]").forEach(function (element) {
    var source = document.getElementById(element.dataset.figureId);
    if (!source) return;
    var figure = JSON.parse(source.textContent);
    // No mode bar: its buttons inside a role="img" element are not reachable, and the
    // figures are also given as tables.
    var config = Object.assign({ responsive: true, displayModeBar: false }, figure.config || {});
    window.Plotly.newPlot(element, figure.data, figure.layout, config);
  });
}
window.addEventListener("load", drawCharts);
