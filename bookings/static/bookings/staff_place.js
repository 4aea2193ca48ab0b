// The staff booking forms refresh the places offered when a time changes
// (staff_place_fields.html). A place chosen while that refresh was on its way was not
// sent with it, so the answer would silently drop it: keep it if it is still offered,
// else leave the list empty and say that the place is not free at this time.
(() => {
  let chosen = null;
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.target.id !== "place-field") return;
    const select = event.detail.target.querySelector("select[name=place]");
    const sent = event.detail.requestConfig.parameters.get("place") ?? "";
    chosen = select && select.value && select.value !== sent ? select.value : null;
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    const field = event.target;
    if (field.id !== "place-field" || chosen === null) return;
    const select = field.querySelector("select[name=place]");
    const offered = [...select.options].some((option) => option.value === chosen);
    select.value = offered ? chosen : "";
    field.querySelector("[data-place-not-free]").hidden = offered;
    chosen = null;
  });
  // Choosing another place answers the message.
  document.addEventListener("change", (event) => {
    const field = event.target.closest("#place-field");
    if (field && event.target.name === "place") field.querySelector("[data-place-not-free]").hidden = true;
  });
})();
