// The feed: full-screen clips that snap one per screen, the three tabs, endless scrolling, likes, the comment
// sheet, share, the "new posts" banner (feed.new_posts) and live counts (post.counts) for the clip on screen.
import { api } from "./api.js";
import * as live from "./live.js";
import { FeedPlayer } from "./player.js";
import { fillClip, setCounts, shareLink, toggleLike } from "./clip.js";
import { Comments } from "./comments.js";
import { clearAlert, gettext, showAlert, toast } from "./dom.js";

const clips = document.getElementById("clips");
const list = document.getElementById("clip-list");
const template = document.getElementById("clip-template");
const empty = document.getElementById("feed-empty");
const end = document.getElementById("feed-end");
const banner = document.getElementById("new-posts");
const sheet = document.getElementById("comments-sheet");
const comments = new Comments(sheet.querySelector("[data-comments]"));
const player = new FeedPlayer(clips);
const pageSize = clips.dataset.pageSize || "6";
const fresh = new Set();

let tab = clips.dataset.tab;
let next = clips.dataset.next || null;
let loading = false;
let generation = 0;

function articles() {
  return list.querySelectorAll("article.clip");
}

function fetchPage(cursor) {
  const params = new URLSearchParams({ tab, page_size: pageSize });
  if (cursor) params.set("cursor", cursor);
  return api(`/api/feed?${params}`);
}

// Members under 18: the feed answers with break_reminder once today's watching reaches their daily limit.
const breakBanner = document.getElementById("break-reminder");
let breakDismissed = false;

function showBreak(reminder) {
  if (!reminder || !reminder.due || breakDismissed) return;
  breakBanner.querySelector("[data-slot='watched']").textContent = String(Math.round(reminder.watched_today_min));
  breakBanner.hidden = false;
}

breakBanner.addEventListener("click", (event) => {
  if (!event.target.closest("[data-action='dismiss-break']")) return;
  breakDismissed = true;
  breakBanner.hidden = true;
});

function append(posts) {
  const known = new Set([...articles()].map((a) => a.dataset.post));
  for (const post of posts) {
    if (known.has(String(post.id))) continue;
    const article = fillClip(template.content.firstElementChild.cloneNode(true), post);
    player.syncButtons(article);
    list.append(article);
    player.observe(article);
  }
  empty.hidden = articles().length > 0;
}

async function loadMore() {
  if (!next || loading) return;
  loading = true;
  const mine = generation;
  try {
    const page = await fetchPage(next);
    if (mine !== generation) return;
    showBreak(page.break_reminder);
    append(page.results);
    next = page.next;
  } catch (err) {
    showAlert(err.message);
  } finally {
    loading = false;
  }
}

async function showTab(name, { push = false } = {}) {
  const mine = ++generation;
  tab = name;
  clips.dataset.tab = name;
  for (const link of document.querySelectorAll(".tabs a[data-tab]")) {
    if (link.dataset.tab === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const url = `${location.pathname}?tab=${name}`;
  if (push) history.pushState({ tab: name }, "", url);
  else history.replaceState({ tab: name }, "", url);
  list.setAttribute("aria-busy", "true");
  try {
    const page = await fetchPage(null);
    if (mine !== generation) return;
    showBreak(page.break_reminder);
    clearAlert();
    player.reset();
    articles().forEach((article) => article.remove());
    next = page.next;
    append(page.results);
    clips.scrollTop = 0;
  } catch (err) {
    showAlert(err.message);
  } finally {
    list.removeAttribute("aria-busy");
  }
}

// Endless scrolling: a sentinel after the last clip fetches the next page well before it is reached.
const endObserver = new IntersectionObserver((entries) => {
  if (entries.some((entry) => entry.isIntersecting)) loadMore();
}, { root: clips, rootMargin: "0px 0px 200% 0px" });
endObserver.observe(end);
articles().forEach((article) => player.observe(article));

document.querySelector(".tabs").addEventListener("click", (event) => {
  const link = event.target.closest("a[data-tab]");
  if (!link || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  if (link.dataset.tab !== tab) showTab(link.dataset.tab, { push: true });
});
window.addEventListener("popstate", () => {
  const name = new URLSearchParams(location.search).get("tab") || "for_you";
  if (name !== tab) showTab(name);
});

clips.addEventListener("click", (event) => {
  const article = event.target.closest("article.clip");
  if (!article) return;
  const postId = Number(article.dataset.post);
  const action = event.target.closest("[data-action]");
  if (!action) {
    if (event.target.closest(".clip-media")) player.toggleMute(); // a tap on the picture: sound on or off
    return;
  }
  switch (action.dataset.action) {
    case "sound":
      player.toggleMute();
      break;
    case "like":
      toggleLike(action, postId, article);
      break;
    case "comments":
      sheet.showModal();
      comments.open(postId);
      break;
    case "share":
      shareLink(new URL(`/posts/${postId}/`, location.origin).href);
      break;
  }
});

sheet.addEventListener("click", (event) => {
  if (event.target === sheet || event.target.closest('[data-action="close"]')) sheet.close();
});

// New clips from people you follow: a banner that brings them in (Latest stays on Latest, otherwise Following).
live.on("feed.new_posts", (event) => {
  fresh.add(event.post);
  banner.textContent = `${gettext("New posts")} · ${fresh.size}`;
  banner.hidden = false;
});
banner.addEventListener("click", async () => {
  banner.hidden = true;
  fresh.clear();
  await showTab(tab === "latest" ? "latest" : "following", { push: tab !== "latest" && tab !== "following" });
  const first = clips.querySelector("article.clip");
  if (first) first.querySelector("[data-slot='open']").focus({ preventScroll: true });
});

live.on("post.counts", (event) => {
  for (const article of clips.querySelectorAll(`article.clip[data-post="${event.post}"]`)) setCounts(article, event);
});

// Steering: what the person wants more or less of, saved with PUT /api/feed/preferences.
const steer = document.getElementById("steer-form");
const steerStatus = document.getElementById("steer-status");
steer.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = steer.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const saved = await api("/api/feed/preferences", { method: "PUT", body: { text: steer.elements.text.value } });
    const parts = [];
    if (saved.more_terms.length) parts.push(`${gettext("More:")} ${saved.more_terms.join(", ")}.`);
    if (saved.less_terms.length) parts.push(`${gettext("Less:")} ${saved.less_terms.join(", ")}.`);
    steerStatus.textContent = parts.length ? `${gettext("Saved.")} ${parts.join(" ")}` : gettext("Saved. Your feed is back to its usual mix.");
    toast(gettext("Your For you feed now follows what you wrote."));
    if (tab === "for_you") showTab("for_you");
  } catch (err) {
    steerStatus.textContent = err.message;
    showAlert(err.message);
  } finally {
    button.disabled = false;
  }
});
