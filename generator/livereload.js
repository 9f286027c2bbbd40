// cvsite serve: reload the page when the site is rebuilt. Injected by the preview server only;
// files written by `cvsite build` never contain it.
//
// Browsers allow about six HTTP/1.1 connections per server, and an open event stream keeps one
// busy for good: with one stream per tab, the seventh tab of the preview would never load. So
// the tabs of a browser elect one of them (a Web Lock) to hold the single stream, and it passes
// every version on to the others (a BroadcastChannel). When that tab goes away, its lock is
// released and another tab takes over. Where those APIs are missing (an old browser, or a page
// that is not a secure context, e.g. the preview opened from another machine), each tab keeps a
// stream of its own.
(function () {
  var me = document.currentScript;
  var version = me && me.getAttribute("data-version");
  var EVENTS = "/__cvsite/events";
  var source = null;
  if (!window.EventSource || !version) return;

  function check(latest) {
    if (latest && latest !== version) {
      if (source) source.close();
      window.location.reload();
    }
  }

  function listen(onVersion) {
    source = new EventSource(EVENTS);
    source.onmessage = function (event) { onVersion(event.data); };
  }

  if (navigator.locks && window.BroadcastChannel) {
    var channel = new BroadcastChannel("cvsite-livereload");
    channel.onmessage = function (event) { check(event.data); };
    navigator.locks.request("cvsite-livereload", function () {
      return new Promise(function () {  // held until this page goes away
        listen(function (latest) {
          channel.postMessage(latest);
          check(latest);
        });
      });
    });
  } else {
    listen(check);
  }
})();
