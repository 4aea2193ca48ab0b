/* The floor plan editor on a room's admin page.
 *
 * Each desk row of the desk list below gets a marker on the plan. Dragging a marker (mouse,
 * pen or touch) or moving it with the arrow keys writes its position into the row's
 * "plan x" / "plan y" inputs as fractions of the plan's width and height, so the positions
 * are validated and saved with the desks by the admin's own Save. Desks not on the plan
 * wait in a tray below it; dropping a desk there clears its inputs.
 * No inline script or style: it works under the site's Content Security Policy.
 */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var WIDTH = 1000; // viewBox units across the plan, whatever the image's size
  var RADIUS_PX = 18; // marker radius on screen
  var STEP = 0.01;
  var BIG_STEP = 0.05;

  function round(value) {
    return Math.round(value * 10000) / 10000;
  }

  function clamp(value) {
    return Math.min(1, Math.max(0, value));
  }

  function deskRows(form) {
    var rows = [];
    form.querySelectorAll('input[name$="-plan_x"]').forEach(function (xInput) {
      var prefix = xInput.name.slice(0, -"-plan_x".length);
      if (prefix.indexOf("__prefix__") !== -1) return;
      var label = form.querySelector('[name="' + prefix + '-label"]');
      var yInput = form.querySelector('[name="' + prefix + '-plan_y"]');
      if (!label || !yInput || !label.value.trim()) return;
      rows.push({ label: label.value.trim(), x: xInput, y: yInput });
    });
    return rows;
  }

  function position(row) {
    var x = parseFloat(row.x.value);
    var y = parseFloat(row.y.value);
    if (isNaN(x) || isNaN(y) || x < 0 || x > 1 || y < 0 || y > 1) return null;
    return { x: x, y: y };
  }

  function setup(editor) {
    var svg = editor.querySelector("svg");
    var form = editor.closest("form");
    if (!svg || !form) return;
    var planHeight = parseFloat(svg.getAttribute("data-plan-height"));
    var onPlan = svg.getAttribute("data-on-plan");
    var offPlan = svg.getAttribute("data-off-plan");
    var rows = deskRows(form);
    var tray = document.createElementNS(SVG, "g");
    var trayBack = document.createElementNS(SVG, "rect");
    var trayText = document.createElementNS(SVG, "text");
    trayBack.setAttribute("class", "pe-tray");
    trayText.setAttribute("class", "pe-tray-label");
    trayText.textContent = svg.getAttribute("data-tray-label");
    tray.appendChild(trayBack);
    tray.appendChild(trayText);
    svg.appendChild(tray);

    var markers = rows.map(function (row) {
      var group = document.createElementNS(SVG, "g");
      var circle = document.createElementNS(SVG, "circle");
      var text = document.createElementNS(SVG, "text");
      group.setAttribute("class", "pe-marker");
      group.setAttribute("tabindex", "0");
      group.setAttribute("role", "button");
      group.setAttribute("data-label", row.label);
      text.textContent = row.label;
      text.setAttribute("text-anchor", "middle");
      text.setAttribute("dominant-baseline", "central");
      group.appendChild(circle);
      group.appendChild(text);
      svg.appendChild(group);
      return { row: row, group: group, circle: circle, text: text };
    });

    var unitsPerPx = 1;
    var trayCells = [];

    function layout() {
      var width = svg.getBoundingClientRect().width || WIDTH;
      unitsPerPx = WIDTH / width;
      var cell = 48 * unitsPerPx;
      var perRow = Math.max(1, Math.floor((WIDTH - cell / 2) / cell));
      var rowsNeeded = Math.max(1, Math.ceil(markers.length / perRow));
      var labelHeight = 28 * unitsPerPx;
      var trayHeight = labelHeight + rowsNeeded * cell;
      svg.setAttribute("viewBox", "0 0 " + WIDTH + " " + (planHeight + trayHeight));
      trayBack.setAttribute("x", 0);
      trayBack.setAttribute("y", planHeight);
      trayBack.setAttribute("width", WIDTH);
      trayBack.setAttribute("height", trayHeight);
      trayText.setAttribute("x", 12 * unitsPerPx);
      trayText.setAttribute("y", planHeight + 19 * unitsPerPx);
      trayText.setAttribute("font-size", 13 * unitsPerPx);
      trayCells = markers.map(function (_marker, index) {
        return {
          x: cell / 2 + (index % perRow) * cell + 4 * unitsPerPx,
          y: planHeight + labelHeight + cell / 2 + Math.floor(index / perRow) * cell,
        };
      });
      markers.forEach(function (marker, index) {
        marker.circle.setAttribute("r", RADIUS_PX * unitsPerPx);
        marker.text.setAttribute("font-size", (marker.row.label.length > 4 ? 10 : 12) * unitsPerPx);
        draw(marker, index);
      });
    }

    function draw(marker, index) {
      var place = position(marker.row);
      var x, y;
      if (place) {
        x = place.x * WIDTH;
        y = place.y * planHeight;
      } else {
        x = trayCells[index].x;
        y = trayCells[index].y;
      }
      marker.group.setAttribute("transform", "translate(" + x + " " + y + ")");
      marker.group.classList.toggle("is-placed", !!place);
      marker.group.setAttribute("aria-label", marker.row.label + ": " + (place ? onPlan : offPlan));
      var title = place ? Math.round(place.x * 100) + "%, " + Math.round(place.y * 100) + "%" : offPlan;
      marker.group.setAttribute("data-position", title);
    }

    function write(marker, place) {
      marker.row.x.value = place ? round(place.x) : "";
      marker.row.y.value = place ? round(place.y) : "";
      [marker.row.x, marker.row.y].forEach(function (input) {
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
      draw(marker, markers.indexOf(marker));
    }

    function svgPoint(event) {
      var point = svg.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      return point.matrixTransform(svg.getScreenCTM().inverse());
    }

    markers.forEach(function (marker) {
      var dragging = false;
      marker.group.addEventListener("pointerdown", function (event) {
        if (event.button !== undefined && event.button !== 0) return;
        dragging = true;
        marker.group.setPointerCapture(event.pointerId);
        marker.group.classList.add("is-dragging");
        marker.group.focus();
        event.preventDefault();
      });
      marker.group.addEventListener("pointermove", function (event) {
        if (!dragging) return;
        var point = svgPoint(event);
        marker.group.setAttribute("transform", "translate(" + point.x + " " + point.y + ")");
      });
      function drop(event) {
        if (!dragging) return;
        dragging = false;
        marker.group.classList.remove("is-dragging");
        var point = svgPoint(event);
        var inside = point.x >= 0 && point.x <= WIDTH && point.y >= 0 && point.y <= planHeight;
        write(marker, inside ? { x: clamp(point.x / WIDTH), y: clamp(point.y / planHeight) } : null);
      }
      marker.group.addEventListener("pointerup", drop);
      marker.group.addEventListener("pointercancel", function () {
        dragging = false;
        marker.group.classList.remove("is-dragging");
        draw(marker, markers.indexOf(marker));
      });
      marker.group.addEventListener("keydown", function (event) {
        var moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
        if (event.key === "Delete" || event.key === "Backspace") {
          write(marker, null);
          event.preventDefault();
          return;
        }
        var move = moves[event.key];
        if (!move) return;
        var step = event.shiftKey ? BIG_STEP : STEP;
        var place = position(marker.row) || { x: 0.5, y: 0.5 };
        if (position(marker.row)) {
          place = { x: clamp(place.x + move[0] * step), y: clamp(place.y + move[1] * step) };
        }
        write(marker, place);
        event.preventDefault();
      });
      [marker.row.x, marker.row.y].forEach(function (input) {
        input.addEventListener("input", function () {
          draw(marker, markers.indexOf(marker));
        });
      });
    });

    layout();
    var lastWidth = svg.getBoundingClientRect().width;
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        var width = svg.getBoundingClientRect().width;
        if (width !== lastWidth) {
          lastWidth = width;
          layout();
        }
      }).observe(svg);
    } else {
      window.addEventListener("resize", layout);
    }
  }

  function start() {
    document.querySelectorAll("[data-plan-editor]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
