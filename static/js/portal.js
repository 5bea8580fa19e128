// The portal's own script, loaded as a module on every page: starts the NHS.UK components
// (error summary focus, header menu, buttons...) and draws the charts. No inline script.
import {
  Button,
  CharacterCount,
  Checkboxes,
  ErrorSummary,
  Header,
  NotificationBanner,
  PasswordInput,
  Radios,
  SkipLink,
  Tabs,
  createAll,
} from "../vendor/nhsuk/nhsuk-frontend.min.js";

// Every component we use but FileUpload: its enhanced drop button fails axe's
// label-content-name-mismatch (serious), and the plain file input it replaces is accessible.
var COMPONENTS = [
  Button,
  CharacterCount,
  Checkboxes,
  ErrorSummary,
  Header,
  NotificationBanner,
  PasswordInput,
  Radios,
  SkipLink,
  Tabs,
];
COMPONENTS.forEach(function (Component) {
  createAll(Component);
});

// Draws the charts as soon as this module runs, not at the load event. A module is deferred: it
// runs once the page is parsed and its stylesheets are in, after the deferred Plotly bundle that
// base.html puts before it. The charts on the first screen are drawn at once; the others one
// per task after them, so that no long task holds up the page; all of them before printing.
function drawCharts() {
  if (!window.Plotly) return;
  var charts = Array.prototype.slice.call(document.querySelectorAll("[data-figure-id]"));
  var later = charts.filter(function (element) {
    if (element.getBoundingClientRect().top > window.innerHeight) return true;
    drawChart(element);
    return false;
  });
  function drawNext() {
    if (!later.length) return;
    drawChart(later.shift());
    setTimeout(drawNext, 0);
  }
  setTimeout(drawNext, 0);
  window.addEventListener("beforeprint", function () {
    later.splice(0).forEach(drawChart);
  });
}

// Draws one chart from the figure JSON the server put beside it.
function drawChart(element) {
  var source = document.getElementById(element.dataset.figureId);
  if (!source) return;
  var figure = JSON.parse(source.textContent);
  // No mode bar: its buttons inside a role="img" element are not reachable, and the
  // figures are also given as tables.
  var config = Object.assign({ responsive: true, displayModeBar: false }, figure.config || {});
  // A map's outlines come from our static folder (data-topojson-url), never from Plotly's CDN.
  if (element.dataset.topojsonUrl) config.topojsonURL = element.dataset.topojsonUrl;
  window.Plotly.newPlot(element, figure.data, figure.layout, config).then(function () {
    if (element.dataset.pointLinks !== undefined) openPointLinks(element);
  });
}

// A click on a point whose customdata is one of our pages' paths opens that page (the map).
function openPointLinks(element) {
  element.on("plotly_click", function (event) {
    var point = event.points && event.points[0];
    var path = point && point.customdata;
    if (typeof path === "string" && path.charAt(0) === "/" && path.charAt(1) !== "/") {
      window.location.assign(path);
    }
  });
}
drawCharts();
