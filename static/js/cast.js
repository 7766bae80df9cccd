// The composer's voices: who says each quoted line and with which voice. The server casts the prompt's speakers
// (POST /api/voices/cast, the same code the worker runs); the author may change any voice, and the cast shown is
// the cast sent with the generation, so the clip speaks as shown.
import { api } from "./api.js";

const $ = (id) => document.getElementById(id);
const box = $("cast");
const list = $("cast-list");
const status = $("cast-status");
const chosen = new Map(); // speaker -> voice the author picked
let shown = []; // speakers as last cast
let catalogue = null;
let timer = null;
let asked = 0;

function speakerLabel(speaker) {
  return speaker.charAt(0).toUpperCase() + speaker.slice(1);
}

function option(value, text, selected) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = text;
  element.selected = selected;
  return element;
}

function render() {
  list.replaceChildren();
  box.hidden = shown.length === 0;
  for (const entry of shown) {
    const item = document.createElement("li");
    item.className = "cast-row";
    const id = `voice-${entry.speaker.replace(/[^a-z0-9]+/gi, "-")}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = speakerLabel(entry.speaker);
    const select = document.createElement("select");
    select.id = id;
    select.dataset.speaker = entry.speaker;
    if (entry.voice.startsWith("cameo:")) select.append(option(entry.voice, entry.label, true));
    for (const voice of catalogue || []) {
      select.append(option(voice.name, `${voice.label}, ${voice.description}`, voice.name === entry.voice));
    }
    select.addEventListener("change", () => {
      if (select.value.startsWith("cameo:")) chosen.delete(entry.speaker);
      else chosen.set(entry.speaker, select.value);
      entry.voice = select.value;
    });
    const lines = document.createElement("small");
    lines.className = "help";
    lines.textContent = entry.lines.map((line) => `“${line.text}”${line.language === "fr" ? " (français)" : ""}`).join(" · ");
    item.append(label, select, lines);
    list.append(item);
  }
}

async function refresh(form) {
  const ticket = ++asked;
  const data = form.elements;
  const body = {
    prompt: data.prompt.value.trim(),
    cameos: [...form.querySelectorAll('input[name="cameos"]:checked')].map((input) => Number(input.value)),
    voices: Object.fromEntries(chosen),
  };
  if (data.remix_of.value) body.remix_of = Number(data.remix_of.value);
  if (data.extend_of.value) body.extend_of = Number(data.extend_of.value);
  try {
    if (catalogue === null) catalogue = (await api("/api/voices")).results;
    const answer = await api("/api/voices/cast", { method: "POST", body });
    if (ticket !== asked) return; // a newer prompt is being cast
    shown = answer.speakers;
    status.textContent = "";
  } catch (err) {
    if (ticket !== asked) return;
    if (err.code === "voice_speaker_unknown") {
      chosen.clear(); // the speaker the author had cast is gone from the prompt: cast again
      refresh(form);
      return;
    }
    shown = [];
    status.textContent = err.message;
  }
  render();
}

export function watchCast(form) {
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(() => refresh(form), 350);
  };
  form.addEventListener("input", later);
  form.addEventListener("change", (event) => {
    if (event.target.name === "cameos") later();
  });
  if (form.elements.prompt.value.trim() || form.elements.remix_of.value || form.elements.extend_of.value) refresh(form);
}

// The voices to send with the generation: every speaker as shown, except cameos speaking with their owner's
// voice (the worker gives them that voice itself, when the owner still allows it as the clip is made).
export function castVoices() {
  const voices = {};
  for (const entry of shown) {
    if (!entry.voice.startsWith("cameo:")) voices[entry.speaker] = entry.voice;
  }
  return voices;
}

export function resetCast() {
  chosen.clear();
  shown = [];
  render();
}
