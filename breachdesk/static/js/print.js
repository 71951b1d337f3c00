// Buttons marked data-print print the page (no inline script: the CSP forbids it).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
