// Cameo verification: get a phrase, record yourself saying it (camera + microphone via MediaRecorder, or
// upload a clip), send it to the API, and wait for the worker's verdict.
(function () {
  "use strict";
  const gettext = typeof window.gettext === "function" ? window.gettext : (text) => text;  // the page's catalogue
  const box = document.getElementById("verify");
  if (!box) return;
  const api = "/api/cameos/" + box.dataset.cameo;
  const csrf = box.querySelector("input[name=csrfmiddlewaretoken]").value;
  const $ = (id) => document.getElementById(id);
  const status = $("verify-status");
  const preview = $("verify-preview");
  let challenge = null;
  let stream = null;
  let recorder = null;
  let chunks = [];
  let stopTimer = null;

  function say(text) { status.textContent = text; }

  async function json(response) {
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.detail || gettext("Something went wrong. Please try again."));
    return body;
  }

  async function getPhrase() {
    try {
      challenge = await json(await fetch(api + "/challenge", { credentials: "same-origin" }));
    } catch (err) { say(err.message); return; }
    $("verify-challenge").textContent = gettext("Say these digits aloud, one by one: %(phrase)s (valid for %(minutes)s minutes)").replace("%(phrase)s", challenge.phrase).replace("%(minutes)s", String(Math.round(challenge.valid_for_s / 60)));
    $("verify-file").disabled = false;
    if (navigator.mediaDevices && window.MediaRecorder) {
      try {
        stream = stream || await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: true });
        preview.srcObject = stream;
        preview.hidden = false;
        await preview.play();
        $("verify-record").disabled = false;
      } catch (err) { say(gettext("The camera is not available (%(reason)s). Upload a clip instead.").replace("%(reason)s", err.name)); }
    } else { say(gettext("This browser cannot record here. Upload a clip instead.")); }
  }

  function record() {
    chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
    recorder.onstop = () => send(new Blob(chunks, { type: recorder.mimeType || "video/webm" }));
    recorder.start();
    $("verify-record").disabled = true;
    $("verify-stop").disabled = false;
    say(gettext("Recording… say the phrase, then press Stop."));
    stopTimer = setTimeout(stop, 10000);
  }

  function stop() {
    clearTimeout(stopTimer);
    if (recorder && recorder.state === "recording") recorder.stop();
    $("verify-stop").disabled = true;
  }

  async function send(blob) {
    if (!challenge) { say(gettext("Ask for a phrase first.")); return; }
    const form = new FormData();
    const ext = (blob.type || "").includes("mp4") ? "mp4" : "webm";
    form.append("clip", blob, blob.name || "verify." + ext);
    form.append("challenge", challenge.id);
    form.append("keep_voice", $("verify-keep-voice").checked ? "true" : "false");
    say(gettext("Sending…"));
    try {
      await json(await fetch(api + "/verify", { method: "POST", body: form, credentials: "same-origin", headers: { "X-CSRFToken": csrf } }));
    } catch (err) { say(err.message); $("verify-record").disabled = !stream; return; }
    challenge = null;
    say(gettext("Checking your clip…"));
    poll();
  }

  async function poll() {
    try {
      const cameo = await json(await fetch(api, { credentials: "same-origin" }));
      const v = cameo.verification;
      if (v.state === "pending") { setTimeout(poll, 2000); return; }
      if (v.state === "verified") { say(gettext("Verified. You, and the people you allow, can now use this cameo.")); setTimeout(() => location.reload(), 1500); }
      else say(gettext("Not verified: %(reason)s Ask for a new phrase and try again.").replace("%(reason)s", v.reason));
    } catch (err) { setTimeout(poll, 4000); }
  }

  $("verify-phrase").addEventListener("click", getPhrase);
  $("verify-record").addEventListener("click", record);
  $("verify-stop").addEventListener("click", stop);
  $("verify-file").addEventListener("change", (e) => { if (e.target.files[0]) send(e.target.files[0]); });
  if (box.dataset.state === "pending") poll();
})();
