// cvsite serve: reload the page when the site is rebuilt. Injected by the preview server only;
// files written by `cvsite build` never contain it.
(function () {
  var me = document.currentScript;
  var epoch = me && me.getAttribute("data-epoch");
  if (!window.EventSource) return;
  var source = new EventSource("/__cvsite/events");
  source.onmessage = function (event) {
    if (event.data !== epoch) {
      source.close();
      window.location.reload();
    }
  };
})();
