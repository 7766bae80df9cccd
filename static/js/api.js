// The JSON API with the session cookie: CSRF header on writes, errors as ApiError carrying the server's sentence.
import { fmt, gettext } from "./dom.js";

export class ApiError extends Error {
  constructor(message, { code = "error", status = 0, data = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
    this.data = data;
  }
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function fallbackMessage(status) {
  if (status === 401 || status === 403) return gettext("Your session has ended. Log in again to continue.");
  if (status === 404) return gettext("That no longer exists.");
  if (status === 413) return gettext("That file is too large.");
  if (status === 429) return gettext("Too many requests right now. Wait a moment and try again.");
  if (status >= 500) return gettext("Something went wrong on our side. Please try again in a moment.");
  return fmt(gettext("The request failed (HTTP %(status)s). Please try again."), { status });
}

export async function api(path, { method = "GET", body, form, signal, keepalive = false } = {}) {
  const headers = { Accept: "application/json" };
  let payload;
  if (method !== "GET" && method !== "HEAD") headers["X-CSRFToken"] = csrfToken();
  if (form) payload = form;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: "same-origin", signal, keepalive });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(gettext("Riff could not be reached. Check your connection and try again."), { code: "network" });
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const detail = data && typeof data.detail === "string" && data.detail ? data.detail : fallbackMessage(response.status);
    const code = (data && data.code) || `http_${response.status}`;
    const message = code === "not_authenticated" ? gettext("Your session has ended. Log in again to continue.") : detail;
    throw new ApiError(message, { code, status: response.status, data });
  }
  return data;
}

// A key that makes a retried request (after a network failure) return the first result instead of a second one.
export function requestKey() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}
