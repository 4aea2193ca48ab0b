// Keeps the elapsed time of an open visit current: every <time data-elapsed="seconds">
// (seconds as the server counted them when it rendered the page) ticks every 30 s.
// Counting from the server's figure, not the visitor's clock, keeps a wrong clock harmless.
// Without JavaScript the server-rendered text simply stays as it was.
(function () {
  "use strict";
  var loaded = new WeakMap();

  function render(element) {
    if (!loaded.has(element)) {
      loaded.set(element, Date.now() - Number(element.dataset.elapsed) * 1000);
    }
    var minutes = Math.max(0, Math.floor((Date.now() - loaded.get(element)) / 60000));
    var hours = Math.floor(minutes / 60);
    var rest = minutes % 60;
    element.textContent = hours
      ? element.dataset.formatHours.replace("{h}", hours).replace("{m}", (rest < 10 ? "0" : "") + rest)
      : element.dataset.formatMinutes.replace("{m}", rest);
  }

  function tick() {
    document.querySelectorAll("time[data-elapsed]").forEach(render);
  }

  tick();
  setInterval(tick, 30000);
  // A card swapped in by htmx starts ticking from its own server figure.
  document.addEventListener("htmx:afterSettle", tick);
})();
