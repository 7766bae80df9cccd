// The one websocket, /ws/, shared by every module on a page. It authenticates with the session cookie, joins the
// user's group on the server, and reconnects with backoff. Post subscriptions are replayed after a reconnect, and
// onOpen handlers run on every (re)connection so pages can re-read state they may have missed from the REST API.

const handlers = new Map();
const subscriptions = new Set();
let socket = null;
let started = false;
let stopped = false;
let retries = 0;
let timer = 0;
let opens = 0;

export function on(type, fn) {
  if (!handlers.has(type)) handlers.set(type, new Set());
  handlers.get(type).add(fn);
  return () => handlers.get(type).delete(fn);
}

export function isOpen() {
  return socket !== null && socket.readyState === WebSocket.OPEN;
}

// Runs now if the socket is open, and again after every reconnection.
export function onOpen(fn) {
  on("socket.open", fn);
  if (isOpen()) fn({ reconnected: opens > 1 });
}

function emit(type, data) {
  const set = handlers.get(type);
  if (!set) return;
  for (const fn of [...set]) {
    try {
      fn(data);
    } catch (err) {
      console.error(err);
    }
  }
}

function send(message) {
  if (isOpen()) socket.send(JSON.stringify(message));
}

export function subscribe(post) {
  if (subscriptions.has(post)) return;
  subscriptions.add(post);
  send({ type: "subscribe", post });
}

export function unsubscribe(post) {
  if (!subscriptions.delete(post)) return;
  send({ type: "unsubscribe", post });
}

function connect() {
  clearTimeout(timer);
  if (stopped || (socket && socket.readyState <= WebSocket.OPEN)) return;
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/`);
  socket = ws;
  ws.addEventListener("open", () => {
    retries = 0;
    for (const post of subscriptions) send({ type: "subscribe", post });
    opens += 1;
    emit("socket.open", { reconnected: opens > 1 });
  });
  ws.addEventListener("message", (event) => {
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (data && typeof data.type === "string") emit(data.type, data);
  });
  ws.addEventListener("close", (event) => {
    if (socket !== ws) return;
    socket = null;
    emit("socket.closed", { code: event.code });
    if (event.code === 4401) {
      stopped = true; // the session ended: live updates stop until the person logs in again
      return;
    }
    timer = setTimeout(connect, Math.min(30000, 500 * 2 ** retries++));
  });
}

export function start() {
  if (started || !document.body.dataset.user) return;
  started = true;
  connect();
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && !isOpen()) {
      retries = 0;
      connect();
    }
  });
  window.addEventListener("online", () => {
    retries = 0;
    connect();
  });
}
