// Playing clips: the feed plays the clip that is on screen and pauses the others (IntersectionObserver), starts
// muted with a tap to unmute, preloads the next clip, and reports watch time to POST /api/posts/<id>/view.
import { api } from "./api.js";
import * as live from "./live.js";
import { gettext, showAlert } from "./dom.js";

// Watch time of one video: seconds actually played, and whether it reached the end (a looping video wraps).
export class WatchTracker {
  constructor(video, postId) {
    this.video = video;
    this.postId = postId;
    this.watched = 0;
    this.completed = false;
    this.last = null;
    video.addEventListener("timeupdate", () => this.tick());
    video.addEventListener("ended", () => { this.completed = true; });
  }

  tick() {
    const now = this.video.currentTime;
    if (this.last !== null) {
      const delta = now - this.last;
      const duration = this.video.duration || 0;
      if (delta > 0 && delta < 1.5) this.watched += delta;
      else if (delta < 0 && duration && this.last > duration - 0.75) {
        this.watched += duration - this.last + now;
        this.completed = true;
      }
    }
    this.last = now;
  }

  flush({ keepalive = false } = {}) {
    this.last = null;
    if (this.watched < 0.25 && !this.completed) return;
    const body = { watch_s: Math.round(this.watched * 100) / 100, completed: this.completed };
    this.watched = 0;
    this.completed = false;
    // Watch time is a signal for ranking, not something the person asked for: a failed report is not shown.
    api(`/api/posts/${this.postId}/view`, { method: "POST", body, keepalive }).catch(() => {});
  }
}

export class FeedPlayer {
  constructor(scroller) {
    this.scroller = scroller;
    this.muted = true;
    this.active = null;
    this.trackers = new WeakMap();
    this.observer = new IntersectionObserver((entries) => this.onIntersect(entries), { root: scroller, threshold: [0, 0.6] });
    // Posters load a screen ahead of the clip, so the first clip's video is not queued behind every poster.
    this.near = new IntersectionObserver((entries) => {
      for (const entry of entries) if (entry.isIntersecting) this.showPoster(entry.target);
    }, { root: scroller, rootMargin: "100% 0px" });
    document.addEventListener("visibilitychange", () => {
      if (!this.active) return;
      const video = this.video(this.active);
      if (document.hidden) {
        video.pause();
        this.tracker(this.active).flush({ keepalive: true });
      } else this.play(this.active);
    });
    window.addEventListener("pagehide", () => { if (this.active) this.tracker(this.active).flush({ keepalive: true }); });
  }

  video(article) {
    return article.querySelector("video");
  }

  tracker(article) {
    let tracker = this.trackers.get(article);
    if (!tracker) {
      tracker = new WatchTracker(this.video(article), Number(article.dataset.post));
      this.trackers.set(article, tracker);
    }
    return tracker;
  }

  observe(article) {
    this.observer.observe(article);
    this.near.observe(article);
    if (!article.dataset.watched) {
      article.dataset.watched = "1";
      this.video(article).addEventListener("error", () => this.recover(article));
    }
  }

  // Clip URLs are signed and expire: a clip that fails to load is fetched again once with fresh URLs.
  async recover(article) {
    const video = this.video(article);
    if (article.dataset.retried) {
      showAlert(gettext("This clip could not be played. Reload the page to try again."));
      return;
    }
    article.dataset.retried = "1";
    try {
      const post = await api(`/api/posts/${article.dataset.post}`);
      if (post.poster_url) video.poster = post.poster_url;
      video.src = post.video_url;
      if (article === this.active) this.play(article);
    } catch (err) {
      showAlert(err.message);
    }
  }

  showPoster(article) {
    const video = this.video(article);
    if (video.dataset.poster) {
      video.poster = video.dataset.poster;
      delete video.dataset.poster;
    }
    this.near.unobserve(article);
  }

  reset() {
    if (this.active) this.deactivate(this.active);
    this.observer.disconnect();
    this.near.disconnect();
  }

  onIntersect(entries) {
    for (const entry of entries) {
      if (entry.isIntersecting && entry.intersectionRatio >= 0.6) this.activate(entry.target);
      else if (entry.target === this.active) this.deactivate(entry.target);
    }
  }

  activate(article) {
    if (this.active === article) return;
    if (this.active) this.deactivate(this.active);
    this.active = article;
    article.classList.add("is-active");
    this.tracker(article);
    this.play(article);
    live.subscribe(Number(article.dataset.post));
    this.showPoster(article);
    const next = article.nextElementSibling;
    if (next && next.classList.contains("clip")) {
      this.showPoster(next);
      this.video(next).preload = "auto";
    }
  }

  deactivate(article) {
    article.classList.remove("is-active");
    this.video(article).pause();
    this.tracker(article).flush();
    live.unsubscribe(Number(article.dataset.post));
    if (this.active === article) this.active = null;
  }

  play(article) {
    const video = this.video(article);
    video.muted = this.muted;
    if (video.preload !== "auto") video.preload = "auto";
    const playing = video.play();
    if (playing) {
      playing.catch((err) => {
        // Browsers refuse sound without a gesture: fall back to muted playback, the tap to unmute still works.
        if (err.name === "NotAllowedError" && !video.muted) {
          this.setMuted(true);
          video.play().catch(() => {});
        }
      });
    }
  }

  setMuted(muted) {
    this.muted = muted;
    this.scroller.classList.toggle("sound-on", !muted);
    this.syncButtons(this.scroller);
    if (this.active) {
      const video = this.video(this.active);
      video.muted = muted;
      if (video.paused) this.play(this.active);
    }
  }

  syncButtons(root) {
    for (const button of root.querySelectorAll('[data-action="sound"]')) {
      button.setAttribute("aria-label", this.muted ? gettext("Unmute") : gettext("Mute"));
    }
  }

  toggleMute() {
    this.setMuted(!this.muted);
  }
}
