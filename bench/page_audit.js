// Offline page checks in the spirit of Lighthouse, run inside the page (Playwright's page.evaluate): language and
// title, labels on every control, alt on every image, names on links and buttons, tap targets of at least 44 px,
// no horizontal overflow, and the contrast of text against the background it sits on.
() => {
  const problems = [];
  const describe = (el) => {
    const id = el.id ? `#${el.id}` : "";
    const cls = typeof el.className === "string" && el.className ? `.${el.className.trim().split(/\s+/).join(".")}` : "";
    const text = (el.getAttribute("aria-label") || el.textContent || el.getAttribute("name") || "").trim().slice(0, 40);
    return `${el.tagName.toLowerCase()}${id}${cls}${text ? ` "${text}"` : ""}`;
  };
  const visible = (el) => {
    if (el.checkVisibility && !el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) return false;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) return false;
    if (rect.right <= 0 || rect.bottom <= 0 || rect.left >= innerWidth + 1) return false;
    const style = getComputedStyle(el);
    return style.visibility !== "hidden" && style.display !== "none" && !el.closest("[hidden], [aria-hidden='true']");
  };

  if (!document.documentElement.lang) problems.push({ check: "lang", detail: "<html> has no lang" });
  if (!document.title.trim()) problems.push({ check: "title", detail: "the document has no title" });

  const controls = [...document.querySelectorAll("input, select, textarea")].filter((el) => el.type !== "hidden");
  for (const el of controls) {
    const named = (el.labels && el.labels.length) || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || el.title;
    if (!named) problems.push({ check: "label", detail: describe(el) });
  }

  const images = [...document.querySelectorAll("img")];
  for (const img of images) if (!img.hasAttribute("alt")) problems.push({ check: "alt", detail: img.src.slice(-60) });

  const interactive = [...document.querySelectorAll("a[href], button, summary, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])")];
  for (const el of interactive) {
    if (el.closest("[aria-hidden='true']")) continue;
    const name = (el.getAttribute("aria-label") || el.textContent || el.title || el.value || "").trim()
      || [...el.querySelectorAll("img[alt]")].some((img) => img.alt.trim())
      || (el.labels && el.labels.length) || el.getAttribute("aria-labelledby");
    if (!name && el.tagName !== "INPUT" && el.tagName !== "SELECT" && el.tagName !== "TEXTAREA") problems.push({ check: "name", detail: describe(el) });
  }

  // Tap targets: 44 × 44 px, except links inside a line of text (WCAG 2.5.8's inline exception) and checkboxes or
  // radios whose label is the target.
  let targets = 0;
  for (const el of interactive) {
    if (!visible(el)) continue;
    targets += 1;
    const style = getComputedStyle(el);
    if (el.tagName === "A" && style.display === "inline") {
      const block = el.parentElement;
      if (block && (block.textContent || "").trim().length > (el.textContent || "").trim().length) continue;
    }
    if (el.tagName === "INPUT" && (el.type === "checkbox" || el.type === "radio")) {
      const label = el.closest("label") || (el.labels && el.labels[0]);
      if (label && label.getBoundingClientRect().height >= 44) continue;
    }
    const rect = el.getBoundingClientRect();
    if (rect.width < 43.5 || rect.height < 43.5) {
      problems.push({ check: "tap-target", detail: `${describe(el)} is ${Math.round(rect.width)}×${Math.round(rect.height)}` });
    }
  }

  const overflow = document.documentElement.scrollWidth - innerWidth;
  if (overflow > 0) problems.push({ check: "overflow", detail: `the page is ${overflow} px wider than the window` });

  // Contrast: WCAG relative luminance of the text colour against the first opaque background behind it. Text drawn
  // over video, images or gradients is skipped (its background is not one colour).
  const parse = (value) => {
    const m = value.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const luminance = ({ r, g, b }) => {
    const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const backgroundOf = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== "none") return null;
      if (node.matches(".clip, .clip-media, .frame")) return null;
      const bg = parse(style.backgroundColor);
      if (bg && bg.a >= 0.9) return bg;
    }
    return parse(getComputedStyle(document.body).backgroundColor);
  };
  let lowest = Infinity;
  let checked = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!el || seen.has(el) || !walker.currentNode.nodeValue.trim() || !visible(el)) continue;
    if (el.closest("svg, .sr-only, option, script, style, template")) continue;
    seen.add(el);
    const bg = backgroundOf(el);
    const fg = parse(getComputedStyle(el).color);
    if (!bg || !fg) continue;
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    checked += 1;
    lowest = Math.min(lowest, ratio);
    if (ratio < (large ? 3 : 4.5)) problems.push({ check: "contrast", detail: `${describe(el)} ${ratio.toFixed(2)}:1` });
  }

  return {
    problems,
    counts: { controls: controls.length, images: images.length, targets, textChecked: checked },
    lowestContrast: Number.isFinite(lowest) ? Math.round(lowest * 100) / 100 : null,
  };
}
