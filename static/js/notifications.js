// Notifications: what is shown gets marked read (the badge follows), new ones arrive live at the top.
import { api } from "./api.js";
import * as live from "./live.js";
import { setBadge } from "./badge.js";
import { ago, h, notificationActor, notificationText, showAlert } from "./dom.js";

const list = document.getElementById("notifications");
const empty = document.getElementById("notifications-empty");
const more = document.getElementById("notifications-more");

function avatar(actor) {
  if (actor && actor.avatar_url) return h("img", { class: "avatar", src: actor.avatar_url, alt: "", width: 40, height: 40 });
  return h("span", { class: "avatar", style: "--size: 40px", "aria-hidden": "true", text: actor ? actor.username[0].toUpperCase() : "▶" });
}

function item(n) {
  const actor = notificationActor(n);
  const words = notificationText(n);
  let text = words;
  if (n.post) text = h("a", { href: `/posts/${n.post}/`, text: words });
  else if (actor) text = h("a", { href: `/u/${encodeURIComponent(actor.username)}/`, text: words });
  return h(
    "li",
    { class: `notification${n.read ? "" : " unread"}`, "data-id": n.id },
    avatar(actor),
    h("div", {}, h("p", {}, text), h("p", { class: "help" }, h("time", { datetime: n.created_at, text: ago(n.created_at) }), n.read ? null : " · ", n.read ? null : h("span", { class: "new", text: "new" }))),
  );
}

async function markRead(ids) {
  if (!ids.length) return;
  try {
    const result = await api("/api/notifications/read", { method: "POST", body: { ids } });
    setBadge(result.unread_count);
  } catch (err) {
    showAlert(err.message);
  }
}

live.on("notification", (event) => {
  list.prepend(item({ ...event, read: false, created_at: new Date().toISOString() }));
  empty.hidden = true;
  markRead([event.id]);
});

more.addEventListener("click", async () => {
  more.disabled = true;
  try {
    const page = await api(`/api/notifications?cursor=${encodeURIComponent(list.dataset.next)}`);
    list.append(...page.results.map(item));
    list.dataset.next = page.next || "";
    more.hidden = !page.next;
    markRead(page.results.filter((n) => !n.read).map((n) => n.id));
  } catch (err) {
    showAlert(err.message);
  } finally {
    more.disabled = false;
  }
});

markRead([...list.querySelectorAll("li.unread")].map((li) => Number(li.dataset.id)));
