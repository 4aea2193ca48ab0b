// The day grid of a building. Every free cell is a button of a GET form to the booking
// form (value "place,start,end"), so one click books one slot without this script.
// With it:
// - a range: drag across free cells with a mouse, or choose the first cell and then the
//   last (tap, click, or Enter/Space); the booking form opens with both ends set;
// - the arrow keys move between free cells (one tab stop for the whole grid);
// - the grid opens scrolled to now (or to opening time) with a "now" line;
// - on a phone the grid turns: time down, places across.
(() => {
  const PHONE = window.matchMedia("(max-width: 640px)");

  const parts = (button) => button.value.split(",");
  const placeOf = (button) => parts(button)[0];

  function setUp(form) {
    if (form.dataset.ready) return;
    form.dataset.ready = "true";
    const scroller = form.querySelector(".day-scroll");
    const wide = scroller.querySelector("table");
    const places = [...wide.querySelectorAll("tr[data-place]")].map((row) => row.dataset.place);
    const text = form.querySelector("[data-selection-text]");
    const help = form.querySelector("[data-selection-help]");
    const bookOne = form.querySelector("[data-selection-book]");
    const clear = form.querySelector("[data-selection-clear]");
    let tall = null;
    let anchor = null;
    let drag = null;
    let dragged = false;

    const table = () => (tall && !tall.hidden ? tall : wide);
    const isTall = () => table() === tall;
    const buttonsOf = (place) => [...table().querySelectorAll(`button[value^="${CSS.escape(place)},"]`)];

    // The free cells of one place from a to b, or null when a booking lies between.
    function run(a, b) {
      if (placeOf(a) !== placeOf(b)) return null;
      const all = buttonsOf(placeOf(a));
      let [i, j] = [all.indexOf(a), all.indexOf(b)];
      if (i > j) [i, j] = [j, i];
      const cells = all.slice(i, j + 1);
      for (let k = 1; k < cells.length; k += 1) {
        if (parts(cells[k - 1])[2] !== parts(cells[k])[1]) return null;
      }
      return cells;
    }

    function mark(cells) {
      table().querySelectorAll("button.is-selected").forEach((b) => b.classList.remove("is-selected"));
      cells.forEach((b) => b.classList.add("is-selected"));
    }

    function book(cells) {
      const [place, start] = parts(cells[0]);
      const end = parts(cells[cells.length - 1])[2];
      const url = new URL(form.action, window.location.href);
      url.searchParams.set("slot", `${place},${start},${end}`);
      window.location.assign(url);
    }

    function choose(button) {
      anchor = button;
      mark(button ? [button] : []);
      text.textContent = button ? button.getAttribute("aria-label") : "";
      for (const element of [help, bookOne, clear]) element.hidden = !button;
    }

    // A tap, a click or Enter: the first end of a range, then the last.
    function pick(button) {
      if (anchor && anchor.isConnected) {
        const cells = button === anchor ? [button] : run(anchor, button);
        if (cells) {
          mark(cells);
          book(cells);
          return;
        }
      }
      choose(button);
    }

    form.addEventListener("click", (event) => {
      const button = event.target.closest("button[name=slot]");
      if (!button) return;
      event.preventDefault();
      if (dragged) {
        dragged = false;
        return;
      }
      pick(button);
    });
    bookOne.addEventListener("click", () => anchor && book([anchor]));
    clear.addEventListener("click", () => choose(null));

    // Dragging with a mouse (a finger scrolls the grid instead; it taps both ends).
    form.addEventListener("pointerdown", (event) => {
      const button = event.target.closest("button[name=slot]");
      if (!button || event.pointerType !== "mouse" || event.button !== 0) return;
      drag = { from: button, cells: [button] };
      event.preventDefault(); // no text selection while dragging
      button.focus();
    });
    form.addEventListener("pointerover", (event) => {
      if (!drag) return;
      const button = event.target.closest("button[name=slot]");
      const cells = button && run(drag.from, button);
      if (cells) {
        drag.cells = cells;
        mark(cells);
      }
    });
    document.addEventListener("pointerup", () => {
      if (!drag) return;
      const { cells } = drag;
      drag = null;
      if (cells.length > 1) {
        dragged = true; // the click that follows this release is not a tap
        book(cells);
      }
    });

    // The arrow keys: along the time and across the places, as the grid is laid out.
    function across(button, step) {
      const [place, start] = parts(button);
      for (let i = places.indexOf(place) + step; i >= 0 && i < places.length; i += step) {
        const found = table().querySelector(`button[value^="${CSS.escape(`${places[i]},${start},`)}"]`);
        if (found) return found;
      }
      return null;
    }
    function along(button, step) {
      const all = buttonsOf(placeOf(button));
      return all[all.indexOf(button) + step] || null;
    }
    form.addEventListener("keydown", (event) => {
      const button = event.target.closest("button[name=slot]");
      if (event.key === "Escape" && anchor) {
        choose(null);
        return;
      }
      if (!button) return;
      const time = isTall() ? { ArrowUp: -1, ArrowDown: 1 } : { ArrowLeft: -1, ArrowRight: 1 };
      const place = isTall() ? { ArrowLeft: -1, ArrowRight: 1 } : { ArrowUp: -1, ArrowDown: 1 };
      let next = null;
      if (event.key in time) next = along(button, time[event.key]);
      else if (event.key in place) next = across(button, place[event.key]);
      else return;
      event.preventDefault();
      if (next) focusCell(next);
    });
    function focusCell(button) {
      table().querySelectorAll("button[name=slot][tabindex='0']").forEach((b) => { b.tabIndex = -1; });
      button.tabIndex = 0;
      button.focus();
      button.scrollIntoView({ block: "nearest", inline: "nearest" });
    }

    // One tab stop: the first free cell from now on (UTC instants sort as text).
    function rove() {
      const all = [...table().querySelectorAll("button[name=slot]")];
      all.forEach((b) => { b.tabIndex = -1; });
      const now = form.dataset.nowStart || "";
      const first = all.find((b) => parts(b)[1] >= now) || all[0];
      if (first) first.tabIndex = 0;
    }
    const slotHeads = () => [...wide.querySelectorAll("thead th.slot-head")];

    function nowColumn() {
      const value = form.dataset.nowColumn;
      return value === "" || value === undefined ? null : Number(value);
    }

    // The "now" line, and the first look: at now, else at opening time.
    function placeNow() {
      scroller.querySelectorAll(".now-line").forEach((line) => line.remove());
      const column = nowColumn();
      if (column === null) {
        scroller.scrollLeft = 0;
        scroller.scrollTop = 0;
        return;
      }
      const fraction = Number(form.dataset.nowFraction) || 0;
      const line = document.createElement("div");
      line.className = "now-line";
      line.setAttribute("aria-hidden", "true");
      if (isTall()) {
        const row = tall.tBodies[0].rows[column];
        const top = row.offsetTop + fraction * row.offsetHeight;
        line.classList.add("now-line-across");
        line.style.top = `${top}px`;
        line.style.width = `${tall.offsetWidth}px`;
        scroller.append(line);
        scroller.scrollLeft = 0;
        scroller.scrollTop = Math.max(0, top - tall.tHead.offsetHeight - 24);
      } else {
        const head = slotHeads()[column];
        const left = head.offsetLeft + fraction * head.offsetWidth;
        line.style.left = `${left}px`;
        line.style.height = `${wide.offsetHeight}px`;
        scroller.append(line);
        const corner = wide.querySelector(".day-corner").offsetWidth;
        scroller.scrollTop = 0;
        scroller.scrollLeft = Math.max(0, left - corner - 40);
      }
    }

    // The phone layout: the same cells, time down and places across.
    function buildTall() {
      const turned = document.createElement("table");
      turned.className = "day-table day-table-tall";
      const head = turned.createTHead();
      const groupsRow = head.insertRow();
      const placesRow = head.insertRow();
      const corner = document.createElement("th");
      corner.className = "day-corner";
      corner.scope = "col";
      corner.rowSpan = 2;
      corner.textContent = form.dataset.timeLabel;
      groupsRow.append(corner);
      for (const body of wide.tBodies) {
        const rows = body.querySelectorAll("tr[data-place]");
        const title = document.createElement("th");
        title.scope = "colgroup";
        title.colSpan = rows.length;
        title.className = "group-head";
        title.innerHTML = body.querySelector(".group-head").innerHTML;
        groupsRow.append(title);
        rows.forEach((row) => {
          const label = row.cells[0].cloneNode(true);
          label.scope = "col";
          placesRow.append(label);
        });
      }
      const body = turned.createTBody();
      const lines = slotHeads().map((th) => {
        const line = body.insertRow();
        const label = th.cloneNode(true);
        label.scope = "row";
        line.append(label);
        return line;
      });
      wide.querySelectorAll("tbody tr[data-place]").forEach((row) => {
        let index = 0;
        [...row.cells].slice(1).forEach((cell) => {
          const copy = cell.cloneNode(true);
          if (cell.colSpan > 1) {
            copy.removeAttribute("colspan");
            copy.rowSpan = cell.colSpan;
          }
          lines[index].append(copy);
          index += cell.colSpan;
        });
      });
      return turned;
    }

    function layOut() {
      const phone = PHONE.matches;
      if (phone && !tall) {
        tall = buildTall();
        wide.after(tall);
      }
      if (tall) tall.hidden = !phone;
      wide.hidden = phone;
      scroller.classList.toggle("day-scroll-tall", phone);
      choose(null);
      rove();
      placeNow();
    }
    PHONE.addEventListener("change", layOut);
    layOut();
  }

  function setUpAll(root) {
    root.querySelectorAll("form.day-form").forEach(setUp);
  }
  setUpAll(document);
  // The previous and next days arrive by htmx.
  document.body.addEventListener("htmx:afterSettle", (event) => setUpAll(event.target));
})();
