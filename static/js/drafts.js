// Drafts: your private clips. Generations in progress update live; a ready draft can be published or deleted, and
// ready drafts can be stitched into one clip (picked in the order they will play).
import { api } from "./api.js";
import * as live from "./live.js";
import { fmt, gettext, h, showAlert, slot, toast } from "./dom.js";

const list = document.getElementById("drafts");
const empty = document.getElementById("drafts-empty");
const more = document.getElementById("drafts-more");
const template = document.getElementById("draft-template");
const HIDDEN_DRAFTS = new Set(["published", "discarded"]);

function listed(job) {
  return !HIDDEN_DRAFTS.has(job.draft) && job.status !== "cancelled";
}

function stateText(job, progress = job.progress) {
  switch (job.status) {
    case "succeeded": return `${gettext("Ready")} · ${Math.round(job.duration_s)} s · ${job.aspect}`;
    case "failed": return `${gettext("Failed:")} ${job.error}`;
    case "running": return `${gettext("Generating…")} ${Math.round(progress * 100)} %`;
    default: return gettext("Waiting in line…");
  }
}

function short(text, length) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function fill(item, job) {
  item.dataset.job = job.id;
  item.dataset.status = job.status;
  item.dataset.draft = job.draft;
  const open = slot(item, "open");
  open.href = `/drafts/${job.id}/`;
  open.replaceChildren(job.poster_url
    ? h("img", { src: job.poster_url, alt: "", width: 90, height: 160 })
    : h("span", { class: "thumb-empty", "aria-hidden": "true" }));
  const prompt = slot(item, "prompt");
  prompt.href = `/drafts/${job.id}/`;
  prompt.textContent = short(job.prompt, 120);
  slot(item, "state").textContent = stateText(job);
  slot(item, "actions").hidden = job.draft !== "ready";
  return item;
}

function itemFor(id) {
  return list.querySelector(`li[data-job="${id}"]`);
}

function updateEmpty() {
  empty.hidden = list.children.length > 0;
}

async function reload(id) {
  try {
    const job = await api(`/api/generations/${id}`);
    const item = itemFor(id);
    if (!listed(job)) item?.remove();
    else if (item) fill(item, job);
    else list.prepend(fill(template.content.firstElementChild.cloneNode(true), job));
    updateEmpty();
    showPicks();
  } catch (err) {
    showAlert(err.message);
  }
}

live.on("job.progress", (event) => {
  const item = itemFor(event.job);
  if (!item || item.dataset.status === "succeeded") return;
  item.dataset.status = "running";
  slot(item, "state").textContent = `${gettext("Generating…")} ${Math.round(event.progress * 100)} %`;
});
live.on("job.status", (event) => reload(event.job));

const stitchBar = document.getElementById("stitch-bar");
const stitchCount = document.getElementById("stitch-count");
const stitchGo = document.getElementById("stitch-go");
let picked = []; // draft ids in the order they were picked

function showPicks() {
  picked = picked.filter((id) => itemFor(id)?.dataset.draft === "ready");
  for (const item of list.querySelectorAll("li.draft")) {
    const at = picked.indexOf(item.dataset.job);
    const box = item.querySelector('input[data-action="pick"]');
    if (box) box.checked = at >= 0;
    const order = slot(item, "order");
    if (order) order.textContent = at >= 0 ? `#${at + 1}` : "";
  }
  stitchBar.hidden = list.querySelectorAll('li.draft[data-draft="ready"]').length < 2;
  stitchGo.disabled = picked.length < 2;
  stitchCount.textContent = picked.length < 2
    ? gettext("Pick two or more drafts to join, in the order they will play.")
    : fmt(gettext("%(count)s drafts picked, in this order: %(order)s."), { count: picked.length, order: picked.map((_, i) => `#${i + 1}`).join(", ") });
}

list.addEventListener("change", (event) => {
  const box = event.target.closest('input[data-action="pick"]');
  if (!box) return;
  const id = box.closest("li.draft").dataset.job;
  picked = box.checked ? [...picked.filter((p) => p !== id), id] : picked.filter((p) => p !== id);
  showPicks();
});

stitchGo.addEventListener("click", async () => {
  stitchGo.disabled = true;
  const transition = document.getElementById("stitch-transition").value;
  try {
    const job = await api("/api/generations", {
      method: "POST",
      body: { kind: "stitch", sources: picked.map((id, i) => ({ draft: Number(id), transition: i ? transition : "cut" })) },
    });
    location.assign(`/create/?job=${job.id}`);
  } catch (err) {
    showAlert(err.message);
    stitchGo.disabled = false;
  }
});

list.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const item = button.closest("li.draft");
  const id = item.dataset.job;
  button.disabled = true;
  try {
    if (button.dataset.action === "publish") {
      const post = await api(`/api/generations/${id}/publish`, { method: "POST", body: { caption: "" } });
      location.assign(`/posts/${post.id}/`);
      return;
    }
    if (!confirm(gettext("Delete this draft? It is deleted for good."))) return;
    await api(`/api/generations/${id}`, { method: "DELETE" });
    item.remove();
    updateEmpty();
    showPicks();
    toast(gettext("Draft deleted"));
  } catch (err) {
    showAlert(err.message);
  } finally {
    button.disabled = false;
  }
});

more.addEventListener("click", async () => {
  more.disabled = true;
  try {
    const page = await api(`/api/generations?page_size=20&cursor=${encodeURIComponent(list.dataset.next)}`);
    for (const job of page.results) {
      if (listed(job) && !itemFor(job.id)) list.append(fill(template.content.firstElementChild.cloneNode(true), job));
    }
    list.dataset.next = page.next || "";
    more.hidden = !page.next;
    updateEmpty();
    showPicks();
  } catch (err) {
    showAlert(err.message);
  } finally {
    more.disabled = false;
  }
});

// After a (re)connection, anything that was in progress is read again: events may have been missed meanwhile.
live.onOpen(() => {
  for (const item of list.querySelectorAll('li[data-status="queued"], li[data-status="running"]')) reload(item.dataset.job);
});

showPicks();
