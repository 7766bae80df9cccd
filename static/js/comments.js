// Comments on a clip: newest threads first, replies one level deep (a reply to a reply joins its thread), more
// replies and older comments on demand, and a form that replies or comments. Used in the feed's sheet and on the
// post page.
import { api } from "./api.js";
import { ago, fmt, gettext, h, ngettext, profileUrl, slot } from "./dom.js";

export class Comments {
  constructor(root) {
    this.root = root;
    this.list = slot(root, "list");
    this.status = slot(root, "status");
    this.more = slot(root, "more");
    this.form = slot(root, "form");
    this.postId = null;
    this.next = null;
    this.replyTo = null;
    this.more.addEventListener("click", () => this.load({ more: true }));
    root.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action]");
      if (!button || !root.contains(button)) return;
      const item = button.closest("li.comment");
      if (button.dataset.action === "reply") this.startReply(item);
      else if (button.dataset.action === "more-replies") this.loadReplies(item, button);
      else if (button.dataset.action === "cancel-reply") this.cancelReply();
    });
    if (this.form) {
      this.text = this.form.querySelector("textarea");
      this.error = slot(this.form, "error");
      this.form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.submit();
      });
      this.text.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !event.shiftKey) {
          event.preventDefault();
          this.submit();
        }
      });
    }
  }

  async open(postId) {
    if (postId !== this.postId) {
      this.postId = postId;
      this.list.replaceChildren();
      this.cancelReply();
      this.hideError();
    }
    await this.load({ more: false });
  }

  async load({ more }) {
    const cursor = more && this.next ? `?cursor=${encodeURIComponent(this.next)}` : "";
    const postId = this.postId;
    this.status.textContent = gettext("Loading comments…");
    try {
      const page = await api(`/api/posts/${postId}/comments${cursor}`);
      if (postId !== this.postId) return;
      if (!more) this.list.replaceChildren();
      this.list.append(...page.results.map((comment) => this.thread(comment)));
      this.next = page.next;
      this.more.hidden = !page.next;
      this.status.textContent = this.list.children.length ? "" : gettext("No comments yet. Be the first.");
    } catch (err) {
      this.status.textContent = "";
      this.showError(err.message);
    }
  }

  item(comment) {
    return h(
      "li",
      { class: "comment", "data-id": comment.id, "data-author": comment.author.username },
      h("p", { class: "comment-text" }, h("a", { class: "handle", href: profileUrl(comment.author.username), text: `@${comment.author.username}` }), " ", h("span", { text: comment.text })),
      h(
        "p",
        { class: "meta" },
        h("time", { datetime: comment.created_at, text: ago(comment.created_at) }),
        this.form ? h("button", { type: "button", class: "link", "data-action": "reply", "aria-label": fmt(gettext("Reply to @%(handle)s"), { handle: comment.author.username }), text: gettext("Reply") }) : null,
      ),
    );
  }

  thread(comment) {
    const li = this.item(comment);
    const replies = comment.replies || [];
    li.append(h("ol", { class: "replies" }, replies.map((reply) => this.item(reply))));
    const hidden = (comment.reply_count || 0) - replies.length;
    if (hidden > 0) li.append(h("button", { type: "button", class: "link", "data-action": "more-replies", text: fmt(ngettext("View %(n)s more reply", "View %(n)s more replies", hidden), { n: hidden }) }));
    return li;
  }

  async loadReplies(item, button) {
    const cursor = button.dataset.next ? `&cursor=${encodeURIComponent(button.dataset.next)}` : "";
    button.disabled = true;
    try {
      const page = await api(`/api/posts/${this.postId}/comments?parent=${item.dataset.id}${cursor}`);
      const list = item.querySelector(".replies");
      if (!button.dataset.next) list.replaceChildren();
      list.append(...page.results.map((reply) => this.item(reply)));
      if (page.next) {
        button.dataset.next = page.next;
        button.textContent = gettext("View more replies");
      } else button.remove();
    } catch (err) {
      this.showError(err.message);
    } finally {
      button.disabled = false;
    }
  }

  startReply(item) {
    if (!this.form) return;
    this.replyTo = { id: Number(item.dataset.id), author: item.dataset.author };
    slot(this.form, "replying-to").textContent = `@${item.dataset.author}`;
    slot(this.form, "replying").hidden = false;
    this.text.focus();
  }

  cancelReply() {
    this.replyTo = null;
    if (this.form) slot(this.form, "replying").hidden = true;
  }

  showError(message) {
    if (this.error) {
      this.error.textContent = message;
      this.error.hidden = false;
    } else this.status.textContent = message;
  }

  hideError() {
    if (this.error) {
      this.error.textContent = "";
      this.error.hidden = true;
    }
  }

  async submit() {
    const text = this.text.value.trim();
    if (!text) {
      this.showError(gettext("Write something first: the comment is empty."));
      this.text.focus();
      return;
    }
    const button = this.form.querySelector('button[type="submit"]');
    button.disabled = true;
    this.hideError();
    try {
      const comment = await api(`/api/posts/${this.postId}/comments`, {
        method: "POST",
        body: { text, parent: this.replyTo ? this.replyTo.id : null },
      });
      const thread = comment.parent ? this.list.querySelector(`:scope > li[data-id="${comment.parent}"]`) : null;
      if (thread) thread.querySelector(".replies").append(this.item(comment));
      else this.list.prepend(this.thread({ ...comment, replies: [], reply_count: 0 }));
      this.text.value = "";
      this.status.textContent = "";
      this.cancelReply();
    } catch (err) {
      this.showError(err.message);
    } finally {
      button.disabled = false;
    }
  }
}
