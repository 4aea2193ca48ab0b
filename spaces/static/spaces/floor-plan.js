/* Floor plans on the member pages (spaces/includes/floor_plan.html).
 *
 * The plans work without this script; it makes them better:
 * - keeps every desk marker the same size on screen (a 48 px target, text that reads)
 *   however wide the plan is drawn: the SVG scales the image to fit the width;
 * - shows a desk's details (state, until when, amenities) on hover or keyboard focus;
 * - switches between the plan and the list of desks, remembered on this device;
 * - shows the plan for another time as soon as one is picked.
 * Loaded again after each htmx swap of the results; sections already set up are skipped.
 * No inline script or style: it works under the site's Content Security Policy.
 */
(function () {
  "use strict";

  var WIDTH = 1000; // viewBox units across every plan
  var KEY = "floor-plan-view";

  function storedView() {
    try {
      return window.localStorage.getItem(KEY) === "list" ? "list" : "plan";
    } catch (error) {
      return "plan";
    }
  }

  function storeView(view) {
    try {
      window.localStorage.setItem(KEY, view);
    } catch (error) {
      /* private mode: the choice lasts for this page only */
    }
  }

  function sizeMarkers(svg) {
    var width = svg.getBoundingClientRect().width;
    if (!width) return;
    var scale = WIDTH / width; // viewBox units per CSS pixel
    svg.querySelectorAll(".plan-spot-body").forEach(function (body) {
      body.setAttribute("transform", "scale(" + scale.toFixed(4) + ")");
    });
  }

  function showView(section, view) {
    var body = section.querySelector("[data-plan-body]");
    body.hidden = view === "list";
    section.querySelectorAll("[data-view]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-view") === view));
    });
    // On the find page the free desks of a room with a plan are also listed as tiles:
    // with the plan on show, its tiles would only repeat it.
    var planned = {};
    section.querySelectorAll("figure[data-room]").forEach(function (figure) {
      planned[figure.getAttribute("data-room")] = true;
    });
    var scope = section.parentElement;
    scope.querySelectorAll('[data-testid="desk-group"]').forEach(function (group) {
      var title = group.querySelector("h3");
      if (title && planned[title.textContent.trim()]) group.hidden = view === "plan";
    });
    if (view === "plan") section.querySelectorAll(".plan-svg").forEach(sizeMarkers);
  }

  function tooltip(figure) {
    var tip = document.createElement("div");
    tip.className = "plan-tip";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    figure.querySelector(".plan-frame").appendChild(tip);
    var frame = figure.querySelector(".plan-frame");

    function show(spot) {
      var lines = [spot.getAttribute("aria-label")];
      tip.textContent = "";
      var title = document.createElement("strong");
      title.textContent = lines[0].split(":")[0];
      var detail = document.createElement("span");
      detail.textContent = lines[0].slice(title.textContent.length + 1).trim();
      tip.appendChild(title);
      tip.appendChild(detail);
      tip.hidden = false;
      var box = spot.getBoundingClientRect();
      var outer = frame.getBoundingClientRect();
      var left = box.left + box.width / 2 - outer.left;
      var maxLeft = outer.width - tip.offsetWidth / 2 - 4;
      left = Math.max(tip.offsetWidth / 2 + 4, Math.min(left, maxLeft));
      tip.style.left = left + "px";
      var above = box.top - outer.top - tip.offsetHeight - 8;
      tip.style.top = (above >= 0 ? above : box.bottom - outer.top + 8) + "px";
    }

    function hide() {
      tip.hidden = true;
    }

    figure.querySelectorAll(".plan-spot").forEach(function (spot) {
      spot.addEventListener("pointerenter", function (event) {
        if (event.pointerType === "mouse") show(spot);
      });
      spot.addEventListener("pointerleave", hide);
      spot.addEventListener("focus", function () {
        show(spot);
      });
      spot.addEventListener("blur", hide);
    });
  }

  function setup(section) {
    if (section.hasAttribute("data-ready")) return;
    section.setAttribute("data-ready", "");
    var toggle = section.querySelector("[data-view-toggle]");
    toggle.hidden = false;
    toggle.querySelectorAll("[data-view]").forEach(function (button) {
      button.addEventListener("click", function () {
        var view = button.getAttribute("data-view");
        storeView(view);
        showView(section, view);
      });
    });
    var picker = section.querySelector("[data-plan-time]");
    if (picker) {
      // The time is shown as soon as it is picked; the button is for pages without script.
      picker.querySelector("[data-plan-time-submit]").hidden = true;
      picker.querySelector("select").addEventListener("change", function () {
        picker.submit();
      });
    }
    section.querySelectorAll("figure[data-room]").forEach(tooltip);
    section.querySelectorAll(".plan-svg").forEach(function (svg) {
      sizeMarkers(svg);
      if (window.ResizeObserver) new ResizeObserver(function () { sizeMarkers(svg); }).observe(svg);
    });
    showView(section, storedView());
  }

  function start() {
    document.querySelectorAll("[data-floor-plans]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  // htmx runs this file again with each swap that brings a plan: listen once.
  if (!window.floorPlansListening) {
    window.floorPlansListening = true;
    document.addEventListener("htmx:afterSettle", start);
  }
})();
