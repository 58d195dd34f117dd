// isogap: progressive enhancement only. Every form works without this
// script; with it, a matrix row saves in place instead of reloading the page,
// and an interview's answers save as they are given.
// Filters apply with their button, not on change: a keyboard user moving
// through a select's options must not reload the page at every step.
(function () {
  "use strict";

  // postInline posts a form's data in the background; the server answers
  // such a post with the fragment the page swaps in, not a whole page.
  function postInline(form, data) {
    return fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Isogap-Inline": "1", "Content-Type": "application/x-www-form-urlencoded" }
    });
  }

  function saveRow(form, ev) {
    ev.preventDefault();
    var row = form.closest("tr");
    // The row no longer shows the outcome of an earlier save while this
    // one is on its way.
    row.classList.remove("saved", "failed");
    var button = form.querySelector("button");
    if (button) { button.disabled = true; button.textContent = "Saving…"; }
    postInline(form, new URLSearchParams(new FormData(form))).then(function (res) {
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

  // An interview's screen saves each answer as it is given: the form is
  // posted in the background and the screen's revisions follow the saves,
  // so the buttons' own post saves only what changed since.
  function autosave(form) {
    var status = form.querySelector(".autosave");
    // A button pressed while a save is on its way waits for it: the
    // button's post must carry the revisions that save returns.
    var busy = false, again = false, waiting = null;
    function set(name, v) { var el = form.elements[name]; if (el) { el.value = v; } }
    function save() {
      if (busy) { again = true; return; }
      busy = true;
      if (status) { status.textContent = "Saving…"; }
      var data = new URLSearchParams(new FormData(form));
      postInline(form, data).then(function (res) {
        if (res.status !== 200) { throw new Error("not saved"); }
        return res.json();
      }).then(function (out) {
        Object.keys(out.revisions).forEach(function (id) {
          set("rev_" + id, out.revisions[id]);
          set("was_" + id, data.get("a_" + id) || "");
          set("was_c_" + id, (data.get("c_" + id) || "").trim());
        });
        if (status) { status.textContent = "Saved · " + out.answered + " of " + out.total + " questions answered"; }
        busy = false;
        if (again) { again = false; save(); return; }
        if (waiting) { var b = waiting; waiting = null; form.requestSubmit(b); }
      }).catch(function () { form.submit(); });
    }
    form.addEventListener("submit", function (ev) {
      if (busy) { ev.preventDefault(); waiting = ev.submitter || form.querySelector("button[type=submit]"); }
    });
    form.addEventListener("change", function (ev) {
      var n = ev.target.name || "";
      if (n.indexOf("a_") === 0 || n.indexOf("c_") === 0) { save(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    bind(document);
    document.querySelectorAll("form[data-autosave]").forEach(autosave);
    var errs = document.getElementById("form-errors");
    if (errs) { errs.focus(); }
  });
})();
