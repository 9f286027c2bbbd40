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
   types, picks a filter or opens a URL that carries a search. A word of two letters fetches one small
   file of prefix sets (the papers with a word that starts so: the first keystroke that searches needs
   no union), a longer word one small shard of word lists (chosen by its first three letters); only
   the result lines on screen are fetched; the category, year and code facts only when a filter is
   set. The state lives in the URL. What it says comes from the form's data- attributes, in the
   site's language. */
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  if (!form || !window.fetch || !window.URLSearchParams || !window.Set || !window.Map || !window.Uint8Array || !history.replaceState) return;
  var root = new URL(form.getAttribute("data-root"), location.href);
  var SHARDS = Number(form.getAttribute("data-shards")) || 1, CHUNK = Number(form.getAttribute("data-chunk")) || 200;
  var COUNT = Number(form.getAttribute("data-papers")) || 0;
  var status = document.querySelector(".search-status");
  var list = document.querySelector(".search-results");
  var more = document.querySelector(".search-more");
  var PAGE = 20, SCREEN = 6, cache = {}, sets = new Map(), shown = 0, found = [], run = 0, waiting = 0, remembering = 0;
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
  function shard(chars, letters) {  // search.py's shard_of: from the first `letters` characters
    for (var h = 0, i = 0; i < letters; i++) h = h * 131 + chars[i].codePointAt(0);
    return h % SHARDS;
  }
  function file(word) {  // two letters: the prefix sets; more: the word lists (search.py's PREFIX)
    var c = Array.from(word);
    return c.length < 3 ? "prefixes-" + shard(c, 2) : "words-" + shard(c, 3);
  }

  function decode(papers) {  // gaps from the previous paper, or a base64 bitmap of every paper: paper numbers in order
    var out = [], n = 0, i, j, b, bits;
    if (typeof papers !== "string") { for (i = 0; i < papers.length; i++) out.push(n += papers[i]); return out; }
    bits = atob(papers);
    for (i = 0; i < bits.length; i++) for (b = bits.charCodeAt(i), j = i * 8; b; j++, b >>= 1) if (b & 1) out.push(j);
    return out;
  }
  function union(lists) {  // papers in any of the lists, in order
    var marks = new Uint8Array(COUNT), out = [], i, j, n;
    for (i = 0; i < lists.length; i++) for (j = 0; j < lists[i].length; j++) marks[lists[i][j]] = 1;
    for (n = 0; n < COUNT; n++) if (marks[n]) out.push(n);
    return out;
  }
  function both(a, b) {  // papers in both lists, in order
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) if (a[i] < b[j]) i++; else if (a[i] > b[j]) j++; else { out.push(a[i]); i++; j++; }
    return out;
  }
  // the papers with a word that the term starts, in order: a two-letter term's set as it comes (no
  // union), a longer one's the union of the words it starts. Kept while the visitor types on, so
  // that only the word being typed is looked up again.
  function papersOf(w, table) {
    var found = sets.get(w), lists = [], lo = 0, hi = table.length, mid;
    if (found) return found;
    if (!Array.isArray(table)) found = Object.prototype.hasOwnProperty.call(table, w) ? decode(table[w]) : [];  // {prefix: papers}
    else {  // [word, papers], in order
      while (lo < hi) { mid = (lo + hi) >> 1; if (table[mid][0] < w) lo = mid + 1; else hi = mid; }
      for (; lo < table.length && table[lo][0].lastIndexOf(w, 0) === 0; lo++) lists.push(decode(table[lo][1]));
      found = lists.length === 1 ? lists[0] : union(lists);
    }
    if (sets.size > 64) sets.clear();
    sets.set(w, found);
    return found;
  }
  // papers whose words start with every term (the last term is still being typed), in paper order
  function matching(words) {
    return Promise.all(words.map(file).map(load)).then(function (tables) {
      return words.map(function (w, i) { return papersOf(w, tables[i]); }).reduce(both);
    });
  }

  function thousands(n) {  // as toLocaleString("en") writes a count, without the cost of starting Intl (~60 ms on a phone)
    return String(n).replace(/\B(?=(\d{3})+$)/g, ",");
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
      return page(mine, function () {  // announced once the first results are on the page
        clearTimeout(waiting);
        status.textContent = (found.length === 1 ? say.foundOne : say.foundOther).replace("{n}", thousands(found.length));
      }).then(function () {
        if (mine === run) list.removeAttribute("aria-busy");  // every line of this page of results is in
      });
    }).catch(function () {
      clearTimeout(waiting);
      list.removeAttribute("aria-busy");
      if (mine === run) status.textContent = say.unavailable;
    });
  }

  function line(p) {  // a result: [url, title, authors, venue, date, category], as search.py writes it
    var item = document.createElement("li"), link = document.createElement("a"), meta = document.createElement("p");
    link.href = new URL(p[0], root).href;
    link.textContent = p[1];
    link.className = "search-title";
    meta.className = "search-meta";
    meta.textContent = [p[5], p[4], p[3], p[2]].filter(Boolean).join(" · ");
    item.appendChild(link);
    item.appendChild(meta);
    return item;
  }
  function add(items) {
    var lines = document.createDocumentFragment();
    items.forEach(function (item) { lines.appendChild(item); });
    list.appendChild(lines);
  }
  // the next PAGE results: their chunks of result lines, then the lines. A new search's first page
  // shows the lines a screen holds (they replace the list; shownFirst is called then) and, once
  // those are painted, the rest: laying out lines below the screen would only delay the answer.
  function page(mine, shownFirst) {
    var next = found.slice(shown, shown + PAGE);
    var chunks = Array.from(new Set(next.map(function (n) { return Math.floor(n / CHUNK); })));
    return Promise.all(chunks.map(function (c) { return load("papers-" + c); })).then(function (loaded) {
      if (mine !== run) return;
      var items = next.map(function (n) { return line(loaded[chunks.indexOf(Math.floor(n / CHUNK))][n % CHUNK]); });
      var first = shown ? items.length : SCREEN;  // a new search's first lines; "more" adds a page at once
      if (!shown) { list.textContent = ""; more.hidden = true; }  // until this page is in, so the next follows it
      shown += next.length;
      add(items.slice(0, first));
      if (shownFirst) shownFirst();
      return (items.length > first ? painted() : Promise.resolve()).then(function () {
        if (mine !== run) return;
        add(items.slice(first));
        more.hidden = shown >= found.length;
      });
    });
  }
  function painted() {  // the first task after the next frame is painted
    return new Promise(function (done) { requestAnimationFrame(function () { setTimeout(done, 0); }); });
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
