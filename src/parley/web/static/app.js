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
