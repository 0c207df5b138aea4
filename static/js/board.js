// Enhancements only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to a form's error summary, so screen readers announce the problems first,
  // for browsers that ignored its autofocus; never take focus back from where the person
  // has already moved it.
  var summary = document.querySelector("[data-error-summary]");
  var unfocused = !document.activeElement || document.activeElement === document.body;
  if (summary && unfocused) {
    summary.focus();
  }
  // Clicking a link in the summary focuses the field itself, not just scrolls to it.
  document.querySelectorAll("[data-error-summary] a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var input = document.getElementById(link.getAttribute("href").slice(1));
      if (input) {
        event.preventDefault();
        input.scrollIntoView({ block: "center" });
        input.focus();
      }
    });
  });
});
