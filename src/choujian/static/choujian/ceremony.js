/* A participant's ceremony page: make a secret on this device, send only its SHA-256 (the commitment), keep
 * the secret in localStorage and on paper, reveal it once every commitment is in. The page reloads to show the
 * next step whenever the ceremony moves on (polled every few seconds). */
(function () {
  "use strict";
  var root = document.getElementById("ceremony");
  if (!root) return;
  var data = root.dataset;
  var storeKey = "choujian:ceremony:" + data.token;
  var MIN_TYPED = 16;
  // The page's words come from the template (data-msg-*), translated there like the rest of the page.
  function text(name) { return data[name] || ""; }

  function $(id) { return document.getElementById(id); }

  function remember(secret) {
    try { localStorage.setItem(storeKey, secret); } catch (e) { /* private mode: the paper copy remains */ }
  }

  function recall() {
    try { return localStorage.getItem(storeKey) || ""; } catch (e) { return ""; }
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function showError(text) {
    var box = $("error");
    if (box) box.textContent = text;
  }

  function messages(body) {
    if (!body || typeof body !== "object") return text("msgFailed");
    var out = [];
    Object.keys(body).forEach(function (key) {
      var value = body[key];
      out.push(Array.isArray(value) ? value.join(" ") : String(value));
    });
    return out.join(text("msgSeparator")) || text("msgFailed");
  }

  function post(url, payload) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if (!response.ok) throw new Error(messages(body));
        return body;
      });
    });
  }

  function randomSecret() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return window.choujianSha256.toHex(bytes);
  }

  function setupCommit() {
    var input = $("secret"), button = $("commit"), saved = $("saved"), shown = $("secret-show");
    var commitment = "";
    var stored = recall();
    if (stored) input.value = stored;

    function refresh() {
      var secret = input.value.trim();
      if (secret) remember(secret);
      $("secret-box").hidden = !secret;
      shown.textContent = secret;
      commitment = "";
      $("commitment").textContent = "—";
      button.disabled = true;
      if (!secret) return;
      window.choujianSha256.hexAsync(secret).then(function (hash) {
        if (input.value.trim() !== secret) return;  // typed on meanwhile
        commitment = hash;
        $("commitment").textContent = hash;
        button.disabled = !saved.checked;
      });
    }

    $("generate").addEventListener("click", function () {
      input.value = randomSecret();
      saved.checked = false;
      refresh();
    });
    input.addEventListener("input", function () { saved.checked = false; refresh(); });
    saved.addEventListener("change", function () { button.disabled = !(saved.checked && commitment); });
    button.addEventListener("click", function () {
      var secret = input.value.trim();
      showError("");
      if (secret.length < MIN_TYPED) {
        showError(text("msgTooShort").replace("{min}", String(MIN_TYPED)));
        return;
      }
      button.disabled = true;
      remember(secret);
      window.choujianSha256.hexAsync(secret).then(function (hash) {
        return post(data.commitUrl, { commitment: hash });
      }).then(function () {
        window.location.reload();
      }).catch(function (error) {
        showError(error.message || text("msgNetwork"));
        button.disabled = false;
      });
    });
    refresh();
  }

  function setupReveal() {
    var input = $("reveal-secret"), button = $("reveal"), match = $("match");
    input.value = recall();

    function check() {
      var secret = input.value.trim();
      if (!secret) { match.textContent = ""; return; }
      window.choujianSha256.hexAsync(secret).then(function (hash) {
        if (input.value.trim() !== secret) return;
        var ok = hash === data.commitment;
        match.textContent = ok ? text("msgMatch") : text("msgMismatch");
        match.className = "small " + (ok ? "" : "error");
      });
    }

    input.addEventListener("input", check);
    button.addEventListener("click", function () {
      var secret = input.value.trim();
      showError("");
      if (!secret) { showError(text("msgEmpty")); return; }
      button.disabled = true;
      window.choujianSha256.hexAsync(secret).then(function (hash) {
        if (hash !== data.commitment) throw new Error(text("msgWrongSecret"));
        return post(data.revealUrl, { secret: secret });
      }).then(function () {
        window.location.reload();
      }).catch(function (error) {
        showError(error.message || text("msgNetwork"));
        button.disabled = false;
      });
    });
    check();
  }

  function snapshot(state) {
    var flags = state.participants.map(function (p) { return (p.committed ? "1" : "0") + (p.revealed ? "1" : "0"); });
    return state.status + ":" + flags.join("");
  }

  function poll() {
    fetch(data.statusUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) return;
        // While the participant still has to act, only a change of phase reloads (never wipe their input).
        var pending = data.step === "commit" || data.step === "reveal";
        var now = pending ? state.status : snapshot(state);
        var before = pending ? data.snapshot.split(":")[0] : data.snapshot;
        if (now !== before) window.location.reload();
      })
      .catch(function () { /* offline for a moment: try again at the next tick */ });
  }

  if (data.step === "commit") setupCommit();
  if (data.step === "reveal") setupReveal();
  if (data.step !== "done" && data.step !== "blocked") window.setInterval(poll, 4000);
})();
