// Progressive enhancement of the check-in page (issue 17): one tap marks present without
// reloading, the search box filters as one types, and the counts stay live when several
// tablets check people in. Without JavaScript every button is a plain form POST.
document.addEventListener("DOMContentLoaded", () => {
  const counts = document.getElementById("checkin-counts");
  const errorBox = document.getElementById("checkin-error");
  const list = document.getElementById("checkin-list");
  if (!counts) return;

  function showCounts(data) {
    counts.querySelector("[data-count=present]").textContent = data.present;
    counts.querySelector("[data-count=expected]").textContent = data.expected;
  }

  function showError(message) {
    errorBox.textContent = message || "";
    errorBox.hidden = !message;
  }

  function showPerson(item, present) {
    const form = item.querySelector("form.checkin-toggle");
    item.classList.toggle("is-present", present);
    const state = item.querySelector("[data-state]");
    if (!form) return;
    state.textContent = present ? form.dataset.statePresent : form.dataset.stateAbsent;
    form.querySelector("input[name=present]").value = present ? "0" : "1";
    const button = form.querySelector("button");
    button.classList.toggle("button-secondary", present);
    button.firstChild.textContent = present ? form.dataset.labelUndo : form.dataset.labelPresent;
  }

  for (const form of document.querySelectorAll("form.checkin-toggle")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button");
      button.disabled = true;
      try {
        const response = await fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        const data = await response.json();
        if (!response.ok) {
          showError(data.error);
        } else {
          showError("");
          showPerson(form.closest("li"), data.attended);
        }
        if (data.present !== undefined) showCounts(data);
      } catch {
        form.submit(); // no answer as JSON: fall back to the plain form
      } finally {
        button.disabled = false;
      }
    });
  }

  const search = document.getElementById("zoek");
  const none = document.getElementById("checkin-none");
  if (search && list) {
    search.addEventListener("input", () => {
      const needle = search.value.trim().toLowerCase();
      let shown = 0;
      for (const item of list.children) {
        const match = !needle || item.dataset.search.includes(needle);
        item.hidden = !match;
        if (match) shown += 1;
      }
      if (none) none.hidden = shown > 0;
    });
  }

  const url = counts.dataset.countsUrl;
  if (url) {
    setInterval(async () => {
      if (document.hidden) return;
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (!response.ok) return;
        const data = await response.json();
        showCounts(data);
        const present = new Set(data.present_ids);
        if (list) {
          for (const item of list.children) {
            const id = Number(item.id.replace("aanmelding-", ""));
            if (item.classList.contains("is-present") !== present.has(id)) showPerson(item, present.has(id));
          }
        }
      } catch {
        // offline for a moment: the next round tries again
      }
    }, 15000);
  }
});
