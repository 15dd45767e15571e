// Progressive enhancement of the subscribe page: "Link kopiëren" buttons copy a feed URL.
// Without JavaScript the buttons stay hidden and the URL is selectable text.
document.addEventListener("DOMContentLoaded", () => {
  if (!navigator.clipboard) return;
  for (const button of document.querySelectorAll("button.copy-link")) {
    const field = document.getElementById(button.dataset.copyTarget);
    if (!field) continue;
    const label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(field.value);
        button.textContent = button.dataset.copied;
      } catch {
        field.select();
      }
      setTimeout(() => { button.textContent = label; }, 2000);
    });
  }
  for (const field of document.querySelectorAll("input.feed-url")) {
    field.addEventListener("focus", () => field.select());
  }
});
