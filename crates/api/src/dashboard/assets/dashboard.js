// mailsight dashboard: the only script. Pages work without it; it shows
// every <time> in the browser's own time zone (UTC stays in the tooltip).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    var at = new Date(el.getAttribute("datetime"));
    if (isNaN(at.getTime())) { return; }
    el.title = el.textContent;
    el.textContent = at.toLocaleString();
  });
});
