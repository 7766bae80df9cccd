// A post's page: the clip (watch time reported), like, share, delete, live counts, comments and the lineage tree.
import { api } from "./api.js";
import * as live from "./live.js";
import { WatchTracker } from "./player.js";
import { setCounts, shareLink, toggleLike } from "./clip.js";
import { Comments } from "./comments.js";
import { drawLineage } from "./lineage.js";
import { fmt, gettext, showAlert } from "./dom.js";

const post = document.getElementById("post");
const postId = Number(post.dataset.post);
const signedIn = Boolean(document.body.dataset.user);

const video = document.getElementById("post-video");
video.addEventListener("error", () => showAlert("This clip could not be played. Reload the page to get a fresh link."));
if (signedIn) {
  const tracker = new WatchTracker(video, postId);
  video.addEventListener("pause", () => tracker.flush());
  document.addEventListener("visibilitychange", () => { if (document.hidden) tracker.flush({ keepalive: true }); });
  window.addEventListener("pagehide", () => tracker.flush({ keepalive: true }));
  live.subscribe(postId);
  live.on("post.counts", (event) => { if (event.post === postId) setCounts(post, event); });
  // Counts that changed while the connection was down are read again after a reconnection.
  live.on("socket.open", ({ reconnected }) => {
    if (reconnected) api(`/api/posts/${postId}`).then((fresh) => setCounts(post, fresh)).catch(() => {});
  });
}

post.addEventListener("click", async (event) => {
  const action = event.target.closest("[data-action]");
  if (!action || action.closest("[data-comments]")) return;
  if (action.dataset.action === "like") toggleLike(action, postId, post);
  else if (action.dataset.action === "share") shareLink(post.dataset.shareUrl);
  else if (action.dataset.action === "delete") {
    if (!confirm(gettext("Delete this clip? It disappears from the feed and from every lineage."))) return;
    try {
      await api(`/api/posts/${postId}`, { method: "DELETE" });
      location.assign(`/u/${encodeURIComponent(document.body.dataset.user)}/`);
    } catch (err) {
      showAlert(err.message);
    }
  }
});

// Reporting the clip (POST /api/posts/<id>/report); the outcome arrives as a notification.
const reportForm = document.getElementById("report-form");
if (reportForm) {
  reportForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = document.getElementById("report-status");
    const button = reportForm.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await api(`/api/posts/${postId}/report`, {
        method: "POST",
        body: { kind: reportForm.elements.kind.value, reason: reportForm.elements.reason.value },
      });
      reportForm.elements.reason.value = "";
      status.textContent = gettext("Thank you. A moderator will look at it, and you will be told the outcome.");
    } catch (err) {
      status.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  });
}

new Comments(post.querySelector("[data-comments]")).open(postId);

const lineage = document.getElementById("lineage");
api(`/api/posts/${postId}/lineage?depth=3`)
  .then((data) => drawLineage(lineage, data))
  .catch((err) => showAlert(fmt(gettext("The remix lineage could not be loaded: %(reason)s"), { reason: err.message })));
