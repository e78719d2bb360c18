/*
 * PDA terminal client. ES5 on purpose (Android 8 Chrome/WebView), no build step.
 *
 * - One scan input per screen, always focused. A scan ends with Enter, Tab, or
 *   a short silence (scanners that inject text without a suffix). The text is
 *   sent exactly as scanned (GS, "|" substitutes, AIM ids like "]C1"): the
 *   server decides what it means.
 * - Every step goes through a queue persisted in localStorage. Each entry keeps
 *   its client request id and the screen seq it answers, so a resend after a
 *   network failure is the same request and the server applies it once.
 *   Only one step is in flight; scans made meanwhile wait in the queue.
 * - Feedback: flash, Web Audio tone, vibration. Each event is recorded in
 *   window.__wmsFeedback and on <body data-feedback> for browser tests.
 * - Live tasks: Socket.IO namespace with auth {last_seq}; events deduped by
 *   seq; GET /events?after=N polling whenever the socket is down.
 */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("wms-config").textContent);
  var T = cfg.texts || {};
  var body = document.body;
  var userKey = cfg.user ? String(cfg.user.id) : "anon";

  function $(id) { return document.getElementById(id); }

  function fmt(key, params) {
    var text = T[key] || key;
    for (var name in params) {
      if (params.hasOwnProperty(name)) { text = text.split("{" + name + "}").join(String(params[name])); }
    }
    return text;
  }

  // ---- storage: JSON in localStorage; quota or private mode degrade to memory only
  var memory = {};
  var store = {
    get: function (key, fallback) {
      try {
        var raw = localStorage.getItem(key);
        return raw === null ? (key in memory ? memory[key] : fallback) : JSON.parse(raw);
      } catch (e) { return key in memory ? memory[key] : fallback; }
    },
    set: function (key, value) {
      memory[key] = value;
      try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* memory only */ }
    }
  };
  function userStoreKey(name) { return "wms." + name + "." + userKey; }

  // crypto.randomUUID needs a secure context; PDAs often use plain http on the LAN.
  function uuid() {
    var b = new Uint8Array(16), i, hex = [];
    if (window.crypto && window.crypto.getRandomValues) { window.crypto.getRandomValues(b); }
    else { for (i = 0; i < 16; i++) { b[i] = Math.floor(Math.random() * 256); } }
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    for (i = 0; i < 16; i++) { hex.push((b[i] + 256).toString(16).slice(1)); }
    hex = hex.join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function deviceId() {
    var id = store.get("wms.device_id", null);
    if (!id) { id = "pda-" + uuid(); store.set("wms.device_id", id); }
    return id;
  }

  // ---- feedback ------------------------------------------------------------
  var TONES = {  // [frequency Hz, milliseconds]
    ok: [[1800, 80]],
    error: [[330, 220], [220, 380]],
    warning: [[700, 120], [700, 120]],
    task: [[660, 110], [990, 110], [1320, 160]]
  };
  var audioCtx = null;

  // Audio may only start after a user gesture: the first key or touch unlocks it.
  function audio() {
    var AC = window.AudioContext || window.webkitAudioContext;
    if (!audioCtx && AC) { try { audioCtx = new AC(); } catch (e) { return null; } }
    if (audioCtx && audioCtx.state === "suspended" && audioCtx.resume) { audioCtx.resume(); }
    return audioCtx;
  }
  document.addEventListener("keydown", audio, true);
  document.addEventListener("touchstart", audio, true);
  document.addEventListener("mousedown", audio, true);

  function play(name) {
    var ctx = audio(), notes = TONES[name];
    if (!ctx || !notes) { return false; }
    var t = ctx.currentTime + 0.01;
    for (var i = 0; i < notes.length; i++) {
      var osc = ctx.createOscillator(), gain = ctx.createGain(), seconds = notes[i][1] / 1000;
      osc.type = name === "error" ? "square" : "sine";
      osc.frequency.value = notes[i][0];
      gain.gain.setValueAtTime(0.35, t);
      gain.gain.exponentialRampToValueAtTime(0.001, t + seconds);
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start(t);
      osc.stop(t + seconds);
      t += seconds + 0.04;
    }
    return ctx.state === "running";
  }

  var feedbackLog = window.__wmsFeedback = [];

  // kind: success | error | warning | task
  function feedback(kind) {
    var tone = { success: "ok", error: "error", warning: "warning", task: "task" }[kind];
    var flash = $("flash");
    if (flash && kind !== "task") {
      flash.className = "flash " + kind + " show";
      // Dropping "show" after a moment lets the CSS transition fade the flash out.
      setTimeout(function () { flash.className = "flash " + kind; }, kind === "error" ? 450 : 150);
    }
    var audible = play(tone);
    var vibrated = kind === "error" && navigator.vibrate ? navigator.vibrate([200, 100, 200]) : false;
    feedbackLog.push({ kind: kind, tone: tone, audible: audible, vibrated: !!vibrated, at: Date.now() });
    body.setAttribute("data-feedback", kind);
    body.setAttribute("data-feedback-count", String(feedbackLog.length));
  }

  function showMessage(text, level) {
    var box = $("message");
    if (!box) { return; }
    box.hidden = !text;
    box.textContent = text || "";
    box.className = "message" + (level ? " message-" + level : "");
  }

  function banner(id, text) {
    var el = $(id);
    if (el) { el.hidden = !text; el.textContent = text || ""; }
  }

  // ---- HTTP: always resolves with {status, data}; status 0 means the network failed
  function markActive() { store.set("wms.active_at", Date.now()); }

  function request(method, url, data) {
    var opts = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    var ctl = window.AbortController ? new AbortController() : null, timer = null;
    if (method !== "GET") {
      opts.headers["Content-Type"] = "application/json";
      opts.headers["X-CSRF-Token"] = cfg.csrf;
      opts.body = JSON.stringify(data || {});
    }
    if (ctl) { opts.signal = ctl.signal; timer = setTimeout(function () { ctl.abort(); }, 15000); }
    return fetch(url, opts).then(function (res) {
      return res.text().then(function (text) {
        var json = null;
        try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
        return { status: res.status, data: json };
      });
    }).catch(function () {
      return { status: 0, data: null };
    }).then(function (result) {
      clearTimeout(timer);
      return result;
    });
  }

  function api(method, path, data) {
    if (method !== "GET" && path !== "/events/ack") { markActive(); }
    return request(method, cfg.api + path, data);
  }

  // A proxy answering for a server that is restarting is as good as offline.
  function transient(r) { return r.status === 0 || r.status === 502 || r.status === 503 || r.status === 504; }

  function isScreen(d) { return !!d && typeof d === "object" && typeof d.seq === "number" && "state" in d; }

  function problemText(r) {
    var d = r.data || {};
    return fmt("error", { detail: d.detail || d.title || d.message || ("HTTP " + r.status) });
  }

  function toLogin() {
    window.location.href = cfg.urls.login + "?next=" + encodeURIComponent(window.location.pathname);
  }

  // ---- the scan input ------------------------------------------------------
  // opts.onScan(value) gets each complete scan; opts.onKey(name) gets "F1".."F12"
  // and lone digits "1".."9" (action shortcuts) and returns true if it used them.
  // opts.digitsAreKeys() says whether a lone digit may be a shortcut at all (not
  // while the screen asks for a quantity: "1" then a pause before Enter is a quantity).
  function ScanInput(el, opts) {
    var keyTimes = [], timer = null, manual = false, lastValue = null, lastAt = 0;

    function clear() {
      el.value = "";
      keyTimes = [];
      clearTimeout(timer);
      timer = null;
    }

    function submit() {
      var value = el.value;
      clear();
      if (manual) { setManual(false); }
      if (!value || !/\S/.test(value.replace(/\x1d/g, "x"))) { return; }
      // A scanner that double-fires sends the same code twice within a moment: keep
      // one. A new screen forgets it, so scanning the same code again there counts.
      var now = Date.now();
      if (value === lastValue && now - lastAt < 500) { return; }
      lastValue = value;
      lastAt = now;
      opts.onScan(value);
    }

    // Silence after input: a scanner without a suffix has finished. A human
    // typing is slower than a wedge, so their text waits for Enter instead.
    function onSilence() {
      timer = null;
      var value = el.value, n = keyTimes.length;
      if (!value) { return; }
      if (!manual && /^[1-9]$/.test(value) && (!opts.digitsAreKeys || opts.digitsAreKeys())) {
        if (opts.onKey && opts.onKey(value)) { clear(); }
        return;
      }
      if (value.length < 3 || manual) { return; }
      // Text injected in one go (commitText modes) comes with few or no keydowns.
      if (n * 2 < value.length) { submit(); return; }
      if (n >= 2 && (keyTimes[n - 1] - keyTimes[0]) / (n - 1) <= cfg.scan.maxGapMs) { submit(); }
    }

    function restartSilence() {
      clearTimeout(timer);
      timer = el.value ? setTimeout(onSilence, cfg.scan.silenceMs) : null;
      if (!el.value) { keyTimes = []; }
    }

    function insert(text) {
      var start = el.selectionStart, end = el.selectionEnd, value = el.value;
      if (typeof start !== "number") { start = end = value.length; }
      el.value = value.slice(0, start) + text + value.slice(end);
      el.selectionStart = el.selectionEnd = start + text.length;
      restartSilence();
    }

    function setManual(on) {
      manual = on;
      el.setAttribute("inputmode", on ? "text" : "none");
      el.className = on ? "scan manual" : "scan";
      el.blur();
      el.focus();
    }

    el.addEventListener("keydown", function (e) {
      var code = e.keyCode || e.which, key = e.key || "";
      if (code === 13 || code === 9 || key === "Enter" || key === "Tab") {  // Enter or Tab suffix
        e.preventDefault();
        submit();
        return;
      }
      if (code >= 112 && code <= 123) {
        if (opts.onKey && opts.onKey("F" + (code - 111))) { e.preventDefault(); }
        return;
      }
      // Some wedges type FNC1/GS as Ctrl+]: that key is ASCII 29, keep it in the text.
      if (e.ctrlKey && (code === 221 || key === "]")) {
        e.preventDefault();
        insert("\x1d");
        return;
      }
      // 229/"Unidentified"/"Process": an IME or commitText; no timing to learn from.
      if (code === 229 || key === "Unidentified" || key === "Process") { return; }
      if (key.length === 1 || (!key && code >= 48)) {
        if (!el.value) { keyTimes = []; }
        keyTimes.push(Date.now());
      }
    });
    el.addEventListener("input", restartSilence);

    // Keep the focus on the scan input: after a tap, a blur, or coming back to the app.
    function refocus() {
      var active = document.activeElement;
      if (el.disabled || active === el) { return; }
      if (active && active !== body && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) { return; }
      el.focus();
    }
    el.addEventListener("blur", function () { setTimeout(refocus, 0); });
    document.addEventListener("click", function () { setTimeout(refocus, 0); });
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { refocus(); } });
    refocus();

    this.toggleManual = function () { setManual(!manual); };
    this.newScreen = function () { lastValue = null; };
    this.focus = refocus;
  }

  // Buttons with data-key="F2" answer to that key.
  function clickKeyed(name) {
    var buttons = document.querySelectorAll("[data-key='" + name + "']");
    for (var i = 0; i < buttons.length; i++) {
      // offsetParent is null when the button or a parent is hidden.
      if (buttons[i].offsetParent !== null && !buttons[i].disabled) { buttons[i].click(); return true; }
    }
    return false;
  }

  // ---- sign-in page --------------------------------------------------------
  function loginPage() {
    var form = $("login-form"), scan = $("scan"), sent = false;
    $("device-id").value = deviceId();
    function mode(pin) {
      $("badge-mode").hidden = pin;
      $("pin-mode").hidden = !pin;
      scan.disabled = pin;
      $("username").disabled = !pin;
      $("pin").disabled = !pin;
      (pin ? ($("username").value ? $("pin") : $("username")) : scan).focus();
    }
    $("to-pin").addEventListener("click", function () { mode(true); });
    $("to-badge").addEventListener("click", function () { mode(false); });
    new ScanInput(scan, {
      onScan: function (value) {
        if (sent) { return; }
        sent = true;
        scan.value = value;
        form.submit();
      },
      onKey: clickKeyed
    });
    document.addEventListener("keydown", function (e) {
      var code = e.keyCode || e.which;
      if (e.target !== scan && code >= 112 && code <= 123 && clickKeyed("F" + (code - 111))) { e.preventDefault(); }
    });
    if (!scan.disabled) { scan.focus(); } else { mode(true); }
    if (body.getAttribute("data-initial-feedback") === "error") { feedback("error"); }
  }

  // ---- live tasks: Socket.IO with a polling fallback -------------------------
  function live(onTask) {
    var seqKey = userStoreKey("last_seq"), pollTimer = null, socket = null;
    function lastSeq() { return store.get(seqKey, 0) || 0; }

    // Replays and retries can deliver an event twice: act on each seq once.
    function handle(name, data) {
      var seq = data && typeof data.seq === "number" ? data.seq : null;
      var payload = data && data.payload !== undefined ? data.payload : data;
      if (seq !== null) {
        if (seq <= lastSeq()) { return seq; }
        store.set(seqKey, seq);
      }
      if (/^task\./.test(name)) { onTask(name, payload || {}); }
      return seq;
    }

    function poll() {
      api("GET", "/events?after=" + lastSeq()).then(function (r) {
        var list = r.status === 200 && r.data && r.data.events ? r.data.events : [], top = 0;
        for (var i = 0; i < list.length; i++) {
          top = Math.max(top, handle(list[i].name, list[i]) || 0);
        }
        if (top) { api("POST", "/events/ack", { seq: top }); }
      });
    }

    function startPolling() {
      if (!pollTimer) {
        pollTimer = setInterval(poll, cfg.pollSeconds * 1000);
        banner("live", T.live_off);
        setTimeout(function () { banner("live", ""); }, 4000);
      }
    }
    function stopPolling() { clearInterval(pollTimer); pollTimer = null; }

    if (window.io) {
      // auth is a function so every reconnect sends the newest last_seq.
      socket = window.io(cfg.namespace, {
        auth: function (cb) { cb({ last_seq: lastSeq() }); },
        reconnectionDelayMax: 10000
      });
      socket.on("connect", function () { stopPolling(); poll(); });
      socket.on("disconnect", startPolling);
      socket.on("connect_error", startPolling);
      socket.onAny(function () {
        var args = Array.prototype.slice.call(arguments), name = args.shift();
        var ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
        var seq = handle(name, args[0]);
        if (ack) { ack({ seq: seq }); } else if (seq !== null) { socket.emit("ack", { seq: seq }); }
      });
    } else {
      startPolling();
    }
    poll();
    window.addEventListener("online", poll);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(); } });
    window.__wmsLive = { poll: poll, socket: socket };
  }

  // "SKU-1 ×3 A-01-01-1 → B-02-01-1", from whatever the task carries.
  function describeTask(task, id) {
    if (task.summary) { return task.summary; }
    var where = task.from_location && task.to_location ? task.from_location + " → " + task.to_location
      : (task.from_location || task.to_location);
    var text = [task.sku, task.qty ? "×" + task.qty : "", where].filter(Boolean).join(" ");
    return text || (task.type ? task.type + " " : "") + "#" + (task.id || id || "");
  }

  function taskSummary(payload) {
    return describeTask(payload.task || payload, payload.task_id || (payload.task_ids && payload.task_ids[0]));
  }

  function taskBanner(name, payload) {
    var text = fmt(name === "task.assigned" ? "task_arrived" : "task_changed",
                   { summary: taskSummary(payload) });
    banner("live", text);
    feedback("task");
    setTimeout(function () { if ($("live").textContent === text) { banner("live", ""); } }, 10000);
  }

  // ---- idle lock: the server enforces it; the page shows it without waiting for a request
  function idleLock() {
    if (!cfg.user || !cfg.idleLockMinutes) { return; }
    markActive();
    setInterval(function () {
      if (Date.now() - store.get("wms.active_at", Date.now()) > cfg.idleLockMinutes * 60000) {
        request("POST", cfg.urls.lock, {}).then(function () { window.location.replace(cfg.urls.login); });
      }
    }, 15000);
  }

  // ---- starting work (home page) -------------------------------------------
  function startFlow(payload) {
    return api("POST", "/flows/start", payload).then(function (r) {
      if (r.status === 401) { return toLogin(); }
      if (isScreen(r.data)) {
        store.set(userStoreKey("screen"), r.data);
        window.location.href = cfg.urls.flow;
        return;
      }
      failed(r);
    });
  }

  function startTask(task) {
    return api("POST", "/tasks/" + task.id + "/start", {}).then(function (r) {
      if (r.status === 401) { return toLogin(); }
      if (transient(r)) { return failed(r); }
      // A task already started by this operator (409) is resumed by its flow.
      return startFlow({ flow: task.flow || task.type, task_id: task.id });
    });
  }

  function failed(r) {
    if (transient(r)) { banner("offline", fmt("offline", { n: 0 })); }
    showMessage(transient(r) ? fmt("offline", { n: 0 }) : problemText(r), "error");
    feedback("error");
  }

  function bindStation(value) {
    return api("POST", "/workstation", { scan: value }).then(function (r) {
      if (r.status === 401) { return toLogin(); }
      var refusal = r.status !== 200 && r.data && r.data.message;
      if (refusal && refusal.text) {  // the catalogued text, in the operator's language
        showMessage(refusal.text, "error");
        return feedback("error");
      }
      if (r.status !== 200 || !r.data) { return failed(r); }
      showMessage(fmt("station_bound", { station: r.data.workstation, name: r.data.name }), "success");
      feedback("success");
    });
  }

  function homePage() {
    var tasks = [];
    function refresh() {
      api("GET", "/me/tasks").then(function (r) {
        if (r.status === 401) { return toLogin(); }
        if (r.status !== 200 || !r.data) { return; }
        tasks = r.data.items || r.data.tasks || [];  // the contract says items; accept tasks too
        var list = $("tasks");
        list.innerHTML = "";
        if (!tasks.length) {
          var none = document.createElement("li");
          none.className = "muted";
          none.textContent = T.no_tasks;
          list.appendChild(none);
        }
        for (var i = 0; i < tasks.length; i++) { list.appendChild(taskRow(tasks[i], i)); }
      });
    }
    function taskRow(task, i) {
      var li = document.createElement("li"), button = document.createElement("button"), small;
      button.type = "button";
      button.className = "task";
      button.setAttribute("data-task-id", task.id);
      button.textContent = (i < 9 ? (i + 1) + ". " : "") + describeTask(task);
      small = document.createElement("small");
      small.textContent = [task.type, task.zone, task.status, task.priority].filter(function (x) {
        return x !== null && x !== undefined && x !== "";
      }).join(" · ");
      button.appendChild(small);
      button.addEventListener("click", function () { startTask(task); });
      li.appendChild(button);
      return li;
    }
    function checkResume() {
      api("GET", "/flows/current").then(function (r) {
        var resume = document.querySelector("[data-action='resume']");
        if (isScreen(r.data) && !r.data.done) {
          store.set(userStoreKey("screen"), r.data);
          $("resume-title").textContent = r.data.title || "";
          resume.hidden = false;
        }
      });
    }
    var handlers = {
      resume: function () { window.location.href = cfg.urls.flow; },
      move: function () { startFlow({ flow: "move" }); },
      receive: function () { startFlow({ flow: "receive" }); },
      qc: function () { startFlow({ flow: "qc" }); },
      purchase_return: function () { startFlow({ flow: "purchase_return" }); },
      pack_check: function () { startFlow({ flow: "pack_check" }); },
      ship: function () { startFlow({ flow: "ship" }); },
      rma: function () { startFlow({ flow: "rma" }); },
      next: function () {
        api("POST", "/tasks/next", {}).then(function (r) {
          if (r.status === 401) { return toLogin(); }
          if (isScreen(r.data)) {  // a server that starts the flow with the claim
            store.set(userStoreKey("screen"), r.data);
            window.location.href = cfg.urls.flow;
            return;
          }
          // One claimed task, {task: ...}, or {tasks: [...]} (a group: its first one leads).
          var d = r.data || {}, task = d.task || (d.tasks ? d.tasks[0] : d);
          if (r.status === 200 && task && task.id !== undefined) { return startTask(task); }
          if (transient(r)) { return failed(r); }
          showMessage(d.message && d.message.text ? d.message.text : T.no_next_task, "info");
          feedback("warning");
        });
      }
    };
    var buttons = document.querySelectorAll("[data-action]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", (function (name) {
        return function () { handlers[name](); };
      })(buttons[i].getAttribute("data-action")));
    }
    new ScanInput($("scan"), {
      onScan: function (value) {
        // A workstation label (WS:<code>): this terminal works at that station from now on.
        if (/^WS:/i.test(value)) { return bindStation(value); }
        showMessage(T.choose_first, "warning"); feedback("warning");
      },
      onKey: function (name) {
        if (/^[1-9]$/.test(name)) {
          var task = tasks[Number(name) - 1];
          if (task) { startTask(task); }
          return !!task;
        }
        return clickKeyed(name);
      }
    });
    refresh();
    checkResume();
    live(function (name, payload) { taskBanner(name, payload); refresh(); });
    idleLock();
  }

  // ---- the flow screen -----------------------------------------------------
  function flowPage() {
    var screenKey = userStoreKey("screen"), queueKey = userStoreKey("queue");
    var screen = store.get(screenKey, null), queue = store.get(queueKey, []);
    var inFlight = false, retryTimer = null, keymap = {};
    var input = new ScanInput($("scan"), {
      onScan: function (value) {
        $("echo").textContent = fmt("last_scan", { value: value.replace(/\x1d/g, "\u241d") });
        if (screen && screen.done) { showMessage(T.choose_first, "warning"); feedback("warning"); return; }
        enqueue({ input: value });
      },
      onKey: function (name) {
        if (keymap[name]) { trigger(keymap[name]); return true; }
        return clickKeyed(name);
      },
      digitsAreKeys: function () { return !(screen && /^(quantity|qty|number)$/.test(screen.expect || "")); }
    });
    $("keyboard").addEventListener("click", function () { input.toggleManual(); });

    function save() { store.set(queueKey, queue); }

    function showQueue(offline) {
      body.setAttribute("data-queued", String(queue.length));
      body.setAttribute("data-offline", offline ? "1" : "0");
      banner("offline", offline ? fmt("offline", { n: queue.length }) : "");
    }

    function trigger(action) {
      if (action.local) { action.local(); return; }
      enqueue({ action: action.action });
    }

    function enqueue(step) {
      step.request_id = uuid();
      step.flow_session_id = screen ? screen.flow_session_id : null;
      step.seq = null;
      queue.push(step);
      save();
      showQueue(body.getAttribute("data-offline") === "1");
      pump();
    }

    // Send the head of the queue; the next one waits for its answer (and its new seq).
    function pump() {
      if (inFlight || !queue.length) { return; }
      var step = queue[0];
      if (step.seq === null) {
        // Fixed at the first attempt: a resend must be the very same request.
        step.seq = screen ? screen.seq : 0;
        step.flow_session_id = step.flow_session_id || (screen && screen.flow_session_id);
        save();
      }
      var payload = { seq: step.seq, request_id: step.request_id };
      if (step.input !== undefined) { payload.input = step.input; }
      if (step.action) { payload.action = step.action; }
      inFlight = true;
      body.setAttribute("data-busy", "1");
      api("POST", "/flows/" + step.flow_session_id + "/step", payload).then(function (r) {
        inFlight = false;
        body.removeAttribute("data-busy");
        if (transient(r)) {
          showQueue(true);
          clearTimeout(retryTimer);
          retryTimer = setTimeout(pump, cfg.retrySeconds * 1000);
          return;
        }
        if (r.status === 401) { save(); toLogin(); return; }  // the queue waits for the next sign-in
        queue.shift();
        save();
        showQueue(false);
        if (isScreen(r.data)) { render(r.data, false); } else { showMessage(problemText(r), "error"); feedback("error"); }
        pump();
      });
    }
    window.addEventListener("online", function () { clearTimeout(retryTimer); pump(); });

    function render(next, quiet) {
      if (!screen || next.seq !== screen.seq || next.flow_session_id !== screen.flow_session_id) {
        input.newScreen();
      }
      screen = next;
      store.set(screenKey, next);
      $("title").textContent = next.title || "";
      $("progress").textContent = next.progress || "";
      $("prompt").textContent = next.prompt || (next.done ? T.done : "");
      body.setAttribute("data-state", next.state || "");
      body.setAttribute("data-seq", String(next.seq));
      var msg = next.message;
      showMessage(msg ? msg.text : "", msg ? msg.level : "");
      renderFields(next.fields || []);
      renderActions(next);
      if (!quiet) {
        var level = msg ? msg.level : "success";
        feedback(level === "error" || level === "warning" ? level : "success");
      }
    }

    function renderFields(fields) {
      var list = $("fields");
      list.innerHTML = "";
      for (var i = 0; i < fields.length; i++) {
        var dt = document.createElement("dt"), dd = document.createElement("dd");
        dt.textContent = fields[i].label;
        dd.textContent = fields[i].value === null || fields[i].value === undefined ? "" : String(fields[i].value);
        list.appendChild(dt);
        list.appendChild(dd);
      }
    }

    function renderActions(s) {
      var box = $("actions"), actions = (s.actions || []).slice();
      box.innerHTML = "";
      keymap = {};
      if (s.done) {
        if (s.next && s.next.task_id !== undefined) {
          actions.push({ action: "next_task", label: T.next_task || "→", key: "F1",
                         local: function () { startTask({ id: s.next.task_id, type: s.flow }); } });
        }
        actions.push({ action: "home", label: $("home-link").textContent, key: s.next ? "F2" : "F1",
                       local: function () { window.location.href = cfg.urls.home; } });
      }
      for (var i = 0; i < actions.length; i++) {
        var a = actions[i], button = document.createElement("button"), kbd = document.createElement("kbd");
        var key = a.key || String(i + 1);
        button.type = "button";
        button.className = "btn";
        button.setAttribute("data-action", a.action);
        kbd.textContent = key;
        button.appendChild(kbd);
        button.appendChild(document.createTextNode(" " + a.label));
        button.addEventListener("click", (function (action) {
          return function () { trigger(action); };
        })(a));
        box.appendChild(button);
        keymap[key] = a;
        if (i < 9 && !keymap[String(i + 1)]) { keymap[String(i + 1)] = a; }
      }
    }

    function load() {
      api("GET", "/flows/current").then(function (r) {
        if (r.status === 401) { return toLogin(); }
        if (transient(r)) { showQueue(true); setTimeout(load, cfg.retrySeconds * 1000); return; }
        if (isScreen(r.data)) { if (!inFlight) { render(r.data, true); } }
        else if (!queue.length && !(screen && screen.done)) { showMessage(T.no_flow, "info"); }
        pump();
      });
    }

    if (screen) { render(screen, true); }
    showQueue(false);
    load();
    live(taskBanner);
    idleLock();
    window.__wmsFlow = { queue: function () { return queue.slice(); }, screen: function () { return screen; } };
  }

  var pages = { login: loginPage, home: homePage, flow: flowPage };
  if (pages[body.getAttribute("data-page")]) { pages[body.getAttribute("data-page")](); }
})();
