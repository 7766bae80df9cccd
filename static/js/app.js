// Loaded on every page for signed-in people: opens the live connection and lights the notification badge.
import * as live from "./live.js";
import { api } from "./api.js";
import { bumpBadge, setBadge } from "./badge.js";
import { notificationText, toast } from "./dom.js";

live.start();
live.on("notification", (event) => {
  bumpBadge(1);
  toast(notificationText(event));
});

// Notifications sent while the connection was down never arrive: after a reconnection the count is read again.
live.on("socket.open", ({ reconnected }) => {
  if (!reconnected) return;
  api("/api/notifications?page_size=1")
    .then((page) => setBadge(page.unread_count))
    .catch(() => {});
});
