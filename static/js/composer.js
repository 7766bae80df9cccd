// The composer: write a prompt (or a storyboard of shots), start a generation, follow it live (job.progress /
// job.status on the websocket, shot by shot for a storyboard), cancel it, then preview the draft with sound and
// publish or discard it. The job id goes into the URL, so a
// reload shows the job's true state (read from the API), and every (re)connection of the socket re-reads it.
import { api, requestKey } from "./api.js";
import * as live from "./live.js";
import { clearAlert, fmt, gettext, showAlert } from "./dom.js";
import { castVoices, resetCast, watchCast } from "./cast.js";
import * as storyboard from "./storyboard.js";

const ACTIVE = new Set(["queued", "running"]);
const $ = (id) => document.getElementById(id);
const compose = $("compose");
const form = $("compose-form");
const jobBox = $("job");
const draftBox = $("draft");
const bar = $("job-progress");
const percent = $("job-percent");
const state = $("job-state");
const cancelButton = $("job-cancel");
const again = $("job-again");
const draftVideo = $("draft-video");
const publishForm = $("publish-form");

let job = JSON.parse($("job-data").textContent);
let shown = job ? job.progress : 0;
let key = null;
let pollTimer = 0;
// The job was followed on this page (not opened already finished): its draft is brought into view when ready.
let watchedLive = Boolean(job && ACTIVE.has(job.status));
let currentShot = null; // the storyboard shot being made, from job.progress events

function storyboardMode() {
  return form.elements.mode.value === "storyboard";
}

// One shot: a prompt and a duration. Storyboard: the shots, whose prompts also stand in the (hidden) prompt field so
// the voices picker casts every shot's lines.
function applyMode() {
  const board = storyboardMode();
  $("single-fields").hidden = board;
  $("duration-field").hidden = board;
  $("storyboard").hidden = !board;
  if (board) syncPrompt();
}

function syncPrompt() {
  if (!storyboardMode()) return;
  form.elements.prompt.value = storyboard.shots().map((shot) => shot.prompt).join("\n");
  form.dispatchEvent(new Event("input"));
}

function setProgress(progress, { allowBack = false } = {}) {
  const value = Math.max(0, Math.min(1, Number(progress) || 0));
  shown = allowBack ? value : Math.max(shown, value);
  const pct = Math.round(shown * 100);
  bar.value = pct;
  bar.setAttribute("aria-valuetext", `${pct} %`);
  percent.textContent = `${pct} %`;
}

function stateText(j) {
  switch (j.status) {
    case "queued": return j.attempts > 0 ? gettext("Retrying: waiting for a worker…") : gettext("Waiting in line…");
    case "running": return j.cancel_requested ? gettext("Cancelling…") : gettext("Generating…");
    case "succeeded":
      if (j.draft === "published") return gettext("Published.");
      if (j.draft === "discarded") return j.error ? fmt(gettext("This draft was deleted: %(reason)s"), { reason: j.error }) : gettext("This draft was discarded.");
      return gettext("Done. Watch it with sound, then publish it or discard it.");
    case "failed": return gettext("This generation failed.");
    case "cancelled": return j.error ? fmt(gettext("Cancelled: %(reason)s"), { reason: j.error }) : gettext("Cancelled.");
    default: return j.status;
  }
}

function fillForm(j) {
  if (j.kind === "storyboard") {
    form.elements.mode.value = "storyboard";
    storyboard.restore(j.shots);
    form.elements.aspect.value = j.aspect;
    applyMode();
    return;
  }
  form.elements.prompt.value = j.prompt;
  form.elements.duration_s.value = String(Math.round(j.duration_s));
  form.elements.aspect.value = j.aspect;
}

function render() {
  if (!job) return;
  const active = ACTIVE.has(job.status);
  jobBox.hidden = false;
  $("job-prompt").textContent = `“${job.prompt}”`;
  if (job.status === "succeeded") setProgress(1);
  else setProgress(job.progress, { allowBack: job.status === "queued" });
  state.textContent = stateText(job);
  storyboard.showJobShots(job, currentShot);
  cancelButton.hidden = !active;
  cancelButton.disabled = Boolean(job.cancel_requested);
  again.hidden = active;
  if (job.status === "failed") showAlert(job.error || gettext("The generation failed. Try again."));
  // After a failure or a cancel the form comes back with the same settings, ready to try again.
  const retry = job.status === "failed" || job.status === "cancelled";
  compose.hidden = !retry;
  if (retry && !form.elements.prompt.value.trim()) fillForm(job);
  const ready = job.status === "succeeded" && job.draft === "ready" && job.video_url;
  draftBox.hidden = !ready;
  showUnderstood(ready ? job.backend_meta : null);
  if (ready && draftVideo.dataset.job !== String(job.id)) {
    draftVideo.dataset.job = String(job.id);
    const frame = $("draft-frame");
    const [w, h] = job.aspect.split(":");
    frame.style.setProperty("--w", w);
    frame.style.setProperty("--h", h);
    if (job.poster_url) draftVideo.poster = job.poster_url;
    $("extend").href = `/create/?extend_of=${job.id}`;
    draftVideo.src = job.video_url;
    if (watchedLive) draftBox.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }
  if (job.draft === "published" && job.post_id) {
    state.replaceChildren(`${gettext("Published.")} `);
    const link = document.createElement("a");
    link.href = `/posts/${job.post_id}/`;
    link.textContent = gettext("Open the clip");
    state.append(link);
  }
  schedulePoll();
}

// What the preview understood of the prompt, and the words it did not (backend_meta): so a prompt can be
// reworded before the clip is published.
function showUnderstood(meta) {
  const box = $("understood");
  const seen = meta && meta.understood;
  box.hidden = !seen;
  if (!seen) return;
  const words = (name) => name.replaceAll("_", " ");
  const things = [words(seen.place), ...Object.entries(seen.subjects).map(([kind, n]) => (n > 1 ? `${n} × ${words(kind)}` : words(kind))),
    ...Object.keys(seen.actions || {}).map(words), ...seen.props.map(words), ...seen.labelled.map((label) => `“${label}”`)];
  let text = fmt(gettext("In the clip: %(things)s (style: %(style)s)."), { things: things.join(", "), style: words(seen.style) });
  if (meta.not_understood && meta.not_understood.length) {
    text += " " + fmt(gettext("Not understood: %(words)s."), { words: meta.not_understood.join(", ") });
  }
  box.textContent = text;
}

// Background re-reads (polling, reconnection) stay quiet while the server cannot be reached: they try again.
async function refresh({ quiet = false } = {}) {
  if (!job) return;
  try {
    job = await api(`/api/generations/${job.id}`);
    render();
  } catch (err) {
    if (!(quiet && err.code === "network")) showAlert(err.message);
    if (quiet) schedulePoll();
  }
}

// The socket is the fast path; while it is down, an active job is re-read every few seconds instead.
function schedulePoll() {
  clearTimeout(pollTimer);
  if (job && ACTIVE.has(job.status)) {
    pollTimer = setTimeout(() => {
      if (!live.isOpen()) refresh({ quiet: true });
      else schedulePoll();
    }, 3000);
  }
}

live.on("job.progress", (event) => {
  if (!job || event.job !== job.id || !ACTIVE.has(job.status)) return;
  if (job.status === "queued") {
    job.status = "running";
    state.textContent = stateText(job);
  }
  setProgress(event.progress);
  if (event.shot != null && event.shot !== currentShot) {
    currentShot = event.shot;
    storyboard.showJobShots(job, currentShot);
  }
});

live.on("job.status", (event) => {
  if (!job || event.job !== job.id) return;
  if (ACTIVE.has(event.status)) {
    job = { ...job, status: event.status, progress: event.progress, attempts: event.attempts };
    render();
  } else refresh(); // finished: read the job for its draft URLs or its error
});

live.onOpen(() => refresh({ quiet: true }));

// The draft's URL is signed and expires (an hour): if it no longer loads, read the job again for a fresh one.
draftVideo.addEventListener("error", () => {
  if (!job || draftVideo.dataset.retried === String(job.id)) {
    showAlert(gettext("The draft could not be played. Reload the page to try again."));
    return;
  }
  draftVideo.dataset.retried = String(job.id);
  draftVideo.removeAttribute("data-job");
  refresh();
});

form.addEventListener("input", () => { key = null; });
storyboard.setup({ onChange: syncPrompt });
for (const radio of form.querySelectorAll('input[name="mode"]')) radio.addEventListener("change", applyMode);
watchCast(form);
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearAlert();
  const data = form.elements;
  const prompt = data.prompt.value.trim();
  const board = storyboardMode();
  const trouble = board ? storyboard.problem() : null;
  if (trouble) {
    showAlert(trouble.message);
    trouble.field?.focus();
    return;
  }
  if (!board && !prompt) {
    showAlert(gettext("Write a prompt: describe the clip you want."));
    data.prompt.focus();
    return;
  }
  const body = {
    aspect: data.aspect.value,
    cameos: [...form.querySelectorAll('input[name="cameos"]:checked')].map((box) => Number(box.value)),
    prompt_public: !data.prompt_private.checked,
    idempotency_key: (key = key || requestKey()),
    voices: castVoices(),
  };
  if (board) Object.assign(body, { kind: "storyboard", shots: storyboard.shots() });
  else Object.assign(body, { prompt, duration_s: Number(data.duration_s.value) });
  if (data.remix_of.value) body.remix_of = Number(data.remix_of.value);
  if (data.extend_of.value) body.extend_of = Number(data.extend_of.value);
  if (data.kind.value && !board) body.kind = data.kind.value;
  if (data.seed.value !== "") body.seed = Number(data.seed.value);
  if (data.style.value) body.style = data.style.value;
  const button = $("generate");
  button.disabled = true;
  button.textContent = gettext("Starting…");
  try {
    job = await api("/api/generations", { method: "POST", body });
    key = null;
    watchedLive = true;
    shown = 0;
    currentShot = null;
    draftVideo.removeAttribute("data-job");
    history.replaceState(null, "", `/create/?job=${job.id}`);
    form.reset();
    storyboard.reset();
    applyMode();
    resetCast();
    render();
  } catch (err) {
    showAlert(err.message);
  } finally {
    button.disabled = false;
    button.textContent = gettext("Generate");
  }
});

cancelButton.addEventListener("click", async () => {
  cancelButton.disabled = true;
  try {
    job = await api(`/api/generations/${job.id}/cancel`, { method: "POST" });
    render();
  } catch (err) {
    cancelButton.disabled = false;
    showAlert(err.message);
    refresh();
  }
});

publishForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearAlert();
  const button = $("publish");
  button.disabled = true;
  try {
    const post = await api(`/api/generations/${job.id}/publish`, {
      method: "POST",
      body: { caption: publishForm.elements.caption.value.trim(), visibility: publishForm.elements.visibility.value },
    });
    location.assign(`/posts/${post.id}/`);
  } catch (err) {
    button.disabled = false;
    showAlert(err.message);
    refresh();
  }
});

$("discard").addEventListener("click", async () => {
  if (!confirm(gettext("Discard this draft? It is deleted for good."))) return;
  try {
    await api(`/api/generations/${job.id}`, { method: "DELETE" });
    draftVideo.removeAttribute("src");
    draftVideo.load();
    await refresh();
  } catch (err) {
    showAlert(err.message);
  }
});

render();
