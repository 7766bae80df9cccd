// The moderation page: decisions on a reported clip (dismiss, take down, warn, suspend), removing a reported
// comment, and deciding appeals, all through /api/moderation/. A decided group or appeal leaves the page.
import { api } from "./api.js";
import { gettext, showAlert, toast } from "./dom.js";

const queue = document.getElementById("mod-queue");
const appeals = document.getElementById("mod-appeals");

const DONE = {
  dismiss: gettext("Reports dismissed. The reporters were told."),
  take_down: gettext("Taken down. The author and the reporters were told."),
  warn: gettext("The author was warned."),
  suspend: gettext("The author is suspended."),
};

function say(form, message) {
  const status = form.querySelector("[data-slot='status']");
  if (status) status.textContent = message;
}

function leave(item, list, emptyId) {
  item.remove();
  if (!list.querySelector("li")) document.getElementById(emptyId).hidden = false;
}

async function act(button) {
  const group = button.closest(".mod-group");
  const form = group.querySelector(".mod-form");
  const action = button.dataset.act;
  const reason = form.elements.reason.value.trim();
  if (!reason) {
    say(form, gettext("Write the reason first: the author and the reporters are told it."));
    form.elements.reason.focus();
    return;
  }
  const body = { action, reason, post: Number(group.dataset.post) };
  if (button.dataset.comment) {
    body.comment = Number(button.dataset.comment);
    body.reports = [Number(button.dataset.reports)];
  }
  if (action === "suspend") {
    if (!form.elements.until.value) {
      say(form, gettext("Choose the date the suspension ends."));
      form.elements.until.focus();
      return;
    }
    body.until = `${form.elements.until.value}T00:00:00Z`;
  }
  button.disabled = true;
  try {
    await api("/api/moderation/actions", { method: "POST", body });
    if (body.comment) {
      button.closest("li").remove();
      say(form, gettext("Comment removed. Its author and the reporter were told."));
      if (!group.querySelector(".mod-reports li")) leave(group, queue, "queue-empty");
    } else {
      toast(DONE[action]);
      // A take-down answers every report of the clip; other decisions leave the reports of its comments open.
      if (action !== "take_down") group.querySelectorAll(".mod-reports li:not([data-kind='comment'])").forEach((li) => li.remove());
      if (action === "take_down" || !group.querySelector(".mod-reports li")) leave(group, queue, "queue-empty");
      else say(form, DONE[action]);
    }
  } catch (err) {
    say(form, err.message);
    showAlert(err.message);
  } finally {
    button.disabled = false;
  }
}

async function decide(button) {
  const item = button.closest(".mod-appeal");
  const form = item.querySelector(".appeal-form");
  const reason = form.elements.reason.value.trim();
  if (!reason) {
    say(form, gettext("Write the reason first: the member is told it."));
    form.elements.reason.focus();
    return;
  }
  button.disabled = true;
  try {
    await api(`/api/moderation/appeals/${form.dataset.appeal}/decision`, {
      method: "POST",
      body: { decision: button.dataset.decide, reason },
    });
    toast(button.dataset.decide === "grant" ? gettext("Appeal granted: the decision was reversed.") : gettext("Appeal denied."));
    leave(item, appeals, "appeals-empty");
  } catch (err) {
    say(form, err.message);
    showAlert(err.message);
  } finally {
    button.disabled = false;
  }
}

queue.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-act]");
  if (button) act(button);
});
appeals.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-decide]");
  if (button) decide(button);
});
