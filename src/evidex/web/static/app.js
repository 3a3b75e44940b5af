// evidex serve: the collect basket (kept in localStorage) and the copy buttons.
// Everything here writes text with textContent, never HTML.
(function () {
  "use strict";
  var KEY = "evidex.basket";
  var STYLE_KEY = "evidex.citeStyle";

  function load() {
    try {
      var items = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(items) ? items.filter(function (i) { return i && typeof i.id === "string"; }) : [];
    } catch (e) {
      return [];
    }
  }
  function save(items) { localStorage.setItem(KEY, JSON.stringify(items)); refresh(); }
  function has(id) { return load().some(function (i) { return i.id === id; }); }

  function toggle(button) {
    var id = button.dataset.id;
    var items = load();
    if (items.some(function (i) { return i.id === id; })) {
      save(items.filter(function (i) { return i.id !== id; }));
    } else {
      items.push({ id: id, citation: button.dataset.citation || "", title: button.dataset.title || "", text: button.dataset.text || "" });
      save(items);
    }
  }

  function refresh() {
    var items = load();
    var count = document.getElementById("basket-count");
    if (count) count.textContent = String(items.length);
    document.querySelectorAll("button.collect").forEach(function (b) {
      var on = has(b.dataset.id);
      b.textContent = on ? "Collected ✓" : "Collect";
      b.classList.toggle("on", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
    renderBasket(items);
  }

  function renderBasket(items) {
    var list = document.getElementById("basket-list");
    if (!list) return;
    list.replaceChildren();
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "basket-item";
      var title = document.createElement("a");
      title.href = "/passage/" + encodeURIComponent(item.id);
      title.className = "title";
      title.textContent = item.title || item.id;
      var quote = document.createElement("blockquote");
      quote.textContent = item.text;
      var cite = document.createElement("p");
      cite.className = "citation";
      cite.textContent = item.citation;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "quiet remove";
      remove.textContent = "Remove";
      remove.addEventListener("click", function () {
        save(load().filter(function (i) { return i.id !== item.id; }));
      });
      li.append(title, quote, cite, remove);
      list.append(li);
    });
    var empty = document.getElementById("basket-empty");
    if (empty) empty.hidden = items.length > 0;
    var form = document.getElementById("export-form");
    if (form) form.hidden = items.length === 0;
  }

  function copyText(text, status) {
    function shown(message) { if (status) status.textContent = message; }
    function fallback() {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "offscreen";
      document.body.append(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      shown(ok ? "Copied: " + text : text);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { shown("Copied: " + text); }, fallback);
    } else {
      fallback();
    }
  }

  function styled(button) {
    var picker = document.getElementById("cite-style");
    var style = picker ? picker.value : "short";
    var status = button.parentElement.querySelector("output.copied");
    if (style === "short") { copyText(button.dataset.short, status); return; }
    var url = "/api/cite/" + encodeURIComponent(button.dataset.id) + "?style=" + encodeURIComponent(style) +
      "&q=" + encodeURIComponent(button.dataset.q || "");
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.error) { status.textContent = data.error; return; }
        copyText(data.reference ? data.citation + "\n" + data.reference : data.citation, status);
      })
      .catch(function () { status.textContent = "Could not get the citation."; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var picker = document.getElementById("cite-style");
    if (picker) {
      var kept = localStorage.getItem(STYLE_KEY);
      if (kept && picker.querySelector('option[value="' + kept.replace(/[^a-z]/g, "") + '"]')) picker.value = kept;
      picker.addEventListener("change", function () { localStorage.setItem(STYLE_KEY, picker.value); });
    }
    document.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      if (button.classList.contains("collect")) toggle(button);
      else if (button.classList.contains("copy")) styled(button);
      else if (button.classList.contains("copy-text")) copyText(button.dataset.text, button.parentElement.querySelector("output.copied"));
      else if (button.id === "basket-clear") save([]);
    });
    var form = document.getElementById("export-form");
    if (form) {
      form.addEventListener("submit", function (event) {
        var ids = load().map(function (i) { return i.id; });
        if (!ids.length) { event.preventDefault(); return; }
        document.getElementById("export-ids").value = ids.join(",");
      });
    }
    window.addEventListener("storage", function (event) { if (event.key === KEY) refresh(); });
    refresh();
  });
})();
