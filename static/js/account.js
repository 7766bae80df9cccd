// The account page: the archive's progress arrives on the socket; when it is ready the page shows its link.
import { on } from "./live.js";

const section = document.getElementById("exports");
if (section) {
  on("export.progress", (event) => {
    const bar = section.querySelector(`[data-export="${event.export}"] progress`);
    if (bar) bar.value = event.progress;
  });
  on("export.ready", () => location.reload());
  on("export.failed", () => location.reload());
}
