// isogap: passkeys (WebAuthn). A passkey's form is hidden until this
// script shows it: the script asks the server for the ceremony's options,
// hands them to the browser (navigator.credentials.create to add a
// passkey, .get for the second step of signing in), puts the browser's
// answer in the form as JSON, and submits the form like any other.
(function () {
  "use strict";

  // WebAuthn carries bytes; JSON carries them as unpadded base64url.
  function toBytes(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) { s += "="; }
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out.buffer;
  }
  function toText(buf) {
    var b = new Uint8Array(buf), s = "";
    for (var i = 0; i < b.length; i++) { s += String.fromCharCode(b[i]); }
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function ids(list) {
    (list || []).forEach(function (c) { c.id = toBytes(c.id); });
  }

  function answer(cred) {
    var r = cred.response, out = {
      id: cred.id, rawId: toText(cred.rawId), type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: { clientDataJSON: toText(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      out.response.attestationObject = toText(r.attestationObject);
      if (r.getTransports) { out.response.transports = r.getTransports(); }
    } else {
      out.response.authenticatorData = toText(r.authenticatorData);
      out.response.signature = toText(r.signature);
      if (r.userHandle) { out.response.userHandle = toText(r.userHandle); }
    }
    return out;
  }

  // Why a ceremony failed, in words a person can act on.
  function why(err, create) {
    switch (err && err.name) {
      case "NotAllowedError":
        return "The passkey request was cancelled or timed out: nothing was changed. Try again" +
          (create ? "." : ", or type a code below.");
      case "InvalidStateError":
        return "This passkey or security key is already registered to your account.";
      case "SecurityError":
        return "The browser refused passkeys for this address: the site must be reached by its name (HTTPS, or localhost).";
      case "AbortError":
        return "The passkey request was interrupted: try again.";
    }
    return (err && err.message) || "The passkey did not work: try again.";
  }

  function bind(form) {
    var create = form.dataset.passkey === "create";
    var status = form.querySelector(".passkey-status");
    var button = form.querySelector("button[type=submit]");
    function say(text, failed) {
      status.textContent = text;
      status.classList.toggle("failed", !!failed);
    }
    form.hidden = false;
    if (!window.PublicKeyCredential || !navigator.credentials) {
      button.disabled = true;
      say("This browser cannot use passkeys (WebAuthn)" + (create ? ": use an authenticator app, or another browser." : ": type a code below."), true);
      return;
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      button.disabled = true;
      say(create ? "Follow your browser to create the passkey…" : "Follow your browser to use your passkey…", false);
      fetch(form.dataset.options, { method: "POST", credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (res) {
          return res.json().then(function (body) {
            if (!res.ok) { throw new Error(body.error || "The site refused: " + res.status); }
            return body;
          });
        })
        .then(function (opts) {
          var pk = opts.publicKey;
          pk.challenge = toBytes(pk.challenge);
          if (create) {
            pk.user.id = toBytes(pk.user.id);
            ids(pk.excludeCredentials);
            return navigator.credentials.create({ publicKey: pk });
          }
          ids(pk.allowCredentials);
          return navigator.credentials.get({ publicKey: pk });
        })
        .then(function (cred) {
          form.elements.credential.value = JSON.stringify(answer(cred));
          form.submit();
        })
        .catch(function (err) {
          button.disabled = false;
          say(why(err, create), true);
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-passkey]").forEach(bind);
  });
})();
