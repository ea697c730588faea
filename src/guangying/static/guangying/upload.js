// Resumable video uploads (tus) for the work page. Every refusal comes from the
// server with its reason in the body, shown as it is; the widget only adds
// progress, speed, time left, pause and resume.
(function () {
  "use strict";
  if (window.guangyingUploads) return;
  window.guangyingUploads = true;

  function human(bytes) {
    if (bytes >= 1073741824) return (bytes / 1073741824).toFixed(1) + " GB";
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1) + " MB";
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function clock(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m >= 60 ? Math.floor(m / 60) + ":" + String(m % 60).padStart(2, "0") + ":" + String(s).padStart(2, "0")
                   : m + ":" + String(s).padStart(2, "0");
  }

  function setUp(box) {
    if (!window.tus || !window.tus.isSupported) return;  // the plain form above still works
    var d = box.dataset;
    // One way in for a video: the resumable widget replaces the plain form of its slot.
    var plain = box.previousElementSibling;
    if (plain && plain.hasAttribute("data-tus-fallback")) { plain.hidden = true; plain.style.display = "none"; }
    box.hidden = false;
    var input = box.querySelector("[data-tus-file]");
    var start = box.querySelector("[data-tus-start]");
    var pause = box.querySelector("[data-tus-pause]");
    var resume = box.querySelector("[data-tus-resume]");
    var bar = box.querySelector("[data-tus-progress]");
    var status = box.querySelector("[data-tus-status]");
    var token = box.querySelector("input[name=csrfmiddlewaretoken]").value;
    var upload = null, samples = [];

    function say(text, bad) { status.textContent = text; status.className = "small" + (bad ? " bad" : ""); }
    // The site's button style sets `display`, which beats the hidden attribute.
    function show(el, visible) { el.hidden = !visible; el.style.display = visible ? "" : "none"; }
    function buttons(running) { show(start, !running && !upload); show(pause, running); show(resume, !running && !!upload); }

    function progress(sent, total) {
      var now = Date.now();
      samples.push([now, sent]);
      while (samples.length > 2 && now - samples[0][0] > 5000) samples.shift();
      var pct = total ? Math.floor(sent * 100 / total) : 0;
      show(bar, true); bar.value = pct;
      var text = pct + "% · " + human(sent) + " / " + human(total);
      var span = (now - samples[0][0]) / 1000;
      if (span > 0.5) {
        var speed = (sent - samples[0][1]) / span;
        if (speed > 0) text += " · " + human(speed) + "/s · " + d.msgLeft + " " + clock((total - sent) / speed);
      }
      say(text);
    }

    function begin() {
      var file = input.files[0];
      if (!file) { say(d.msgChoose, true); return; }
      samples = [];
      upload = new window.tus.Upload(file, {
        endpoint: d.endpoint,
        chunkSize: 32 * 1024 * 1024,
        retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000],
        removeFingerprintOnSuccess: true,
        headers: {"X-CSRFToken": token},
        metadata: {filename: file.name, filetype: file.type, work: d.work, slot: d.slot},
        fingerprint: function (f) {
          return Promise.resolve(["guangying", d.work, d.slot, f.name, f.size, f.lastModified].join("/"));
        },
        onProgress: progress,
        onShouldRetry: function (err) {
          var status = err.originalResponse ? err.originalResponse.getStatus() : 0;
          if (status >= 400 && status < 500 && status !== 409 && status !== 423) return false;
          say(d.msgRetry);
          return true;
        },
        onError: function (err) {
          var body = err.originalResponse ? err.originalResponse.getBody() : "";
          if (body) {
            say(d.msgFailed + body + (d.msgKept ? " " + d.msgKept : ""), true);
            upload = null;
          } else {
            say(d.msgNetwork, true);
          }
          buttons(false);
        },
        onSuccess: function () {
          bar.value = 100;
          say(d.msgDone);
          upload = null;
          buttons(false);
          window.setTimeout(function () { window.location.reload(); }, 800);
        }
      });
      upload.findPreviousUploads().then(function (previous) {
        if (previous.length) { upload.resumeFromPreviousUpload(previous[0]); say(d.msgPrevious); }
        else say(d.msgUploading);
        upload.start();
        buttons(true);
      });
    }

    // After a reload the browser forgets the file, not the upload: say how to continue it.
    try {
      var prefix = "tus::guangying/" + d.work + "/" + d.slot + "/";
      for (var i = 0; i < window.localStorage.length; i++) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(prefix) === 0) {
          var stored = JSON.parse(window.localStorage.getItem(key) || "{}");
          var name = (stored.metadata && stored.metadata.filename) || "";
          say(d.msgUnfinished.replace("{name}", name));
          break;
        }
      }
    } catch (e) { /* storage unavailable: uploads still work, without resuming after a reload */ }

    buttons(false);
    show(bar, false);
    start.addEventListener("click", begin);
    pause.addEventListener("click", function () {
      if (!upload) return;
      upload.abort();
      say(d.msgPaused);
      buttons(false);
    });
    resume.addEventListener("click", function () {
      if (!upload) { begin(); return; }
      samples = [];
      upload.start();
      say(d.msgUploading);
      buttons(true);
    });
  }

  function init() { document.querySelectorAll("[data-tus-upload]").forEach(setUp); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
