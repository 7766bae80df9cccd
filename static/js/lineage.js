// The remix lineage as a tree in inline SVG: the chain of clips above this one (root first), this clip, and the
// remixes below it. Every available clip is a link to its page.
import { fmt, gettext, h, ngettext } from "./dom.js";

const NS = "http://www.w3.org/2000/svg";
const COLUMN = 96;
const ROW = 116;
const RADIUS = 30;
const PAD = 20;

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) if (value != null) el.setAttribute(key, value);
  for (const child of children) if (child) el.append(child);
  return el;
}

function label(post) {
  return post.author ? `@${post.author.username}` : "";
}

function describe(post, isCurrent) {
  if (post.deleted) return gettext("A deleted clip");
  if (post.available === false) return gettext("A clip that is no longer available");
  const what = post.caption || post.prompt || "";
  const who = fmt(isCurrent ? gettext("Clip by @%(handle)s (this clip)") : gettext("Clip by @%(handle)s"), { handle: post.author.username });
  return what ? `${who}: ${what}` : who;
}

// Leaves take the next column; a parent sits above the middle of its children; the chain sits above this clip.
export function layout(data) {
  const nodes = [];
  const edges = [];
  let column = 0;
  const top = data.ancestors.length;
  function place(post, children, depth) {
    let x;
    if (!children.length) x = column++;
    else {
      const xs = children.map((child) => place(child, child.children || [], depth + 1));
      x = (xs[0] + xs[xs.length - 1]) / 2;
    }
    nodes.push({ post, x, y: depth });
    for (const child of children) edges.push([post.id, child.id]);
    return x;
  }
  const x = place(data.post, data.children || [], top);
  data.ancestors.forEach((post, index) => {
    nodes.push({ post, x, y: index });
    edges.push([post.id, (data.ancestors[index + 1] || data.post).id]);
  });
  return { nodes, edges, columns: Math.max(column, 1), rows: top + 1 + depthBelow(data.children || []) };
}

function depthBelow(children) {
  return children.length ? 1 + Math.max(...children.map((child) => depthBelow(child.children || []))) : 0;
}

export function drawLineage(container, data) {
  const { nodes, edges, columns, rows } = layout(data);
  const width = columns * COLUMN + PAD * 2;
  const height = rows * ROW + PAD;
  const at = new Map(nodes.map((node) => [node.post.id, node]));
  const cx = (node) => PAD + node.x * COLUMN + COLUMN / 2;
  const cy = (node) => PAD + node.y * ROW + RADIUS;
  const count = nodes.length;
  const root = svg("svg", {
    class: "lineage-svg",
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: "group",
    "aria-label": fmt(ngettext("Remix lineage: %(count)s clip", "Remix lineage: %(count)s clips", count), { count }),
  });
  const defs = svg("defs", {}, svg("clipPath", { id: "lineage-circle", clipPathUnits: "objectBoundingBox" }, svg("circle", { cx: 0.5, cy: 0.5, r: 0.5 })));
  root.append(defs);
  for (const [from, to] of edges) {
    const a = at.get(from);
    const b = at.get(to);
    if (!a || !b) continue;
    const x1 = cx(a), y1 = cy(a) + RADIUS, x2 = cx(b), y2 = cy(b) - RADIUS;
    const mid = (y1 + y2) / 2;
    root.append(svg("path", { class: "edge", d: `M${x1},${y1} C${x1},${mid} ${x2},${mid} ${x2},${y2}` }));
  }
  for (const node of nodes) {
    const { post } = node;
    const isCurrent = post.id === data.post.id;
    const x = cx(node), y = cy(node);
    const shape = svg("g", { class: `node${isCurrent ? " current" : ""}${post.available === false ? " gone" : ""}` });
    shape.append(svg("circle", { class: "disc", cx: x, cy: y, r: RADIUS }));
    if (post.poster_url) {
      shape.append(svg("image", {
        href: post.poster_url, x: x - RADIUS, y: y - RADIUS, width: RADIUS * 2, height: RADIUS * 2,
        preserveAspectRatio: "xMidYMid slice", "clip-path": "url(#lineage-circle)",
      }));
    }
    shape.append(svg("circle", { class: "ring", cx: x, cy: y, r: RADIUS }));
    shape.append(svg("text", { x, y: y + RADIUS + 18, "text-anchor": "middle" }, document.createTextNode(post.deleted ? gettext("deleted") : post.available === false ? "gone" : label(post))));
    const title = describe(post, isCurrent);
    if (post.available === false) {
      shape.prepend(svg("title", {}, document.createTextNode(title)));
      root.append(shape);
      continue;
    }
    const link = svg("a", { href: `/posts/${post.id}/`, "aria-label": title, "data-post": post.id }, svg("title", {}, document.createTextNode(title)), shape);
    if (isCurrent) link.setAttribute("aria-current", "page");
    root.append(link);
  }
  const summary = [];
  if (data.ancestors.length) summary.push(fmt(ngettext("%(count)s clip above", "%(count)s clips above", data.ancestors.length), { count: data.ancestors.length }));
  summary.push(fmt(ngettext("%(count)s remix below", "%(count)s remixes below", data.descendant_count), { count: data.descendant_count }));
  container.replaceChildren(
    h("div", { class: "lineage-scroll" }, root),
    h("p", { class: "help" }, fmt(gettext("This clip: %(summary)s."), { summary: summary.join(", ") })),
  );
}
