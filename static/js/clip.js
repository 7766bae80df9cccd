// One clip's card: filling it from a post representation, live counts, like and share.
import { api } from "./api.js";
import { compact, fmt, gettext, h, profileUrl, showAlert, slot, taggedText, toast } from "./dom.js";

export function setCounts(root, counts) {
  for (const el of root.querySelectorAll("[data-count]")) {
    const key = el.dataset.count;
    if (key in counts) el.textContent = compact(counts[key]);
  }
}

export function fillClip(article, post) {
  const handle = `@${post.author.username}`;
  article.dataset.post = post.id;
  article.setAttribute("aria-label", fmt(gettext("Clip by %(handle)s"), { handle }));
  const video = article.querySelector("video");
  video.setAttribute("aria-label", fmt(gettext("Clip by %(handle)s"), { handle }));
  if (post.width && post.height) {
    video.width = post.width;
    video.height = post.height;
  }
  if (post.poster_url) video.dataset.poster = post.poster_url; // set when the clip comes near the screen
  video.preload = "none";
  video.src = post.video_url;
  const author = slot(article, "author");
  author.href = profileUrl(post.author.username);
  author.textContent = handle;
  const remix = slot(article, "remix");
  remix.hidden = !post.remix_of;
  if (post.remix_of) {
    const link = remix.querySelector("a");
    link.href = `/posts/${post.remix_of}/`;
    link.textContent = post.remix_of_author ? `@${post.remix_of_author}` : gettext("a clip that is gone");
  }
  slot(article, "caption").replaceChildren(...taggedText(post.caption || post.prompt || ""));
  slot(article, "reasons").replaceChildren(...(post.reasons || []).map((reason) => h("li", { text: reason })));
  article.querySelector('[data-action="like"]').setAttribute("aria-pressed", String(Boolean(post.liked_by_me)));
  slot(article, "remix-link").href = `/create/?remix_of=${post.id}`;
  slot(article, "open").href = `/posts/${post.id}/`;
  setCounts(article, post);
  return article;
}

export async function toggleLike(button, postId, root) {
  if (button.dataset.busy) return;
  const liked = button.getAttribute("aria-pressed") === "true";
  button.dataset.busy = "1";
  button.setAttribute("aria-pressed", String(!liked));
  try {
    const result = await api(`/api/posts/${postId}/like`, { method: liked ? "DELETE" : "POST" });
    button.setAttribute("aria-pressed", String(result.liked));
    setCounts(root, { like_count: result.like_count });
  } catch (err) {
    button.setAttribute("aria-pressed", String(liked));
    showAlert(err.message);
  } finally {
    delete button.dataset.busy;
  }
}

export async function shareLink(url, title = "A clip on Riff") {
  if (navigator.share) {
    try {
      await navigator.share({ url, title });
      return;
    } catch (err) {
      if (err.name === "AbortError") return;
    }
  }
  try {
    await navigator.clipboard.writeText(url);
    toast(gettext("Link copied"));
  } catch {
    toast(fmt(gettext("Copy this link: %(url)s"), { url }), 10000);
  }
}
