// peerpress dev server: reload on rebuild, show policy problems in an overlay.
(function () {
  "use strict";
  var style = document.createElement("style");
  style.textContent = "#peerpress-overlay{position:fixed;left:1rem;right:1rem;bottom:1rem;z-index:2147483647;" +
    "max-height:40vh;overflow:auto;background:#2b0b0b;color:#fff;border:2px solid #ff6b6b;border-radius:8px;" +
    "padding:.75rem 1rem;font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;box-shadow:0 8px 30px rgba(0,0,0,.4)}" +
    "#peerpress-overlay ul{margin:.5rem 0 0;padding-left:1.2rem}#peerpress-overlay[hidden]{display:none}";
  document.head.appendChild(style);
  var first = null;
  function connect() {
    var es = new EventSource("/_peerpress/events");
    es.addEventListener("hello", function (e) {
      var b = JSON.parse(e.data).build;
      if (first !== null && b !== first) { location.reload(); }
      first = b;
    });
    es.addEventListener("build", function (e) {
      var d = JSON.parse(e.data);
      var here = location.pathname;
      if (d.moved && d.moved[here]) { location.replace(d.moved[here]); return; }
      location.reload();
    });
    es.onerror = function () { es.close(); setTimeout(connect, 500); };
  }
  connect();
})();
