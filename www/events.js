// Every demo page: records each hopae-* event in window.demoEvents (the
// end-to-end tests read it) and lists it in #log. A classic script.
(function () {
  window.demoEvents = [];
  var names = ["hopae-initiated", "hopae-status", "hopae-redirect", "hopae-completed", "hopae-failed", "hopae-expired", "hopae-cancelled"];
  names.forEach(function (name) {
    document.addEventListener(name, function (event) {
      window.demoEvents.push({ type: event.type, detail: event.detail, at: Date.now() });
      var log = document.getElementById("log");
      if (!log) return;
      var item = document.createElement("li");
      item.textContent = new Date().toLocaleTimeString() + " " + event.type + " " + JSON.stringify(event.detail);
      log.prepend(item);
    });
  });
})();
