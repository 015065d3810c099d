/* Field work on a phone: the sampling form saves as the sampler types and keeps a draft on the device while the
 * connection is down; photos wait in an on-device queue (IndexedDB) until they are uploaded; signatures are drawn
 * on the screen. Every create carries a UUID made once on the device, so a resubmission never makes a second
 * record. No external script: this file, sha256.js and the browser are all it needs. */
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $$(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x < 16 ? "0" : "") + x.toString(16); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    var input = $("input[name=csrfmiddlewaretoken]");
    return match ? decodeURIComponent(match[1]) : (input ? input.value : "");
  }

  function sha256OfBlob(blob) {
    return blob.arrayBuffer().then(function (buffer) {
      var subtle = window.isSecureContext && window.crypto && crypto.subtle;
      if (subtle) {
        return subtle.digest("SHA-256", buffer).then(function (d) { return window.choujianSha256.toHex(new Uint8Array(d)); });
      }
      return window.choujianSha256.toHex(window.choujianSha256.digest(new Uint8Array(buffer)));
    });
  }

  function say(box, text, kind) {
    if (!box) return;
    box.textContent = text;
    box.className = "status-line " + (kind || "");
  }

  function flatten(body) {
    if (!body || typeof body !== "object") return [String(body || "请求失败")];
    var out = [];
    Object.keys(body).forEach(function (key) {
      var value = body[key];
      (Array.isArray(value) ? value : [value]).forEach(function (v) {
        out.push(typeof v === "object" ? JSON.stringify(v) : String(v));
      });
    });
    return out;
  }

  /* XMLHttpRequest rather than fetch: it reports upload progress, which matters for videos on a weak signal. */
  function send(method, url, body, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader("X-CSRFToken", csrf());
      xhr.setRequestHeader("Accept", "application/json");
      if (!(body instanceof FormData) && body !== null) xhr.setRequestHeader("Content-Type", "application/json");
      if (onProgress && xhr.upload) {
        xhr.upload.onprogress = function (e) { if (e.lengthComputable) onProgress(e.loaded / e.total); };
      }
      xhr.onload = function () {
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
        if (xhr.status >= 200 && xhr.status < 300) resolve(data);
        else reject({ status: xhr.status, body: data });
      };
      xhr.onerror = function () { reject({ status: 0, body: null, offline: true }); };
      xhr.send(body instanceof FormData || body === null ? body : JSON.stringify(body));
    });
  }

  /* ---- Signature pads ------------------------------------------------------------------------------------ */
  function SignaturePad(canvas) {
    var ctx = canvas.getContext("2d"), drawing = false, inked = false, last = null;
    function fit() {
      var ratio = window.devicePixelRatio || 1, rect = canvas.getBoundingClientRect();
      canvas.width = Math.max(1, Math.round(rect.width * ratio));
      canvas.height = Math.max(1, Math.round(rect.height * ratio));
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.6; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111";
      inked = false;
    }
    function point(e) { var r = canvas.getBoundingClientRect(); return { x: e.clientX - r.left, y: e.clientY - r.top }; }
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true; last = point(e); canvas.setPointerCapture(e.pointerId); e.preventDefault();
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = point(e);
      ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke();
      last = p; inked = true; e.preventDefault();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (t) { canvas.addEventListener(t, function () { drawing = false; }); });
    fit();
    this.clear = fit;
    this.isEmpty = function () { return !inked; };
    this.toBlob = function () { return new Promise(function (resolve) { canvas.toBlob(resolve, "image/png"); }); };
  }

  function setupPads(root) {
    $$("canvas.sigpad", root).forEach(function (canvas) {
      var pad = new SignaturePad(canvas);
      canvas.pad = pad;
      var clear = canvas.parentNode.querySelector("[data-clear]");
      if (clear) clear.addEventListener("click", function () { pad.clear(); });
    });
  }

  /* ---- Generic API forms: fields + files + signature pads, posted as multipart with the form's own UUID -------- */
  function setupApiForms() {
    $$("form[data-api]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var status = $(".status-line", form), button = $("button[type=submit]", form);
        var data = new FormData(form), pads = $$("canvas.sigpad", form), waits = [];
        data.delete("csrfmiddlewaretoken");
        $$("input[type=file]", form).forEach(function (input) { if (!input.files.length) data.delete(input.name); });
        for (var i = 0; i < pads.length; i++) {
          var canvas = pads[i];
          if (canvas.pad.isEmpty()) {
            if (canvas.dataset.optional) continue;
            say(status, "请在“" + canvas.dataset.label + "”签名框内手写签名", "bad");
            return;
          }
          waits.push(canvas.pad.toBlob().then((function (name) {
            return function (blob) { data.append(name, blob, name + ".png"); };
          })(canvas.dataset.name)));
        }
        button && (button.disabled = true);
        say(status, "正在提交…");
        Promise.all(waits).then(function () {
          return send("POST", form.dataset.api, data, function (f) { say(status, "正在上传 " + Math.round(f * 100) + "%"); });
        }).then(function (body) {
          say(status, "已提交", "ok");
          var next = form.dataset.next || window.location.href;
          Object.keys(body || {}).forEach(function (k) { next = next.replace("{" + k + "}", body[k]); });
          window.location.href = next;
        }).catch(function (err) {
          button && (button.disabled = false);
          if (err.offline) say(status, "网络不可用：请恢复网络后再次提交（重复提交不会产生重复记录）", "bad");
          else say(status, flatten(err.body).join("；"), "bad");
        });
      });
    });
  }

  /* ---- The sampling form --------------------------------------------------------------------------------- */
  function setupRecord(page) {
    var code = page.dataset.code, api = page.dataset.api, form = $("#record-form"), status = $("#save-status");
    var draftKey = "choujian-draft-" + code, timer = null, saving = false, again = false;
    if (!form) return;

    var unreadable = [];
    function values() {
      var out = {};
      unreadable = [];
      $$("[data-field]", form).forEach(function (el) {
        var name = el.dataset.field;
        if (name === "version") return;
        // A date the browser cannot read reports "" — never send that over the stored value.
        if (el.validity && el.validity.badInput) { unreadable.push(el); return; }
        var v = el.value;
        if (name === "seal_numbers") v = v.split(/[,，\s]+/).filter(function (s) { return s; });
        else if (name === "paper_matches") v = v === "true" ? true : (v === "false" ? false : null);
        else if (["lot_size", "latitude", "longitude", "position_accuracy", "backup_portions"].indexOf(name) >= 0) v = v === "" ? null : v;
        else if (name === "production_date" || name === "device_time") v = v === "" ? null : v;
        out[name] = v;
      });
      return out;
    }
    function version() { return parseInt($("[name=version]", form).value, 10); }
    function rememberDraft() {
      localStorage.setItem(draftKey, JSON.stringify({ version: version(), values: values(), at: Date.now() }));
    }
    function forgetDraft() { localStorage.removeItem(draftKey); }

    function save() {
      if (saving) { again = true; return; }
      saving = true;
      var payload = values();
      payload.version = version();
      say(status, "正在保存…");
      var unread = unreadable.map(function (el) { return (el.labels && el.labels[0] ? el.labels[0].textContent : el.name).trim(); });
      send("PATCH", api, payload).then(function (body) {
        saving = false;
        if (unread.length) {
          say(status, "已保存其他内容；" + unread.join("、") + " 无法识别，请按 2026-11-18 的格式重新填写（原值未改动）", "warn");
          return;
        }
        $("[name=version]", form).value = body.version;
        page.dataset.content = body.content_sha256;
        $$(".content-hash").forEach(function (el) { el.textContent = body.content_sha256; });
        forgetDraft();
        var voided = (body.signatures || []).filter(function (s) { return !s.valid; }).length;
        say(status, "已保存" + (voided ? "（表单已变更，之前的签字已作废，请重新签字）" : ""), "ok");
        renderProblems(body.problems || {});
        if (again) { again = false; save(); }
      }).catch(function (err) {
        saving = false;
        if (err.offline) {
          rememberDraft();
          say(status, "离线：草稿已保存在本机，恢复网络后自动提交", "warn");
        } else if (err.status === 409) {
          rememberDraft();
          say(status, "他人已修改此抽样单：请刷新页面（您的草稿保存在本机）", "bad");
        } else {
          say(status, flatten(err.body).join("；"), "bad");
        }
      });
    }
    function renderProblems(problems) {
      var list = $("#problems");
      if (!list) return;
      list.innerHTML = "";
      Object.keys(problems).forEach(function (key) {
        problems[key].forEach(function (text) { var li = document.createElement("li"); li.textContent = text; list.appendChild(li); });
      });
      var ready = !list.children.length;
      var seal = $("#seal-button");
      if (seal) seal.disabled = !ready;
      $("#ready-note") && ($("#ready-note").hidden = !ready);
    }

    var draft = localStorage.getItem(draftKey);
    if (draft) {
      try {
        draft = JSON.parse(draft);
        if (draft.version === version()) {
          Object.keys(draft.values).forEach(function (name) {
            var el = $("[data-field=" + name + "]", form), v = draft.values[name];
            if (!el) return;
            el.value = Array.isArray(v) ? v.join(", ") : (v === null || v === undefined ? (name === "paper_matches" ? "unknown" : "") : String(v));
          });
          say(status, "已恢复本机保存的草稿，正在提交…", "warn");
          setTimeout(save, 300);
        } else {
          forgetDraft();
        }
      } catch (e) { forgetDraft(); }
    }
    form.addEventListener("input", function () { rememberDraft(); clearTimeout(timer); timer = setTimeout(save, 1200); });
    form.addEventListener("change", function () { rememberDraft(); clearTimeout(timer); timer = setTimeout(save, 400); });
    form.addEventListener("submit", function (e) { e.preventDefault(); clearTimeout(timer); save(); });
    window.addEventListener("online", function () { if (localStorage.getItem(draftKey)) save(); });

    var locate = $("#locate");
    if (locate) locate.addEventListener("click", function () {
      if (!navigator.geolocation) { say(status, "此设备不支持定位", "bad"); return; }
      say(status, "正在定位…");
      navigator.geolocation.getCurrentPosition(function (pos) {
        $("[data-field=latitude]", form).value = pos.coords.latitude.toFixed(6);
        $("[data-field=longitude]", form).value = pos.coords.longitude.toFixed(6);
        $("[data-field=position_accuracy]", form).value = Math.round(pos.coords.accuracy || 0);
        $("[data-field=device_time]", form).value = new Date(pos.timestamp || Date.now()).toISOString();
        rememberDraft(); save();
      }, function (err) { say(status, "定位失败：" + err.message + "（请在手机设置中允许定位）", "bad"); },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });

    setupUploads(page);
    setupSigning(page);
  }

  /* ---- Photos and videos: queued on the device, hashed, uploaded with progress, retried ---------------------- */
  function openQueue() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { resolve(null); return; }
      var req = indexedDB.open("choujian-field", 1);
      req.onupgradeneeded = function () { req.result.createObjectStore("uploads", { keyPath: "client_uuid" }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { resolve(null); };
    });
  }
  function queueOp(db, mode, fn) {
    return new Promise(function (resolve) {
      if (!db) { resolve(null); return; }
      var tx = db.transaction("uploads", mode), store = tx.objectStore("uploads"), result = fn(store);
      tx.oncomplete = function () { resolve(result && result.result); };
      tx.onerror = function () { resolve(null); };
    });
  }

  function setupUploads(page) {
    var form = $("#evidence-form");
    if (!form) return;
    var api = page.dataset.api + "evidence/", status = $(".status-line", form), list = $("#upload-queue");
    var dbPromise = openQueue(), busy = false;

    function row(item, text) {
      var li = $("#q-" + item.client_uuid);
      if (!li) { li = document.createElement("li"); li.id = "q-" + item.client_uuid; list.appendChild(li); }
      li.textContent = item.name + "：" + text;
      return li;
    }
    function pump() {
      if (busy) return;
      dbPromise.then(function (db) {
        return queueOp(db, "readonly", function (s) { return s.getAll(); }).then(function (items) {
          items = (items || []).filter(function (i) { return i.record === page.dataset.code; });
          if (!items.length) return;
          busy = true;
          var item = items[0], data = new FormData();
          data.append("kind", item.kind);
          data.append("client_uuid", item.client_uuid);
          data.append("sha256", item.sha256);
          data.append("file", item.blob, item.name);
          return send("POST", api, data, function (f) { row(item, "上传中 " + Math.round(f * 100) + "%"); })
            .then(function () {
              row(item, "已上传（SHA-256 " + item.sha256.slice(0, 12) + "…）");
              return queueOp(db, "readwrite", function (s) { return s.delete(item.client_uuid); });
            })
            .then(function () { busy = false; if (items.length === 1) window.location.reload(); else pump(); })
            .catch(function (err) {
              busy = false;
              if (err.offline) { row(item, "等待网络，恢复后自动上传"); return; }
              row(item, "未能上传：" + flatten(err.body).join("；"));
              return queueOp(db, "readwrite", function (s) { return s.delete(item.client_uuid); });
            });
        });
      });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = $("input[type=file]", form), kind = $("select[name=kind]", form).value;
      var chosen = Array.prototype.slice.call(input.files || []);
      if (!chosen.length) { say(status, "请先拍照或选择文件", "bad"); return; }
      say(status, "正在计算 SHA-256…");
      Promise.all(chosen.map(function (file) {
        return sha256OfBlob(file).then(function (hash) {
          return { client_uuid: uuid4(), record: page.dataset.code, kind: kind, name: file.name || "photo.jpg", blob: file, sha256: hash };
        });
      })).then(function (items) {
        return dbPromise.then(function (db) {
          if (!db) { window.__choujianMemoryQueue = items; }
          return Promise.all(items.map(function (item) {
            row(item, "排队待上传");
            return queueOp(db, "readwrite", function (s) { return s.put(item); });
          }));
        });
      }).then(function () { input.value = ""; say(status, ""); pump(); });
    });
    window.addEventListener("online", pump);
    setInterval(pump, 15000);
    pump();
  }

  /* ---- Signing: the signer sees the content hash they sign; the signature is sent with that hash --------------- */
  function setupSigning(page) {
    $$("form.sign-form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var status = $(".status-line", form), canvas = $("canvas.sigpad", form);
        if (canvas.pad.isEmpty()) { say(status, "请先手写签名", "bad"); return; }
        var data = new FormData(form);
        data.delete("csrfmiddlewaretoken");
        data.set("content_sha256", page.dataset.content);
        if (!data.get("client_uuid")) data.set("client_uuid", uuid4());
        var lat = $("[data-field=latitude]"), lon = $("[data-field=longitude]");
        if (lat && lat.value) data.set("latitude", lat.value);
        if (lon && lon.value) data.set("longitude", lon.value);
        say(status, "正在提交签字…");
        canvas.pad.toBlob().then(function (blob) {
          data.append("image", blob, "signature.png");
          return send("POST", page.dataset.api + "signatures/", data);
        }).then(function () { window.location.reload(); }).catch(function (err) {
          if (err.offline) say(status, "网络不可用：恢复后请再次点击确认（不会重复签字）", "bad");
          else say(status, flatten(err.body).join("；"), "bad");
        });
      });
    });
  }

  /* The suggested handover place follows the chosen receiver, until the sampler types a place of their own. */
  function setupPlaces() {
    $$("select[data-place-target]").forEach(function (select) {
      var input = document.getElementById(select.dataset.placeTarget), typed = false;
      if (!input) return;
      input.addEventListener("input", function () { typed = true; });
      select.addEventListener("change", function () {
        var option = select.options[select.selectedIndex];
        if (!typed && option && option.dataset.place) input.value = option.dataset.place;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    $$(".js-only").forEach(function (el) { el.hidden = false; });
    setupPlaces();
    setupPads(document);
    setupApiForms();
    var page = $("#record-page");
    if (page) setupRecord(page);
  });
})();
