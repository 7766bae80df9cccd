// The account page: the archive's progress arrives on the socket; when it is ready the page shows its link. An
// event sent before the socket was open is not lost: the page re-reads the archives whenever the socket opens, and
// every few seconds while one is being made.
import { api } from "./api.js";
import { on, onOpen } from "./live.js";

const section = document.getElementById("exports");
if (section) {
  const running = () => [...section.querySelectorAll("[data-export] progress")].map((bar) => bar.closest("[data-export]").dataset.export);
  const check = async () => {
    const waiting = running();
    if (!waiting.length) return;
    try {
      const exports = await api("/api/me/exports");
      if (exports.some((e) => waiting.includes(String(e.id)) && !["queued", "running"].includes(e.state))) location.reload();
    } catch (err) {
      console.warn(err);
    }
  };
  on("export.progress", (event) => {
    const bar = section.querySelector(`[data-export="${event.export}"] progress`);
    if (bar) bar.value = event.progress;
  });
  on("export.ready", () => location.reload());
  on("export.failed", () => location.reload());
  onOpen(check);
  if (running().length) setInterval(check, 4000);
}
