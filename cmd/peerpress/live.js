// peerpress serve: reload the page after every rebuild (following a post
// that moved), and after a reconnect when the page is from an older build.
(function () {
  "use strict";
  var me = document.currentScript;
  var server = me ? me.getAttribute("data-server") : "";
  var build = me ? Number(me.getAttribute("data-build")) : 0;
  window.peerpress = { server: server, build: build };
  var wait = 250;
  function follow(d) {
    var here = decodeURI(location.pathname);
    if (d.moved && d.moved[here]) {
      location.replace(d.moved[here] + location.search + location.hash);
    } else {
      location.reload();
    }
  }
  function connect() {
    var es = new EventSource("/_peerpress/events");
    es.addEventListener("hello", function (e) {
      wait = 250;
      var d = JSON.parse(e.data);
      if (d.server !== server || d.build !== build) { es.close(); follow(d); }
    });
    es.addEventListener("build", function (e) {
      es.close();
      follow(JSON.parse(e.data));
    });
    es.onerror = function () {
      es.close();
      setTimeout(connect, wait);
      wait = Math.min(wait * 2, 4000);
    };
  }
  connect();
})();
