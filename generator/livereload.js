// cvsite serve: reload the page when a rebuild changed it. Injected by the preview server only;
// files written by `cvsite build` never contain it.
//
// Each message of the event stream carries the site's version and, for its recent versions, the
// files each one changed (null: every page, e.g. when the errors shown over pages changed). A
// page reloads only when its own file, or a stylesheet, script or image it uses, is among the
// files changed since the version it was served at; otherwise it just takes the new version.
//
// Browsers allow about six HTTP/1.1 connections per server, and an open event stream keeps one
// busy for good: with one stream per tab, the seventh tab of the preview would never load. So
// the tabs of a browser elect one of them (a Web Lock) to hold the single stream, and it passes
// every message on to the others (a BroadcastChannel). When that tab goes away, its lock is
// released and another tab takes over. Where those APIs are missing (an old browser, or a page
// that is not a secure context, e.g. the preview opened from another machine), each tab keeps a
// stream of its own.
(function () {
  var me = document.currentScript;
  var version = me && me.getAttribute("data-version");
  var file = me ? me.getAttribute("data-file") || "" : "";
  var prefix = me ? me.getAttribute("data-prefix") || "/" : "/";
  var EVENTS = "/__cvsite/events";
  var source = null;
  if (!window.EventSource || !version) return;

  function parts(v) {
    var at = v.lastIndexOf("-");
    return { instance: v.slice(0, at), epoch: parseInt(v.slice(at + 1), 10) };
  }

  // The site files this page is made of: itself, and the stylesheets, scripts and images it uses.
  function used() {
    var files = {};
    files[file] = true;
    var nodes = document.querySelectorAll("link[rel~=stylesheet][href], link[rel~=icon][href], script[src], img[src]");
    for (var i = 0; i < nodes.length; i++) {
      var url = new URL(nodes[i].href || nodes[i].src, window.location.href);
      if (url.origin !== window.location.origin || url.pathname.indexOf(prefix) !== 0) continue;
      var rel = decodeURIComponent(url.pathname.slice(prefix.length));
      files[rel === "" || rel.slice(-1) === "/" ? rel + "index.html" : rel] = true;
    }
    return files;
  }

  function reload() {
    if (source) source.close();
    window.location.reload();
  }

  function check(data) {
    var message;
    try {
      message = JSON.parse(data);
    } catch (e) {
      return;
    }
    var mine = parts(version), latest = parts(message.version);
    if (latest.instance !== mine.instance) return reload();  // a restarted server
    if (latest.epoch <= mine.epoch) return;
    var changes = message.changes || [];
    var covered = mine.epoch + 1;  // the first epoch this page has not seen yet
    var files = used();
    for (var i = 0; i < changes.length; i++) {
      var epoch = changes[i][0], changed = changes[i][1];
      if (epoch <= mine.epoch) continue;
      if (epoch > covered) return reload();  // epochs missed from the history: to be safe
      covered = epoch + 1;
      if (changed === null) return reload();
      for (var j = 0; j < changed.length; j++) {
        if (files[changed[j]]) return reload();
      }
    }
    if (covered <= latest.epoch) return reload();
    version = message.version;  // nothing this page shows changed: it is up to date
    window.__cvsiteVersion = version;
  }

  window.__cvsiteVersion = version;
  if (navigator.locks && window.BroadcastChannel) {
    var channel = new BroadcastChannel("cvsite-livereload");
    channel.onmessage = function (event) { check(event.data); };
    navigator.locks.request("cvsite-livereload", function () {
      return new Promise(function () {  // held until this page goes away
        listen(function (data) {
          channel.postMessage(data);
          check(data);
        });
      });
    });
  } else {
    listen(check);
  }

  function listen(onMessage) {
    source = new EventSource(EVENTS);
    source.onmessage = function (event) { onMessage(event.data); };
  }
})();
