// Small DOM helpers shared by every page: element building, counts, relative times, the toast and the alert,
// and the interface's translations (the page loads its language's catalogue, /jsi18n/<language>/, first).

// gettext(text) is the text in the page's language; fmt(text, values) fills in its %(name)s placeholders.
export function gettext(text) {
  return typeof window.gettext === "function" ? window.gettext(text) : text;
}

export function ngettext(singular, plural, count) {
  return typeof window.ngettext === "function" ? window.ngettext(singular, plural, count) : (count === 1 ? singular : plural);
}

export function fmt(text, values) {
  return text.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
}

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child != null && child !== false) el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function slot(root, name) {
  return root.querySelector(`[data-slot="${name}"]`);
}

// Compact counts as the page's language writes them: 999, 1.2K, 34K, 1.5M in English; 1,2 k, 34 k, 1,5 M in French
// (the same as the count filter in pages/templatetags/riff_ui.py).
export function compact(value) {
  const n = Number(value) || 0;
  if (n < 1000) return String(n);
  const french = (document.documentElement.lang || "").startsWith("fr");
  const [div, suffix] = n >= 1e6 ? [1e6, "M"] : [1e3, french ? "k" : "K"];
  const short = n / div;
  const digits = short < 10 ? short.toFixed(1).replace(/\.0$/, "") : String(Math.floor(short));
  return french ? `${digits.replace(".", ",")}\u00a0${suffix}` : digits + suffix;
}

export function ago(iso) {
  const seconds = (Date.now() - new Date(iso).getTime()) / 1000;
  if (!Number.isFinite(seconds)) return "";
  if (seconds < 60) return gettext("just now");
  if (seconds < 3600) return fmt(gettext("%(n)s min ago"), { n: Math.floor(seconds / 60) });
  if (seconds < 86400) return fmt(gettext("%(n)s h ago"), { n: Math.floor(seconds / 3600) });
  if (seconds < 7 * 86400) return fmt(gettext("%(n)s d ago"), { n: Math.floor(seconds / 86400) });
  return new Date(iso).toLocaleDateString(document.documentElement.lang || undefined, { day: "numeric", month: "short", year: "numeric" });
}

export function profileUrl(username) {
  return `/u/${encodeURIComponent(username)}/`;
}

let toastTimer = 0;

export function toast(message, ms = 3500) {
  const el = document.getElementById("toast");
  if (!el) return;
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; el.textContent = ""; }, ms);
}

// Every failure a person should know about goes to a role="alert" region: the page's own, or the one under the top bar.
export function showAlert(message, region = document.getElementById("alert")) {
  if (!region) return;
  region.textContent = message;
  region.hidden = false;
}

export function clearAlert(region = document.getElementById("alert")) {
  if (!region) return;
  region.textContent = "";
  region.hidden = true;
}

// What a notification says when the service stored no sentence for it (same table as feed/templatetags/riff_ui.py).
const NOTIFICATION_TEXT = {
  follow: gettext("{actor} followed you."),
  like: gettext("{actor} liked your clip."),
  comment: gettext("{actor} commented on your clip."),
  remix: gettext("{actor} remixed your clip."),
  cameo_use: gettext("{actor} used your cameo."),
  cameo_request: gettext("{actor} asked to use your cameo."),
  cameo_approved: gettext("{actor} approved you to use their cameo."),
};

// Notifications from the API carry the actor as an object, websocket events as a username.
export function notificationActor(n) {
  if (!n.actor) return null;
  return typeof n.actor === "object" ? n.actor : { username: n.actor, avatar_url: "" };
}

export function notificationText(n) {
  if (n.text) return n.text;
  const actor = notificationActor(n);
  const who = actor ? `@${actor.username}` : gettext("Someone");
  return (NOTIFICATION_TEXT[n.kind] || gettext("You have a new notification.")).replace("{actor}", who);
}

// Text with each #tag as a link to its page (pages/templatetags/riff_ui.py hashtag_links does the same): a tag is
// letters, digits and underscores with at least one letter, after a "#" that does not follow a word character.
const TAG = /(^|[^\p{L}\p{N}_#&])#([\p{L}\p{N}_]{1,50})(?![\p{L}\p{N}_])/gu;
export function taggedText(text) {
  const nodes = [];
  let last = 0;
  for (const match of (text || "").matchAll(TAG)) {
    const start = match.index + match[1].length;
    if (!/[\p{L}]/u.test(match[2])) continue;
    nodes.push(document.createTextNode(text.slice(last, start)));
    nodes.push(h("a", { class: "tag", href: `/tags/${encodeURIComponent(match[2].toLowerCase())}/`, text: `#${match[2]}` }));
    last = start + 1 + match[2].length;
  }
  nodes.push(document.createTextNode((text || "").slice(last)));
  return nodes;
}
