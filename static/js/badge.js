// The unread-notification badge in the top bar.

const badge = document.getElementById("notif-badge");

export function setBadge(count) {
  if (!badge) return;
  const n = Math.max(0, Number(count) || 0);
  badge.dataset.count = String(n);
  badge.firstChild.nodeValue = String(n);
  badge.hidden = n === 0;
}

export function bumpBadge(by = 1) {
  if (badge) setBadge(Number(badge.dataset.count || 0) + by);
}
