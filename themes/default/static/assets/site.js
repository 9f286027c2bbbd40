/* cvsite: the colour-scheme switch. No dependencies; every part fails safe: without JavaScript
   the page follows the system's scheme and the switch is not shown (the head's snippet marks
   <html class="js"> for the stylesheet); with storage blocked a choice lasts for the page. */
(function () {
  "use strict";
  var KEY = "cvsite-theme";
  var root = document.documentElement;
  var box = document.querySelector(".theme-switch");
  if (!box || !root.dataset) return;
  function stored() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function apply(choice) {
    if (choice === "light" || choice === "dark") root.dataset.theme = choice;
    else { delete root.dataset.theme; choice = "system"; }
    var buttons = box.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) buttons[i].setAttribute("aria-pressed", String(buttons[i].value === choice));
  }
  box.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    try {
      if (button.value === "system") localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, button.value);
    } catch (e) { /* private mode: the choice lasts for this page only */ }
    apply(button.value);
  });
  apply(stored());
})();

/* Search (on /search/ only). The index is split by search.py; nothing is fetched until the visitor
   types, picks a filter or opens a URL that carries a search. The state lives in the URL. What it
   says comes from the form's data- attributes, in the site's language. */
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  if (!form || !window.fetch || !window.URLSearchParams || !history.replaceState) return;
  var root = new URL(form.getAttribute("data-root"), location.href);
  var status = document.querySelector(".search-status");
  var list = document.querySelector(".search-results");
  var more = document.querySelector(".search-more");
  var PAGE = 50, cache = {}, shown = 0, found = [], facets = null, run = 0;
  var say = form.dataset;

  function load(name) {
    if (!cache[name]) {
      cache[name] = fetch(new URL("search/" + name + ".json", root)).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      });
      cache[name].catch(function () { delete cache[name]; });
    }
    return cache[name];
  }
  function terms(text) {  // as search.py splits words: lowercase runs of letters and digits
    return (text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) || []).filter(function (w) { return w.length > 1; });
  }
  function shard(word) { return /^[a-z0-9]/.test(word) ? word[0] : "other"; }
  function decode(gaps) { var n = 0; return gaps.map(function (g) { return (n += g); }); }

  // papers whose words start with every term (the last term is still being typed)
  function matching(words) {
    return Promise.all(words.map(function (w) { return load("words-" + shard(w)); })).then(function (tables) {
      var result = null;
      words.forEach(function (w, i) {
        var hits = new Set();
        Object.keys(tables[i]).forEach(function (key) {
          if (key.lastIndexOf(w, 0) === 0) decode(tables[i][key]).forEach(function (n) { hits.add(n); });
        });
        result = result === null ? hits : new Set(Array.from(result).filter(function (n) { return hits.has(n); }));
      });
      return result;
    });
  }

  function state() {
    var data = new FormData(form), params = new URLSearchParams();
    ["q", "category", "year", "code"].forEach(function (k) { var v = (data.get(k) || "").trim(); if (v) params.set(k, v); });
    return params;
  }

  function show(params) {
    var mine = ++run, words = terms(params.get("q") || "");
    var filtered = params.has("category") || params.has("year") || params.has("code");
    history.replaceState(null, "", params.toString() ? "?" + params : location.pathname);
    if (!words.length && !filtered) { found = []; list.textContent = ""; status.textContent = ""; more.hidden = true; return; }
    status.textContent = say.searching;
    load("facets").then(function (f) {
      facets = f;
      return words.length ? matching(words) : null;
    }).then(function (hits) {
      if (mine !== run) return;
      var cat = facets.categories.map(function (c) { return c[0]; }).indexOf(params.get("category"));
      var year = Number(params.get("year"));
      found = [];
      for (var n = 0; n < facets.count; n++) {
        if (hits && !hits.has(n)) continue;
        if (params.has("category") && facets.category[n] !== cat) continue;
        if (year && facets.year[n] !== year) continue;
        if (params.has("code") && facets.code[n] !== "1") continue;
        found.push(n);
      }
      list.textContent = "";
      shown = 0;
      return page(mine).then(function () {  // announced once the results are on the page
        if (mine === run) status.textContent = (found.length === 1 ? say.foundOne : say.foundOther).replace("{n}", found.length.toLocaleString("en"));
      });
    }).catch(function () {
      if (mine === run) status.textContent = say.unavailable;
    });
  }

  function page(mine) {
    var next = found.slice(shown, shown + PAGE);
    var chunks = Array.from(new Set(next.map(function (n) { return Math.floor(n / facets.chunk); })));
    return Promise.all(chunks.map(function (c) { return load("papers-" + c); })).then(function (loaded) {
      if (mine !== run) return;
      next.forEach(function (n) {
        var p = loaded[chunks.indexOf(Math.floor(n / facets.chunk))][n % facets.chunk];
        var item = document.createElement("li"), link = document.createElement("a"), meta = document.createElement("p");
        link.href = new URL(p[0], root).href;
        link.textContent = p[1];
        link.className = "search-title";
        meta.className = "search-meta";
        meta.textContent = [p[5], p[4], p[3], p[2]].filter(Boolean).join(" · ");
        item.appendChild(link);
        item.appendChild(meta);
        list.appendChild(item);
      });
      shown += next.length;
      more.hidden = shown >= found.length;
    });
  }

  var params = new URLSearchParams(location.search);
  ["q", "category", "year"].forEach(function (k) { if (params.has(k)) form.elements[k].value = params.get(k); });
  form.elements.code.checked = params.get("code") === "1";
  form.addEventListener("input", function () { show(state()); });
  form.addEventListener("submit", function (event) { event.preventDefault(); show(state()); });
  more.addEventListener("click", function () { page(run); });
  if (params.toString()) show(state());
})();

/* The CV's print button (shown, like the other controls, only where JavaScript runs). */
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (!button || !window.print) return;
  button.addEventListener("click", function () { window.print(); });
})();
