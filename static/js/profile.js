// A profile: follow or unfollow, block or unblock, edit your own profile, and more of the grid on demand.
import { api } from "./api.js";
import { compact, fmt, gettext, h, showAlert, toast } from "./dom.js";

const profile = document.getElementById("profile");
const username = profile.dataset.username;
const base = `/api/users/${encodeURIComponent(username)}`;

const follow = document.getElementById("follow");
if (follow) {
  follow.addEventListener("click", async () => {
    const following = follow.getAttribute("aria-pressed") === "true";
    follow.disabled = true;
    try {
      const result = await api(`${base}/follow`, { method: following ? "DELETE" : "POST" });
      follow.setAttribute("aria-pressed", String(result.following));
      follow.textContent = result.following ? gettext("Following") : gettext("Follow");
      follow.classList.toggle("primary", !result.following);
      document.getElementById("follower-count").textContent = compact(result.follower_count);
    } catch (err) {
      showAlert(err.message);
    } finally {
      follow.disabled = false;
    }
  });
}

const block = document.getElementById("block");
if (block) {
  block.addEventListener("click", async () => {
    const blocked = block.getAttribute("aria-pressed") === "true";
    if (!blocked && !confirm(fmt(gettext("Block @%(handle)s? You stop following each other and no longer see each other’s clips."), { handle: username }))) return;
    block.disabled = true;
    try {
      await api(`${base}/block`, { method: blocked ? "DELETE" : "POST" });
      location.reload(); // counts, follow state and the grid all change: show them as the server now has them
    } catch (err) {
      block.disabled = false;
      showAlert(err.message);
    }
  });
}

const form = document.getElementById("profile-form");
if (form) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const me = await api("/api/me", {
        method: "PATCH",
        body: { display_name: form.elements.display_name.value.trim(), bio: form.elements.bio.value.trim() },
      });
      document.getElementById("profile-bio").textContent = me.bio;
      let name = profile.querySelector(".display-name");
      if (!name) {
        name = h("p", { class: "display-name" });
        profile.querySelector(".profile-id").append(name);
      }
      name.textContent = me.display_name;
      toast(gettext("Profile saved"));
    } catch (err) {
      showAlert(err.message);
    } finally {
      button.disabled = false;
    }
  });
}

const avatarForm = document.getElementById("avatar-form");
if (avatarForm) {
  avatarForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = avatarForm.elements.avatar.files[0];
    if (!file) {
      showAlert(gettext("Choose a photo first."));
      return;
    }
    const button = avatarForm.querySelector("button[type=submit]");
    button.disabled = true;
    const data = new FormData();
    data.append("avatar", file);
    try {
      await api("/api/me/avatar", { method: "PUT", form: data });
      location.reload(); // the new photo appears everywhere the avatar is drawn
    } catch (err) {
      showAlert(err.message);
    } finally {
      button.disabled = false;
    }
  });
}

const grid = document.getElementById("grid");
const more = document.getElementById("grid-more");

function tile(post) {
  const alt = post.caption || fmt(gettext("Clip by @%(handle)s"), { handle: post.author.username });
  return h(
    "li",
    { class: "tile" },
    h(
      "a",
      { href: `/posts/${post.id}/` },
      post.poster_url
        ? h("img", { src: post.poster_url, alt, width: post.width || 270, height: post.height || 480, loading: "lazy", decoding: "async" })
        : h("span", { class: "tile-text", text: post.caption || post.prompt || gettext("Clip") }),
      h("span", { class: "tile-count" }, `${compact(post.like_count)}`, h("span", { class: "sr-only", text: " likes" })),
    ),
  );
}

more.addEventListener("click", async () => {
  more.disabled = true;
  try {
    const page = await api(`${base}/posts?page_size=${grid.dataset.pageSize}&cursor=${encodeURIComponent(grid.dataset.next)}`);
    grid.append(...page.results.map(tile));
    grid.dataset.next = page.next || "";
    more.hidden = !page.next;
  } catch (err) {
    showAlert(err.message);
  } finally {
    more.disabled = false;
  }
});
