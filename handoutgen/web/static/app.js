// handoutgen review app: keyboard shortcuts in the queue, and a preview that follows edits.
(function () {
  "use strict";
  function entries() { return Array.prototype.slice.call(document.querySelectorAll("article.entry")); }
  function current() {
    var list = entries(), active = document.activeElement;
    for (var i = 0; i < list.length; i++) { if (list[i].contains(active)) { return i; } }
    return -1;
  }
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var list = entries(), i = current();
    if (!list.length) { return; }
    if (event.key === "j" || event.key === "k") {
      var next = event.key === "j" ? Math.min(i + 1, list.length - 1) : Math.max(i - 1, 0);
      list[next].focus(); event.preventDefault();
    } else if (event.key === "a" && i >= 0) {
      var button = list[i].querySelector("button[data-approve]");
      if (button) { button.click(); event.preventDefault(); }
    }
  });
  var preview = document.getElementById("preview");
  if (preview) {
    var version = preview.getAttribute("data-version");
    setInterval(function () {
      fetch(preview.getAttribute("data-state"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (state) {
          var error = document.getElementById("preview-error");
          error.hidden = !state.error; error.textContent = state.error || "";
          if (state.version && state.version !== version) {
            version = state.version;
            var frame = preview.querySelector("iframe");
            if (!frame) { frame = document.createElement("iframe"); frame.title = "The handout as it will print"; preview.textContent = ""; preview.appendChild(frame); }
            frame.src = preview.getAttribute("data-pdf") + "?v=" + version;
            preview.setAttribute("data-version", version);
          }
        })
        .catch(function () {});
    }, 1000);
  }
})();
