// Cameo verification: get a phrase, record yourself saying it (camera + microphone via MediaRecorder, or
// upload a clip), send it to the API, and wait for the worker's verdict.
(function () {
  "use strict";
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
    if (!response.ok) throw new Error(body.detail || "Something went wrong. Please try again.");
    return body;
  }

  async function getPhrase() {
    try {
      challenge = await json(await fetch(api + "/challenge", { credentials: "same-origin" }));
    } catch (err) { say(err.message); return; }
    $("verify-challenge").textContent = "Say these digits aloud, one by one: " + challenge.phrase + " (valid for " + Math.round(challenge.valid_for_s / 60) + " minutes)";
    $("verify-file").disabled = false;
    if (navigator.mediaDevices && window.MediaRecorder) {
      try {
        stream = stream || await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: true });
        preview.srcObject = stream;
        preview.hidden = false;
        await preview.play();
        $("verify-record").disabled = false;
      } catch (err) { say("The camera is not available (" + err.name + "). Upload a clip instead."); }
    } else { say("This browser cannot record here. Upload a clip instead."); }
  }

  function record() {
    chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
    recorder.onstop = () => send(new Blob(chunks, { type: recorder.mimeType || "video/webm" }));
    recorder.start();
    $("verify-record").disabled = true;
    $("verify-stop").disabled = false;
    say("Recording… say the phrase, then press Stop.");
    stopTimer = setTimeout(stop, 10000);
  }

  function stop() {
    clearTimeout(stopTimer);
    if (recorder && recorder.state === "recording") recorder.stop();
    $("verify-stop").disabled = true;
  }

  async function send(blob) {
    if (!challenge) { say("Ask for a phrase first."); return; }
    const form = new FormData();
    const ext = (blob.type || "").includes("mp4") ? "mp4" : "webm";
    form.append("clip", blob, blob.name || "verify." + ext);
    form.append("challenge", challenge.id);
    form.append("keep_voice", $("verify-keep-voice").checked ? "true" : "false");
    say("Sending…");
    try {
      await json(await fetch(api + "/verify", { method: "POST", body: form, credentials: "same-origin", headers: { "X-CSRFToken": csrf } }));
    } catch (err) { say(err.message); $("verify-record").disabled = !stream; return; }
    challenge = null;
    say("Checking your clip…");
    poll();
  }

  async function poll() {
    try {
      const cameo = await json(await fetch(api, { credentials: "same-origin" }));
      const v = cameo.verification;
      if (v.state === "pending") { setTimeout(poll, 2000); return; }
      if (v.state === "verified") { say("Verified. You, and the people you allow, can now use this cameo."); setTimeout(() => location.reload(), 1500); }
      else say("Not verified: " + v.reason + " Ask for a new phrase and try again.");
    } catch (err) { setTimeout(poll, 4000); }
  }

  $("verify-phrase").addEventListener("click", getPhrase);
  $("verify-record").addEventListener("click", record);
  $("verify-stop").addEventListener("click", stop);
  $("verify-file").addEventListener("change", (e) => { if (e.target.files[0]) send(e.target.files[0]); });
  if (box.dataset.state === "pending") poll();
})();
