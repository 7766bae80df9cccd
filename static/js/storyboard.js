// The composer's storyboard editor: shots in order, each with what happens, its length, its framing and how it
// begins; add, move and remove them, with a running total against the limit. While a storyboard is made, each
// shot's line in the job box says whether it is waiting, being made or done (job.progress events name the shot).
import { fmt, gettext, h, ngettext, slot } from "./dom.js";

const $ = (id) => document.getElementById(id);
const box = $("storyboard");
const list = $("shots");
const total = $("shots-total");
const template = $("shot-template");
const jobShots = $("job-shots");
const LIMIT = Number(box.dataset.limit);
const MAX_SHOTS = Number(box.dataset.maxShots);
const FRAMING = { wide: gettext("wide"), medium: gettext("medium"), close_up: gettext("close-up"), over_the_shoulder: gettext("over the shoulder"), follow: gettext("follow the subject") };
const STATES = { waiting: gettext("waiting"), making: gettext("making…"), done: gettext("done"), missed: gettext("not made") };

let changed = () => {};

function seconds(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

// Numbers, labels and button names follow the order after every change, so each control says which shot it is.
function renumber() {
  const items = [...list.children];
  items.forEach((item, index) => {
    const n = index + 1;
    slot(item, "title").textContent = fmt(gettext("Shot %(n)s"), { n });
    for (const field of item.querySelectorAll("[data-field]")) field.id = `shot-${n}-${field.dataset.field}`;
    for (const label of item.querySelectorAll("label[data-for]")) label.htmlFor = `shot-${n}-${label.dataset.for}`;
    const [up, down, remove] = item.querySelectorAll("[data-action]");
    up.setAttribute("aria-label", fmt(gettext("Move shot %(n)s up"), { n }));
    down.setAttribute("aria-label", fmt(gettext("Move shot %(n)s down"), { n }));
    remove.setAttribute("aria-label", fmt(gettext("Remove shot %(n)s"), { n }));
    up.disabled = index === 0;
    down.disabled = index === items.length - 1;
    remove.disabled = items.length === 1;
    slot(item, "transition").hidden = index === 0;
  });
  $("shot-add").disabled = items.length >= MAX_SHOTS;
  updateTotal();
}

function updateTotal() {
  const sum = shots().reduce((acc, shot) => acc + (Number.isFinite(shot.duration_s) ? shot.duration_s : 0), 0);
  const count = list.children.length;
  total.textContent = fmt(ngettext("%(count)s shot · %(sum)s s of %(limit)s s", "%(count)s shots · %(sum)s s of %(limit)s s", count), { count, sum: seconds(sum), limit: seconds(LIMIT) });
  total.classList.toggle("over", sum > LIMIT);
  changed();
}

function addShot(values = {}, { focus = false } = {}) {
  const item = template.content.firstElementChild.cloneNode(true);
  for (const field of item.querySelectorAll("[data-field]")) {
    if (values[field.dataset.field] != null) field.value = values[field.dataset.field];
  }
  list.append(item);
  renumber();
  if (focus) item.querySelector('[data-field="prompt"]').focus();
}

export function shots() {
  return [...list.children].map((item) => {
    const field = (name) => item.querySelector(`[data-field="${name}"]`).value;
    return {
      prompt: field("prompt").trim(),
      duration_s: Number(field("duration_s")),
      framing: field("framing"),
      transition: field("transition"),
    };
  });
}

// A readable problem with the shots (and the field to fix), or null when they can be sent.
export function problem() {
  const all = shots();
  for (const [index, shot] of all.entries()) {
    const item = list.children[index];
    if (!shot.prompt) return { message: fmt(gettext("Shot %(n)s: write what happens in it."), { n: index + 1 }), field: item.querySelector('[data-field="prompt"]') };
    if (!(shot.duration_s >= 1 && shot.duration_s <= LIMIT)) {
      return { message: fmt(gettext("Shot %(n)s: a shot lasts between 1 and %(limit)s seconds."), { n: index + 1, limit: seconds(LIMIT) }), field: item.querySelector('[data-field="duration_s"]') };
    }
  }
  const sum = all.reduce((acc, shot) => acc + shot.duration_s, 0);
  if (sum > LIMIT) return { message: fmt(gettext("A storyboard lasts at most %(limit)s seconds; these shots add up to %(sum)s."), { limit: seconds(LIMIT), sum: seconds(sum) }), field: null };
  return null;
}

export function setup({ onChange }) {
  changed = onChange;
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const item = button.closest("li.shot");
    const action = button.dataset.action;
    if (action === "up" && item.previousElementSibling) item.previousElementSibling.before(item);
    else if (action === "down" && item.nextElementSibling) item.nextElementSibling.after(item);
    else if (action === "remove" && list.children.length > 1) {
      const next = item.nextElementSibling || item.previousElementSibling;
      item.remove();
      renumber();
      next.querySelector('[data-field="prompt"]').focus();
      return;
    }
    renumber();
    // The moved shot keeps the focus, on the same button where it still can move that way.
    const again = item.querySelector(`[data-action="${action}"]`);
    (again.disabled ? item.querySelector('[data-field="prompt"]') : again).focus();
  });
  list.addEventListener("input", updateTotal);
  $("shot-add").addEventListener("click", () => addShot({}, { focus: true }));
  addShot();
}

export function restore(saved) {
  list.replaceChildren();
  for (const shot of saved) addShot(shot);
}

export function reset() {
  restore([{}]);
}

// The job box's list of shots: "waiting", "making…" or "done" for each, from the shot being made.
export function showJobShots(job, current = null) {
  const storyboard = job && job.kind === "storyboard" && Array.isArray(job.shots);
  jobShots.hidden = !storyboard;
  if (!storyboard) return;
  const finished = job.status === "succeeded";
  const running = job.status === "running" || job.status === "queued";
  jobShots.replaceChildren(...job.shots.map((shot, index) => {
    let state = "waiting";
    if (finished || (current !== null && index < current)) state = "done";
    else if (running && current === index) state = "making";
    else if (!running) state = "missed";
    const name = fmt(gettext("Shot %(n)s · %(seconds)s s · %(framing)s"),
      { n: index + 1, seconds: seconds(shot.duration_s), framing: FRAMING[shot.framing] || shot.framing });
    return h("li", { class: `job-shot ${state === "making" ? "active" : ""}`, "data-state": state },
      h("span", { class: "job-shot-name", text: name }),
      h("span", { class: "job-shot-state", text: STATES[state] }));
  }));
}
