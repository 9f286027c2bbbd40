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
   types, picks a filter or opens a URL that carries a search. A word fetches one small shard (chosen
   by its first two letters), and only the result lines on screen are fetched; the category, year and
   code facts only when a filter is set. The state lives in the URL. What it says comes from the
   form's data- attributes, in the site's language. */
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  if (!form || !window.fetch || !window.URLSearchParams || !window.Set || !window.Uint8Array || !history.replaceState) return;
  var root = new URL(form.getAttribute("data-root"), location.href);
  var SHARDS = Number(form.getAttribute("data-shards")) || 1, CHUNK = Number(form.getAttribute("data-chunk")) || 200;
  var COUNT = Number(form.getAttribute("data-papers")) || 0;
  var status = document.querySelector(".search-status");
  var list = document.querySelector(".search-results");
  var more = document.querySelector(".search-more");
  var PAGE = 20, cache = {}, shown = 0, found = [], run = 0, waiting = 0, remembering = 0;
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
  function terms(text) {  // as search.py splits words: lowercase runs of letters and digits, two or more
    return (text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) || []).filter(function (w) { return Array.from(w).length > 1; });
  }
  function shard(word) {  // search.py's shard_of: from the first two characters
    var c = Array.from(word);
    return (c[0].codePointAt(0) * 131 + c[1].codePointAt(0)) % SHARDS;
  }

  function mark(marks, papers) {  // gaps from the previous paper, or a base64 bitmap of every paper
    var n = 0, i, bits;
    if (typeof papers !== "string") { for (i = 0; i < papers.length; i++) marks[n += papers[i]] = 1; return; }
    bits = atob(papers);
    for (i = 0; i < bits.length; i++) for (var b = bits.charCodeAt(i), j = 0; b; j++, b >>= 1) if (b & 1) marks[i * 8 + j] = 1;
  }
  // papers whose words start with every term (the last term is still being typed), in paper order
  function matching(words) {
    var names = words.map(function (w) { return "words-" + shard(w); });
    return Promise.all(names.map(load)).then(function (tables) {
      var all = null, hits = [], n;
      words.forEach(function (w, i) {
        var marks = new Uint8Array(COUNT), pairs = tables[i], lo = 0, hi = pairs.length, mid;
        while (lo < hi) { mid = (lo + hi) >> 1; if (pairs[mid][0] < w) lo = mid + 1; else hi = mid; }  // [word, papers], in order
        for (; lo < pairs.length && pairs[lo][0].lastIndexOf(w, 0) === 0; lo++) mark(marks, pairs[lo][1]);
        if (all) for (n = 0; n < COUNT; n++) all[n] &= marks[n];
        else all = marks;
      });
      for (n = 0; n < COUNT; n++) if (all[n]) hits.push(n);
      return hits;
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
    clearTimeout(remembering);  // the URL follows once typing pauses: replaceState costs more than a search
    remembering = setTimeout(function () { history.replaceState(null, "", params.toString() ? "?" + params : location.pathname); }, 300);
    if (!words.length && !filtered) { clearTimeout(waiting); list.removeAttribute("aria-busy"); found = []; list.textContent = ""; status.textContent = ""; more.hidden = true; return; }
    list.setAttribute("aria-busy", "true");  // until this search's results are in
    clearTimeout(waiting);  // said only when an answer takes a while, so typing is not read out at every key
    waiting = setTimeout(function () { if (mine === run) status.textContent = say.searching; }, 400);
    Promise.all([filtered ? load("facets") : null, words.length ? matching(words) : null]).then(function (got) {
      if (mine !== run) return;
      var facets = got[0], hits = got[1];
      if (facets) {
        var cat = facets.categories.map(function (c) { return c[0]; }).indexOf(params.get("category"));
        var year = Number(params.get("year"));
        hits = (hits || Array.from({length: facets.count}, function (_, n) { return n; })).filter(function (n) {
          return !(params.has("category") && facets.category[n] !== cat) && !(year && facets.year[n] !== year) &&
            !(params.has("code") && facets.code[n] !== "1");
        });
      }
      found = hits;
      shown = 0;
      return page(mine).then(function () {  // announced once the results are on the page
        if (mine !== run) return;
        clearTimeout(waiting);
        list.removeAttribute("aria-busy");
        status.textContent = (found.length === 1 ? say.foundOne : say.foundOther).replace("{n}", found.length.toLocaleString("en"));
      });
    }).catch(function () {
      clearTimeout(waiting);
      list.removeAttribute("aria-busy");
      if (mine === run) status.textContent = say.unavailable;
    });
  }

  // the next PAGE results: their chunks of result lines, then one insertion (the first replaces the list)
  function page(mine) {
    var next = found.slice(shown, shown + PAGE);
    var chunks = Array.from(new Set(next.map(function (n) { return Math.floor(n / CHUNK); })));
    return Promise.all(chunks.map(function (c) { return load("papers-" + c); })).then(function (loaded) {
      if (mine !== run) return;
      var items = document.createDocumentFragment();
      next.forEach(function (n) {
        var p = loaded[chunks.indexOf(Math.floor(n / CHUNK))][n % CHUNK];
        var item = document.createElement("li"), link = document.createElement("a"), meta = document.createElement("p");
        link.href = new URL(p[0], root).href;
        link.textContent = p[1];
        link.className = "search-title";
        meta.className = "search-meta";
        meta.textContent = [p[5], p[4], p[3], p[2]].filter(Boolean).join(" · ");
        item.appendChild(link);
        item.appendChild(meta);
        items.appendChild(item);
      });
      if (!shown) list.textContent = "";
      list.appendChild(items);
      shown += next.length;
      more.hidden = shown >= found.length;
    });
  }

  var params = new URLSearchParams(location.search);
  ["q", "category", "year"].forEach(function (k) { if (params.has(k)) form.elements[k].value = params.get(k); });
  form.elements.code.checked = params.get("code") === "1";
  // the visitor starts searching: the newest papers' result lines, which most first results are
  form.elements.q.addEventListener("focus", function () { load("papers-0").catch(function () {}); });
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
