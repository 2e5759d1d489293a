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

// Search: the area on the cameras' map. A drag draws a rectangle and searches the circle
// around it; a click puts the centre there (keeping the radius). The map's units are metres
// from its north-west corner; the typed fields stay the truth, the map only fills them.
(function () {
  "use strict";

  const map = document.getElementById("area-map");
  const fields = ["latitude", "longitude", "radius_m"].map(function (id) {
    return document.getElementById(id);
  });
  if (!map || fields.some(function (f) { return !f; })) return;
  const [latField, lonField, radiusField] = fields;
  const north = Number(map.dataset.north);
  const west = Number(map.dataset.west);
  const mPerLat = Number(map.dataset.mPerLat);
  const mPerLon = Number(map.dataset.mPerLon);
  const circle = document.getElementById("area-circle");
  const rect = document.getElementById("area-rect");
  const DEFAULT_RADIUS_M = 500;
  const CLICK_PX = 5;

  function toMap(event) {
    const point = map.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(map.getScreenCTM().inverse());
  }
  function draw() {
    const lat = parseFloat(latField.value);
    const lon = parseFloat(lonField.value);
    const radius = parseFloat(radiusField.value);
    if ([lat, lon, radius].some(Number.isNaN) || radius <= 0) {
      circle.setAttribute("visibility", "hidden");
      return;
    }
    circle.setAttribute("cx", String((lon - west) * mPerLon));
    circle.setAttribute("cy", String((north - lat) * mPerLat));
    circle.setAttribute("r", String(radius));
    circle.setAttribute("visibility", "visible");
  }
  function fill(x, y, radius) {
    latField.value = (north - y / mPerLat).toFixed(6);
    lonField.value = (west + x / mPerLon).toFixed(6);
    radiusField.value = String(Math.max(1, Math.round(radius)));
    draw();
  }

  let start = null;
  map.addEventListener("pointerdown", function (event) {
    start = { at: toMap(event), x: event.clientX, y: event.clientY };
    map.setPointerCapture(event.pointerId);
  });
  map.addEventListener("pointermove", function (event) {
    if (!start) return;
    const here = toMap(event);
    rect.setAttribute("x", String(Math.min(start.at.x, here.x)));
    rect.setAttribute("y", String(Math.min(start.at.y, here.y)));
    rect.setAttribute("width", String(Math.abs(here.x - start.at.x)));
    rect.setAttribute("height", String(Math.abs(here.y - start.at.y)));
    rect.setAttribute("visibility", "visible");
  });
  map.addEventListener("pointerup", function (event) {
    if (!start) return;
    const here = toMap(event);
    const moved = Math.hypot(event.clientX - start.x, event.clientY - start.y);
    if (moved < CLICK_PX) {
      rect.setAttribute("visibility", "hidden");
      fill(here.x, here.y, parseFloat(radiusField.value) || DEFAULT_RADIUS_M);
    } else {
      const half = Math.hypot(here.x - start.at.x, here.y - start.at.y) / 2;
      fill((here.x + start.at.x) / 2, (here.y + start.at.y) / 2, half);
    }
    start = null;
  });
  fields.forEach(function (field) { field.addEventListener("input", draw); });
  const clear = document.getElementById("area-clear");
  if (clear) {
    clear.addEventListener("click", function () {
      fields.forEach(function (field) { field.value = ""; });
      rect.setAttribute("visibility", "hidden");
      draw();
    });
  }
})();
