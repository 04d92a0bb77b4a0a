// parley: the little script the pages use (the CSP allows only this file, no inline script).
// "Show more" appends the next page of the feed; the toggle stacks the two sides of an event.
"use strict";

function showMore(link) {
  const url = new URL(link.href, window.location.href);
  url.searchParams.set("fragment", "1");
  link.textContent = "Loading…";
  fetch(url, { credentials: "same-origin" })
    .then((response) => {
      if (!response.ok) throw new Error(response.statusText);
      return response.text();
    })
    .then((html) => {
      const doc = new DOMParser().parseFromString(html, "text/html");
      const list = document.getElementById("feed-items");
      const wrap = link.closest(".more-wrap");
      if (wrap) wrap.remove();
      for (const node of Array.from(doc.body.childNodes)) list.appendChild(node);
    })
    .catch(() => { window.location.href = link.href; });
}

document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  if (!target) return;
  const more = target.closest("#feed-items a.more");
  if (more) {
    event.preventDefault();
    showMore(more);
    return;
  }
  const toggle = target.closest("button.toggle-sides");
  if (toggle) {
    const sides = toggle.closest(".event-detail").querySelector(".sides");
    const stacked = sides.classList.toggle("stacked");
    toggle.textContent = stacked ? "Side by side" : "Stack";
  }
});

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button.toggle-sides")) button.hidden = false;
});

// Ingest job page: poll /api/jobs/{id} until the job is done, rebuilding the results
// table from text nodes only (names and reasons are untrusted).
const FINAL_JOB_STATES = ["done", "failed"];

function renderJob(section, status) {
  section.dataset.state = status.state;
  section.querySelector(".state").textContent = status.state;
  const n = status.results.length;
  section.querySelector(".progress").textContent =
    `${n} result${n === 1 ? "" : "s"} for ${status.inputs} input${status.inputs === 1 ? "" : "s"}`;
  section.querySelector(".counts").textContent = Object.keys(status.counts).sort()
    .map((outcome) => `${outcome} ${status.counts[outcome]}`).join(", ");
  const error = section.querySelector(".job-error");
  error.textContent = status.error || "";
  error.hidden = !status.error;
  const rows = section.querySelector("#job-results");
  rows.replaceChildren(...status.results.map((result) => {
    const row = document.createElement("tr");
    row.className = result.outcome;
    const name = document.createElement("td");
    if (result.article_id) {
      const link = document.createElement("a");
      link.href = `/articles/${encodeURIComponent(result.article_id)}`;
      link.textContent = result.name;
      name.appendChild(link);
    } else {
      name.textContent = result.name;
    }
    const outcome = document.createElement("td");
    outcome.textContent = result.outcome;
    const reason = document.createElement("td");
    reason.textContent = result.reason || "";
    row.append(name, outcome, reason);
    return row;
  }));
  const hint = section.querySelector(".hint");
  if (hint) hint.hidden = FINAL_JOB_STATES.includes(status.state);
}

function pollJob(section) {
  const url = `/api/jobs/${encodeURIComponent(section.dataset.job)}`;
  let failures = 0;
  const tick = () => {
    fetch(url, { credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) throw new Error(response.statusText);
        return response.json();
      })
      .then((status) => {
        failures = 0;
        renderJob(section, status);
        if (!FINAL_JOB_STATES.includes(status.state)) window.setTimeout(tick, 700);
      })
      .catch(() => { if (++failures < 10) window.setTimeout(tick, 3000); });
  };
  tick();
}

document.addEventListener("DOMContentLoaded", () => {
  const section = document.getElementById("job");
  if (section && !FINAL_JOB_STATES.includes(section.dataset.state)) pollJob(section);
});
