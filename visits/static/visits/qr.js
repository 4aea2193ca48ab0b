// The scan page sends its check-in form as soon as it loads: scanning is the tap
// (the page's GET never acts, so a prefetched or planted link books nothing).
// The QR sheet's print button.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-autosubmit]");
  if (form) form.requestSubmit();
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
});
