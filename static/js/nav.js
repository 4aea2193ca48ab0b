// Phone navigation: the sections (and the staff links) fold behind a menu button.
// The class on <html> is set before the page paints, so nothing jumps; without
// this script the links simply wrap onto more lines.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".menu-toggle[aria-controls]").forEach((button) => {
    const menu = document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) return;
    button.hidden = false;
    const set = (open) => {
      button.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("is-open", open);
    };
    button.addEventListener("click", () => set(button.getAttribute("aria-expanded") !== "true"));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        set(false);
        button.focus();
      }
    });
  });
});
