// Marks the body, before the page below it is drawn, for NHS.UK's styles and components:
// "js-enabled" (a script runs), and "nhsuk-frontend-supported" where the browser runs modules,
// as portal.js (which starts the components) is one. Loaded by templates/layout.html.
document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("nhsuk-frontend-supported");
}
