// Changing the start keeps the duration: the end moves with it (booking and search
// forms, marked data-keep-duration). Delegated, so forms htmx swaps in keep it.
(() => {
  const minutes = (value) => {
    const match = /^(\d{2}):(\d{2})/.exec(value || "");
    return match ? Number(match[1]) * 60 + Number(match[2]) : null;
  };
  const clock = (total) => {
    const day = ((total % 1440) + 1440) % 1440;
    return `${String(Math.floor(day / 60)).padStart(2, "0")}:${String(day % 60).padStart(2, "0")}`;
  };
  const field = (event) => event.target.closest("[data-keep-duration] input[name=start_time]");
  document.addEventListener("focusin", (event) => {
    const start = field(event);
    if (start) start.dataset.before = start.value;
  });
  document.addEventListener("change", (event) => {
    const start = field(event);
    if (!start) return;
    const end = start.form.querySelector("input[name=end_time]");
    const before = minutes(start.dataset.before);
    const after = minutes(start.value);
    const until = minutes(end && end.value);
    start.dataset.before = start.value;
    if (before === null || after === null || until === null) return;
    const length = (until - before + 1440) % 1440 || 1440;
    end.value = clock(after + length);
  }, true);
})();
