// The console's behaviour beyond HTMX: the live alert stream and its sound, night mode,
// and the idle lock that asks for the password again without leaving the page.
(function () {
  "use strict";

  const body = document.body;
  const store = window.localStorage;

  // Night mode: the system's choice unless the member picked one here.
  const themeButton = document.getElementById("theme-toggle");
  function applyTheme(theme) {
    if (theme) document.documentElement.dataset.theme = theme;
    const dark = theme === "dark" ||
      (!theme && window.matchMedia("(prefers-color-scheme: dark)").matches);
    if (themeButton) themeButton.setAttribute("aria-pressed", String(dark));
  }
  applyTheme(store.getItem("pw-theme"));
  if (themeButton) {
    themeButton.addEventListener("click", function () {
      const dark = themeButton.getAttribute("aria-pressed") === "true";
      const next = dark ? "light" : "dark";
      store.setItem("pw-theme", next);
      applyTheme(next);
    });
  }

  // The idle lock: the server ends an idle session; the page covers itself and asks again.
  const lockDialog = document.getElementById("lock");
  const idleSeconds = Number(body.dataset.idleSeconds || 0);
  let idleTimer = null;
  function lock() {
    if (!lockDialog || lockDialog.open) return;
    body.classList.add("locked");
    lockDialog.showModal();
    document.getElementById("unlock-password").focus();
  }
  function restartIdleTimer() {
    if (!idleSeconds) return;
    window.clearTimeout(idleTimer);
    idleTimer = window.setTimeout(lock, idleSeconds * 1000);
  }
  restartIdleTimer();
  body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 401) lock();
    else restartIdleTimer();
  });
  body.addEventListener("platewarden-locked", lock);
  if (lockDialog) {
    lockDialog.addEventListener("cancel", function (event) { event.preventDefault(); });
    document.getElementById("unlock-form").addEventListener("submit", async function (event) {
      event.preventDefault();
      const problem = document.getElementById("unlock-problem");
      const answer = await fetch("/unlock", {
        method: "POST", body: new FormData(event.target), credentials: "same-origin",
      });
      const redirect = answer.headers.get("HX-Redirect");
      if (redirect) { window.location.assign(redirect); return; }
      if (answer.status === 204) {
        event.target.reset();
        problem.textContent = "";
        lockDialog.close();
        body.classList.remove("locked");
        restartIdleTimer();
        connectStream();
        return;
      }
      problem.textContent = await answer.text();
    });
  }

  // The live alert feed: the stream says that something changed; the feed fetches itself again.
  const muteButton = document.getElementById("mute");
  function muted() { return store.getItem("pw-muted") === "yes"; }
  if (muteButton) {
    muteButton.setAttribute("aria-pressed", String(muted()));
    muteButton.addEventListener("click", function () {
      store.setItem("pw-muted", muted() ? "no" : "yes");
      muteButton.setAttribute("aria-pressed", String(muted()));
    });
  }
  let audio = null;
  function chime() {
    if (muted()) return;
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.6);
  }
  const streamHost = document.querySelector("[data-stream]");
  let stream = null;
  function connectStream() {
    if (!streamHost) return;
    if (stream) stream.close();
    stream = new EventSource(streamHost.dataset.stream);
    stream.addEventListener("alert", function (event) {
      window.htmx.trigger("#feed", "alerts-changed");
      if (event.data === "new") chime();
    });
    stream.addEventListener("locked", function () { stream.close(); lock(); });
    stream.addEventListener("error", function () {
      if (stream.readyState === EventSource.CLOSED && !body.classList.contains("locked")) {
        window.setTimeout(connectStream, 3000);
      }
    });
    stream.addEventListener("open", function () { streamHost.dataset.connected = "yes"; });
  }
  connectStream();
})();
