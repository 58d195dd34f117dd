// isogap: progressive enhancement only. Every form works without this
// script; with it, a matrix row saves in place instead of reloading the page.
// Filters apply with their button, not on change: a keyboard user moving
// through a select's options must not reload the page at every step.
(function () {
  "use strict";

  function saveRow(form, ev) {
    ev.preventDefault();
    var row = form.closest("tr");
    // The row no longer shows the outcome of an earlier save while this
    // one is on its way.
    row.classList.remove("saved", "failed");
    var button = form.querySelector("button");
    if (button) { button.disabled = true; button.textContent = "Saving…"; }
    var data = new URLSearchParams(new FormData(form));
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Isogap-Inline": "1", "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (res) {
      if (res.status === 200 || res.status === 422) {
        return res.text().then(function (html) {
          var tmp = document.createElement("tbody");
          tmp.innerHTML = html.trim();
          var fresh = tmp.querySelector("tr");
          if (!fresh) { throw new Error("no row"); }
          row.replaceWith(fresh);
          bind(fresh);
          fresh.classList.add(res.status === 200 ? "saved" : "failed");
          var focus = fresh.querySelector(res.status === 200 ? "button" : "select, input");
          if (focus) { focus.focus(); }
          announce(res.status === 200 ? "Saved " + fresh.id.replace("row-", "") : "Not saved: see the message in the row");
        });
      }
      // A conflict, a permission problem or a lost session: let the
      // browser submit the form itself and show the full page.
      form.submit();
    }).catch(function () { form.submit(); });
  }

  function bind(root) {
    root.querySelectorAll("form[data-inline]").forEach(function (f) {
      f.addEventListener("submit", function (ev) { saveRow(f, ev); });
    });
  }

  var live;
  function announce(text) {
    if (!live) {
      live = document.createElement("div");
      live.className = "sr";
      live.setAttribute("role", "status");
      live.setAttribute("aria-live", "polite");
      document.body.appendChild(live);
    }
    live.textContent = text;
  }

  document.addEventListener("DOMContentLoaded", function () {
    bind(document);
    var errs = document.getElementById("form-errors");
    if (errs) { errs.focus(); }
  });
})();
