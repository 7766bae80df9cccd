// Decisions about me: appeal one (once) with POST /api/moderation/actions/<id>/appeal.
import { api } from "./api.js";
import { fmt, gettext, h, showAlert } from "./dom.js";

document.getElementById("my-decisions").addEventListener("submit", async (event) => {
  const form = event.target.closest("form.appeal-form");
  if (!form) return;
  event.preventDefault();
  const status = form.querySelector("[data-slot='status']");
  const text = form.elements.text.value.trim();
  if (!text) {
    status.textContent = gettext("Say why the decision should be looked at again.");
    form.elements.text.focus();
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const appeal = await api(`/api/moderation/actions/${form.dataset.action}/appeal`, { method: "POST", body: { text } });
    form.replaceWith(h("p", { class: "help", "data-slot": "appeal-state", text: fmt(gettext("Your appeal: %(status)s. A moderator will look at it."), { status: appeal.status }) }));
  } catch (err) {
    status.textContent = err.message;
    showAlert(err.message);
    button.disabled = false;
  }
});
