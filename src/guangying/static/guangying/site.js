// Live character counts (as the server counts them: CJK one each, a Latin
// word one), extra rows for lists of people, confirmation of risky buttons.
(function () {
  "use strict";
  function isWide(ch) {
    var c = ch.codePointAt(0);
    return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd);
  }
  function countChars(text) {
    var n = 0, inWord = false;
    Array.from(text.normalize("NFC")).forEach(function (ch) {
      if (/[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufe00-\ufe0f\u0300-\u036f]/.test(ch)) return;
      if (/\s/.test(ch)) { inWord = false; return; }
      if (isWide(ch)) { n += 1; inWord = false; return; }
      if (/\p{P}/u.test(ch) && !inWord) { n += 1; return; }
      if (!inWord) { n += 1; inWord = true; }
    });
    return n;
  }
  function attachCounters(root) {
    root.querySelectorAll("[data-max-chars]").forEach(function (el) {
      if (el.dataset.counterReady) return;
      el.dataset.counterReady = "1";
      var max = parseInt(el.dataset.maxChars, 10);
      var out = document.createElement("span");
      out.className = "counter";
      el.insertAdjacentElement("afterend", out);
      function update() {
        var used = countChars(el.value);
        out.textContent = used + " / " + max + " 字";
        out.classList.toggle("over", used > max);
      }
      el.addEventListener("input", update);
      update();
    });
  }
  function attachPeople(root) {
    root.querySelectorAll("[data-add-row]").forEach(function (button) {
      if (button.dataset.ready) return;
      button.dataset.ready = "1";
      button.addEventListener("click", function () {
        var table = document.getElementById(button.dataset.addRow);
        var rows = table.querySelectorAll("tbody tr");
        var max = parseInt(table.dataset.maxRows, 10);
        if (rows.length >= max) return;
        var last = rows[rows.length - 1];
        var copy = last.cloneNode(true);
        var index = rows.length;
        copy.querySelectorAll("input").forEach(function (input) {
          input.name = input.name.replace(/-\d+-/, "-" + index + "-");
          input.id = input.name;
          input.value = "";
        });
        last.parentNode.appendChild(copy);
      });
    });
  }
  function attachConfirm(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      if (form.dataset.ready) return;
      form.dataset.ready = "1";
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
  }
  function attachCopy(root) {
    root.querySelectorAll("[data-copy]").forEach(function (button) {
      if (button.dataset.ready) return;
      button.dataset.ready = "1";
      button.addEventListener("click", function () {
        var text = button.dataset.copy;
        if (navigator.clipboard) navigator.clipboard.writeText(text);
        button.textContent = button.dataset.copied || "✓";
      });
    });
  }
  function init(root) { attachCounters(root); attachPeople(root); attachConfirm(root); attachCopy(root); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();
