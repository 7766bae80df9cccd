// Check a clip: upload it to POST /api/provenance/verify (answered at once), wait for the worker's report (the
// provenance.report event on the websocket for signed-in people, and reading the check now and then in case the
// event is missed or nobody is signed in), and show what the manifest and the watermark say.
import { api } from "./api.js";
import { clearAlert, fmt, gettext, h, showAlert } from "./dom.js";
import * as live from "./live.js";

const form = document.getElementById("provenance-form");
const status = document.getElementById("provenance-status");
const report = document.getElementById("report");
const $ = (id) => document.getElementById(id);

const C2PA_STATES = {
  trusted: gettext("Signed and intact. The signer is trusted by this Riff server."),
  valid: gettext("Signed and intact, by a signer this server does not know."),
  invalid: gettext("Present, but it does not validate: the file was changed after it was signed."),
  none: gettext("None in this file."),
};

const SOURCE_TYPES = {
  trainedAlgorithmicMedia: gettext("made by a generative model"),
  compositeWithTrainedAlgorithmicMedia: gettext("edited with a generative model"),
  algorithmicMedia: gettext("made by an algorithm"),
};

const POLL_MS = 3000;

// The finished check: read again when the worker's event for it arrives, or every POLL_MS until it is done.
function finished(check) {
  return new Promise((resolve, reject) => {
    let timer = 0;
    let stop = () => {};
    const read = async () => {
      clearTimeout(timer);
      try {
        const latest = await api(`/api/provenance/checks/${check.id}`);
        if (latest.status !== "pending") {
          stop();
          resolve(latest);
          return;
        }
      } catch (err) {
        stop();
        reject(err);
        return;
      }
      timer = setTimeout(read, POLL_MS);
    };
    stop = live.on("provenance.report", (event) => {
      if (event.check === check.id) read();
    });
    live.start();
    timer = setTimeout(read, POLL_MS);
  });
}

function actionText(action) {
  const name = (action.action || "").replace(/^c2pa\./, "");
  const source = (action.digitalSourceType || "").split("/").pop();
  const parts = [name || gettext("an action")];
  if (SOURCE_TYPES[source]) parts.push(`(${SOURCE_TYPES[source]})`);
  if (action.description) parts.push(`: ${action.description}`);
  return parts.join(" ");
}

function ingredientText(item) {
  const post = item.riff && item.riff.post_id;
  const what = item.title || gettext("another file");
  const relation = item.relationship === "parentOf" ? gettext("Remixed from") : gettext("Uses");
  return post ? h("span", {}, `${relation} `, h("a", { href: `/posts/${post}/`, text: fmt(gettext("a Riff clip (post %(post)s)"), { post }) })) : `${relation} ${what}`;
}

function show(check) {
  const r = check.report || {};
  if (check.status === "failed") {
    showAlert(r.detail || gettext("The clip could not be read."));
    report.hidden = true;
    return;
  }
  $("report-summary").textContent = r.summary || gettext("No provenance found.");
  const post = $("report-post");
  post.hidden = !r.post;
  if (r.post) post.replaceChildren(h("a", { class: "button primary", href: r.post.url, text: fmt(gettext("Open the clip by @%(handle)s"), { handle: r.post.author }) }));
  const c2pa = r.c2pa || {};
  $("report-c2pa").textContent = C2PA_STATES[c2pa.state] || c2pa.state || gettext("Unknown.");
  $("report-generator").textContent = c2pa.generator || gettext("Not stated.");
  const actions = c2pa.actions || [];
  $("report-actions").replaceChildren(actions.length ? h("ul", {}, actions.map((a) => h("li", { text: actionText(a) }))) : gettext("Not stated."));
  const ingredients = c2pa.ingredients || [];
  $("report-ingredients").replaceChildren(ingredients.length ? h("ul", {}, ingredients.map((i) => h("li", {}, ingredientText(i)))) : gettext("Nothing: an original."));
  const mark = r.watermark || {};
  $("report-watermark").textContent = mark.found
    ? (r.riff_clip ? `${gettext("Found: it identifies a clip made on Riff.")} ` : `${gettext("Found, but it matches no clip on this server.")} `) +
      (mark.certainty || "")
    : gettext("Not found.");
  report.hidden = false;
  report.scrollIntoView({ block: "start", behavior: "smooth" });
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearAlert();
  report.hidden = true;
  const file = form.elements.file.files[0];
  if (!file) {
    showAlert(gettext("Choose a video file to check."));
    return;
  }
  const button = $("provenance-submit");
  button.disabled = true;
  status.textContent = gettext("Uploading and reading the clip…");
  try {
    const body = new FormData();
    body.append("file", file);
    let check = await api("/api/provenance/verify", { method: "POST", form: body });
    if (check.status === "pending") {
      status.textContent = gettext("Reading the watermark…");
      check = await finished(check);
    }
    status.textContent = "";
    show(check);
  } catch (err) {
    status.textContent = "";
    showAlert(err.message);
  } finally {
    button.disabled = false;
  }
});
