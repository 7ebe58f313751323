"""The editor layer of the served map page: a panel that edits the deal through the API.

The static ``influence map`` page is left as it is (its golden files stay
byte-identical): :func:`editor_page` adds, only when served, one inline script
(allowed by its hash) and lets the page call its own origin (``connect-src
'self'``). The script sets every user string with ``textContent``; every change
goes through the API's edit routes, which use the byte-preserving, validated,
atomic edit functions of :mod:`influence.interop.edit`, with the version the page
read, so an edit on a stale version gets the 409 message and is never merged.

The panel edits every field of a person's card and of a tie's (the fields and
choices come from :mod:`influence.model`), shows each located problem of a refused
edit beside the field it names, in the CLI's words, and keeps a stack of undos:
each edit's answer carries the steps that undo it (:mod:`influence.serve.undo`),
sent back through the same routes with the version check.
"""

# ruff: noqa: E501  (the editor script, one JavaScript string)
from __future__ import annotations

import html
import json
import re
from typing import Any

from influence.model import (
    PERSON_KEYS,
    TIE_DETAILS,
    Kind,
    PersonStatus,
    Role,
    Side,
    Stance,
    Style,
)
from influence.render._page import csp_hash

__all__ = ["EDITOR_JS", "editor_page"]

EDITOR_JS = r"""(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("influence-editor").textContent);
  var key = cfg.file, api = "/api/deals/" + encodeURI(key), version = null, busy = false;
  var UNDO = "influence-undo:" + key, NOTE = "influence-note:" + key;
  var PICK = "influence-pick:" + key, CHANGED = "influence-changed:" + key;
  var undo = JSON.parse(sessionStorage.getItem(UNDO) || "[]").filter(function (u) {
    return u && u.steps && u.steps.length;
  });
  var deal = null, forms = [];
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function say(box, text) { box.textContent = text; }
  var panel = el("section", {id: "editor", "aria-label": "Edit the deal"});
  panel.style.cssText = "position:fixed;right:8px;bottom:8px;z-index:50;background:#fff;" +
    "border:1px solid #999;padding:6px;font:13px system-ui;max-width:26rem;max-height:70vh;overflow:auto";
  var ERR = "display:block;color:#b00;white-space:pre-wrap";
  panel.appendChild(el("strong", {}, "Edit"));
  var status = el("p", {id: "editor-status", role: "status"});
  panel.appendChild(status);
  var note = el("output", {id: "editor-note"});
  note.style.cssText = "display:block;white-space:pre-wrap";
  panel.appendChild(note);
  // Shown when the file changed on disk while a form holds input not sent yet.
  var stale = el("p", {id: "editor-stale", hidden: ""});
  stale.appendChild(el("span", {}, "The file changed on disk (another page, a text editor or git pull). "));
  var reloadButton = el("button", {type: "button", id: "editor-reload"}, "Reload");
  reloadButton.addEventListener("click", function () { location.reload(); });
  stale.appendChild(reloadButton);
  panel.appendChild(stale);

  // -- the requests: every change is a list of edits of the API, in its terms
  function q(s) { return encodeURIComponent(s); }
  function request(step) {
    var tie = api + "/ties/" + q(step.from) + "/" + q(step.to) + "?kind=" + q(step.kind || "knows");
    switch (step.op) {
      case "person-add": return ["POST", api + "/people", {fields: step.fields}];
      case "person-set": return ["PATCH", api + "/people/" + q(step.person), {changes: step.fields}];
      case "person-rm": return ["DELETE", api + "/people/" + q(step.person) + (step.cascade ? "?cascade=true" : ""), null];
      case "tie-add": return ["POST", api + "/ties", {from: step.from, to: step.to, kind: step.kind || "knows", fields: step.fields || {}}];
      case "tie-set": return ["PATCH", tie, {changes: step.fields}];
      default: return ["DELETE", tie, null];
    }
  }
  function call(step) {
    var r = request(step), url = r[1];
    var opts = {method: r[0], headers: {"Content-Type": "application/json"}, credentials: "same-origin"};
    if (r[2]) { r[2].version = version; opts.body = JSON.stringify(r[2]); }
    else { url += (url.indexOf("?") < 0 ? "?" : "&") + "version=" + q(version); }
    return fetch(url, opts).then(function (res) {
      return res.json().then(function (data) { return [res.status, data]; },
        function () { return [res.status, null]; });
    });
  }
  // One edit after another, each on the version the one before left.
  function run(steps) {
    var answers = [];
    function next(i) {
      if (i >= steps.length) return Promise.resolve([answers, null]);
      return call(steps[i]).then(function (res) {
        if (res[0] !== 200) return [answers, res];
        version = res[1].version;
        answers.push(res[1]);
        return next(i + 1);
      }, function () { return [answers, [0, null]]; });
    }
    return next(0);
  }
  function keepNote(text) { sessionStorage.setItem(NOTE, text); }
  function saveUndo() {
    undo = undo.slice(-20);
    sessionStorage.setItem(UNDO, JSON.stringify(undo));
    showUndo();
  }
  // Send the edits; on success the page reloads (the analysis is drawn anew).
  // f: the form whose fields show the problems of a refusal.
  function perform(steps, f, opts) {
    opts = opts || {};
    if (cfg.readOnly || busy || version === null) return Promise.resolve(false);
    busy = true;
    if (f) f.clear();
    return run(steps).then(function (out) {
      var answers = out[0], failure = out[1];
      busy = false;
      if (!opts.undoing) {
        var back = [], missing = [], done = [];
        answers.forEach(function (a) {
          if (a.added) sessionStorage.setItem(PICK, a.added);  // the new person, picked
          back = (a.undo || []).concat(back);
          missing = missing.concat(a.undo_missing || []);
          done = done.concat(a.changes || []);
        });
        if (back.length) { undo.push({label: done.join("; "), steps: back}); saveUndo(); }
        if (missing.length) keepNote("Undo cannot put back: " + missing.join(", "));
      } else if (failure) {
        opts.undoing(answers.length, failure[0]);
      }
      if (failure === null) { location.reload(); return true; }
      if (f) f.refused(failure[0], failure[1]);
      if (failure[1] && failure[1].code === "stale-version") stale.hidden = false;
      if (answers.length) {  // a part was written: show the file as it is now
        keepNote((f ? f.banner.textContent : "") || problemText(failure[1]));
        location.reload();
      }
      return false;
    });
  }
  function problemText(body) {
    if (!body) return "the server did not answer";
    var lines = (body.problems || []).map(function (p) { return p.text; });
    return lines.length ? body.message + "\n" + lines.join("\n") : body.message;
  }
  // The field a located problem names: people[3].stance -> stance, relationships[2].to -> to.
  function fieldOf(path) {
    var m = /\.([A-Za-z_]+)(\[\d+\])*$/.exec(path || "");
    return m ? m[1] : null;
  }

  // -- forms: one control a field, its problem shown beside it
  function text(v) {
    if (v === undefined || v === null) return "";
    return Array.isArray(v) ? v.join(", ") : String(v);
  }
  function form(id, legend, specs, button) {
    var f = el("form", {id: id});
    f.style.cssText = "margin:6px 0;padding-top:4px;border-top:1px solid #ddd";
    f.appendChild(el("b", {}, legend));
    var controls = {}, outs = {}, initial = {};
    specs.forEach(function (spec) {
      var name = spec[0], choices = spec[1], c;
      var lab = el("label", {});
      lab.style.cssText = "display:flex;gap:4px;align-items:center;margin-top:2px";
      var tag = el("span", {}, name.replace("_", " "));
      tag.style.cssText = "flex:0 0 6.5rem";
      lab.appendChild(tag);
      if (choices) {
        c = el("select", {name: name});
        c.appendChild(el("option", {value: ""}, "\u2014"));
        choices.forEach(function (v) { c.appendChild(el("option", {value: v}, v)); });
      } else if (name === "notes") {
        c = el("textarea", {name: name, rows: "2", cols: "24"});
      } else {
        c = el("input", {name: name, size: "12"});
        if (spec[2]) c.setAttribute("placeholder", spec[2]);
      }
      var out = el("output", {"class": "editor-field-error", "data-field": name, id: id + "-" + name + "-error"});
      out.style.cssText = ERR;
      c.setAttribute("aria-label", name);
      c.setAttribute("aria-describedby", out.id);
      controls[name] = c;
      outs[name] = out;
      lab.appendChild(c);
      f.appendChild(lab);
      f.appendChild(out);
    });
    f.appendChild(el("button", {type: "submit"}, button));
    var banner = el("output", {"class": "editor-error", "for": id});
    banner.style.cssText = ERR;
    f.appendChild(banner);
    var api_ = {
      form: f, controls: controls, banner: banner,
      fill: function (values) {
        specs.forEach(function (spec) {
          var v = text(values[spec[0]]), c = controls[spec[0]];
          if (c.tagName === "SELECT" && v !== "" && !Array.prototype.some.call(c.options, function (o) { return o.value === v; })) {
            c.appendChild(el("option", {value: v}, v));
          }
          c.value = v;
          initial[spec[0]] = v;
        });
      },
      value: function (name) {
        var v = controls[name].value.trim();
        if (v === "") return null;
        return name === "roles" || name === "emails" ? v.split(/\s*[,;]\s*/).filter(Boolean) : v;
      },
      changed: function () {
        var out = {};
        specs.forEach(function (spec) {
          if (controls[spec[0]].value.trim() !== (initial[spec[0]] || "").trim()) out[spec[0]] = api_.value(spec[0]);
        });
        return out;
      },
      clear: function () {
        banner.removeAttribute("data-error");
        say(banner, "");
        Object.keys(outs).forEach(function (n) { say(outs[n], ""); controls[n].removeAttribute("aria-invalid"); });
      },
      // A refusal: each located problem beside its field, in the CLI's words; the rest above.
      refused: function (code, body) {
        banner.setAttribute("data-error", (body && body.code) || "error");
        var left = [];
        ((body && body.problems) || []).forEach(function (p) {
          var name = fieldOf(p.field);
          if (name && outs[name]) {
            outs[name].textContent += (outs[name].textContent ? "\n" : "") + p.message;
            controls[name].setAttribute("aria-invalid", "true");
          } else {
            left.push(p.text);
          }
        });
        say(banner, body ? [body.message].concat(left).join("\n") : "the server did not answer");
      }
    };
    api_.fill({});
    f.addEventListener("submit", function (ev) { ev.preventDefault(); if (api_.onsubmit) api_.onsubmit(); });
    forms.push(api_);
    return api_;
  }
  function dirty() {
    return forms.some(function (f) { return Object.keys(f.changed()).length > 0; });
  }
  function person(id) {
    return ((deal && deal.people) || []).filter(function (p) { return p.id === id; })[0] || null;
  }
  function ties() { return (deal && deal.relationships) || []; }
  var C = cfg.choices;

  // -- undo and delete
  var tail = el("p", {});
  var und = el("button", {type: "button", id: "editor-undo"}, "Undo");
  var del = el("button", {type: "button", id: "editor-delete"}, "Delete person");
  var tailErr = el("output", {"class": "editor-error", id: "editor-undo-error"});
  tailErr.style.cssText = ERR;
  tail.appendChild(und);
  tail.appendChild(el("span", {}, " "));
  tail.appendChild(del);
  tail.appendChild(tailErr);
  panel.appendChild(tail);
  var tailForm = {clear: function () { tailErr.removeAttribute("data-error"); say(tailErr, ""); },
    refused: function (code, body) {
      tailErr.setAttribute("data-error", (body && body.code) || "error");
      say(tailErr, problemText(body));
    }, banner: tailErr};
  function showUndo() {
    var last = undo[undo.length - 1];
    und.textContent = "Undo" + (undo.length ? " (" + undo.length + ")" : "");
    und.title = last ? "Undo: " + last.label : "Nothing to undo";
  }
  und.addEventListener("click", function () {
    var last = undo.pop();
    if (!last) { say(tailErr, "nothing to undo"); return; }
    saveUndo();
    perform(last.steps, tailForm, {undoing: function (doneCount, code) {
      // Refused on a stale version or a held lock (or no answer): the steps not run stay
      // on the stack, to try again on the new version. Otherwise (the person or tie is
      // gone, the file would be invalid) trying again cannot help: the refusal is shown.
      if (code === 0 || code === 409 || code === 423) {
        undo.push({label: last.label, steps: last.steps.slice(doneCount)});
      }
      saveUndo();
    }});
  });

  // -- drag modes (placed here, filled in below)
  var modes = el("p", {id: "editor-modes"});
  panel.appendChild(modes);

  // -- the person: one click for a stance, and their card with every field
  var who = el("select", {id: "editor-person", "aria-label": "person"});
  var pick = el("p", {});
  pick.appendChild(el("b", {}, "Person "));
  pick.appendChild(who);
  pick.appendChild(el("br", {}));
  panel.appendChild(pick);
  var stanceErr = el("output", {"class": "editor-error", id: "editor-stance-error"});
  stanceErr.style.cssText = ERR;
  var stanceForm = {clear: function () { say(stanceErr, ""); stanceErr.removeAttribute("data-error"); },
    refused: function (code, body) { stanceErr.setAttribute("data-error", (body && body.code) || "error"); say(stanceErr, problemText(body)); },
    banner: stanceErr};
  C.stance.forEach(function (s) {
    var b = el("button", {type: "button", "data-stance": s}, s);
    b.addEventListener("click", function () {
      if (who.value) perform([{op: "person-set", person: who.value, fields: {stance: s}}], stanceForm);
    });
    pick.appendChild(b);
  });
  pick.appendChild(stanceErr);
  var CHOICES = {side: C.side, stance: C.stance, style: C.style, status: C.status, kind: C.kind};
  var HINTS = {influence: "0-1, low, medium, high", assessed: "YYYY-MM-DD or today",
               roles: C.role.join(", "), reports_to: "a person's id", emails: "a, b"};
  function specs(names) { return names.map(function (n) { return [n, CHOICES[n], HINTS[n]]; }); }
  var card = form("editor-card", "The person's card", specs(cfg.personFields), "Save");
  card.onsubmit = function () {
    var changes = card.changed();
    if (!who.value) return;
    if (!Object.keys(changes).length) { say(card.banner, "nothing changed"); return; }
    perform([{op: "person-set", person: who.value, fields: changes}], card);
  };
  panel.appendChild(card.form);
  function showPerson() {
    var p = person(who.value);
    card.fill(p || {});
    card.clear();
    if (p) sessionStorage.setItem(PICK, p.id);
    showTies();
  }
  who.addEventListener("change", showPerson);

  // -- the person's ties: pick one, edit its fields or delete it
  var tiePick = el("select", {id: "editor-tie-pick", "aria-label": "tie"});
  var tieCard = form("editor-tie-card", "Their tie ", specs(["kind"]).concat(specs(cfg.tieFields)), "Save tie");
  tieCard.form.insertBefore(tiePick, tieCard.form.childNodes[1]);
  var tieDel = el("button", {type: "button", id: "editor-tie-delete"}, "Delete tie");
  tieCard.form.insertBefore(tieDel, tieCard.banner);
  tieCard.controls.kind.required = true;
  function label(t) {
    var a = person(t.from), b = person(t.to);
    return (a ? a.name : t.from) + " " + (t.kind || "knows") + " " + (b ? b.name : t.to);
  }
  function tieAt() { return ties()[Number(tiePick.value)] || null; }
  function showTies() {
    tiePick.textContent = "";
    ties().forEach(function (t, i) {
      if (t.from === who.value || t.to === who.value) tiePick.appendChild(el("option", {value: String(i)}, label(t)));
    });
    showTie();
  }
  function showTie() {
    var t = tieAt();
    tieCard.fill(t || {});
    tieCard.clear();
    tieDel.disabled = cfg.readOnly || !t;
  }
  tiePick.addEventListener("change", showTie);
  tieCard.onsubmit = function () {
    var t = tieAt();
    if (!t) return;
    var changes = tieCard.changed(), kind = changes.kind;
    delete changes.kind;
    if (kind === null) { tieCard.refused(422, {code: "invalid-request", message: "a tie needs a kind", problems: []}); return; }
    if (kind) changes.kind = kind;  // a new kind goes in the same tie set: one whole edit
    if (Object.keys(changes).length) {
      perform([{op: "tie-set", from: t.from, to: t.to, kind: t.kind || "knows", fields: changes}], tieCard);
    } else {
      say(tieCard.banner, "nothing changed");
    }
  };
  tieDel.addEventListener("click", function () {
    var t = tieAt();
    if (t && window.confirm("Delete the tie " + label(t) + "?")) {
      perform([{op: "tie-rm", from: t.from, to: t.to, kind: t.kind || "knows"}], tieCard);
    }
  });
  panel.appendChild(tieCard.form);

  // -- a new tie from the person (the drag of the Add tie mode fills it in)
  var tieForm = form("editor-tie", "Add a tie from the person", specs(["to", "kind"]).concat(specs(cfg.tieFields)), "Add tie");
  tieForm.onsubmit = function () {
    var fields = {};
    cfg.tieFields.forEach(function (n) { var v = tieForm.value(n); if (v !== null) fields[n] = v; });
    perform([{op: "tie-add", from: who.value, to: tieForm.value("to") || "", kind: tieForm.value("kind") || "knows", fields: fields}], tieForm);
  };
  panel.appendChild(tieForm.form);

  // -- a new person
  var add = form("editor-add", "Add a person", specs(["name", "title", "side", "roles", "influence", "stance", "style"]), "Add");
  add.onsubmit = function () {
    var fields = {};
    Object.keys(add.controls).forEach(function (n) { var v = add.value(n); if (v !== null) fields[n] = v; });
    perform([{op: "person-add", fields: fields}], add);
  };
  panel.appendChild(add.form);

  del.addEventListener("click", function () {
    var p = person(who.value);
    if (!p) return;
    var also = [];
    ties().forEach(function (t) { if (t.from === p.id || t.to === p.id) also.push("the tie " + label(t)); });
    (deal.people || []).forEach(function (x) { if (x.reports_to === p.id) also.push(x.name + "'s reports_to"); });
    var lost = [];
    if (deal.deal && deal.deal.owner === p.id) lost.push("the deal's owner");
    if ((p.refusals || []).length) lost.push("their refusals");
    if ((p.buying_signals || []).length) lost.push("their buying signals");
    var text = "Delete " + p.name + "?" + (also.length ? "\nThis also removes " + also.join(", ") + "." : "") +
      (lost.length ? "\nUndo cannot put back " + lost.join(", ") + "." : "");
    if (window.confirm(text)) {
      perform([{op: "person-rm", person: p.id, cascade: also.length > 0 || lost.length > 0}], tailForm);
    }
  });

  function load() {
    return fetch(api, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (d) {
      deal = d.deal; version = d.version;
      document.documentElement.setAttribute("data-version", version);
      who.textContent = "";
      (deal.people || []).forEach(function (p) { who.appendChild(el("option", {value: p.id}, p.name + " (" + p.id + ")")); });
      var kept = sessionStorage.getItem(PICK);
      if (kept && person(kept)) who.value = kept;
      showPerson();
      var datalist = el("datalist", {id: "editor-ids"});
      (deal.people || []).forEach(function (p) { datalist.appendChild(el("option", {value: p.id}, p.name)); });
      panel.appendChild(datalist);
      tieForm.controls.to.setAttribute("list", "editor-ids");
      card.controls.reports_to.setAttribute("list", "editor-ids");
      say(status, cfg.readOnly ? "read-only" : "version " + version.slice(0, 12));
      showUndo();
    });
  }
  // A change on disk: reload, unless a form holds input not sent yet (then say so).
  function poll() {
    if (busy || version === null) return;
    fetch("/api/versions", {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (d) {
      var now = (d.versions || {})[key];
      if (busy || now === version) return;
      if (now !== undefined && !dirty()) {
        sessionStorage.setItem(CHANGED, "1");
        location.reload();
      } else {
        stale.hidden = false;
        document.documentElement.setAttribute("data-stale", "1");
      }
    }, function () {});
  }
  if (sessionStorage.getItem(CHANGED)) {
    sessionStorage.removeItem(CHANGED);
    panel.setAttribute("data-reloaded", "1");
  }
  if (sessionStorage.getItem(NOTE)) {
    say(note, sessionStorage.getItem(NOTE));
    sessionStorage.removeItem(NOTE);
  }
  // -- drag on the map: draw a tie, or drop a person onto their manager. Only in a
  // mode (its button, or T / M; Escape leaves it); otherwise dragging is the map's own.
  var map = window.influenceMap, mode = null, drag = null;
  modes.appendChild(el("b", {}, "Drag on the map "));
  var modeButtons = {};
  var HINT = {tie: "Drag from one person to another: the tie form opens for them.",
              manager: "Drag a person onto their manager: sets reports_to."};
  [["tie", "Add tie (T)"], ["manager", "Set manager (M)"]].forEach(function (m) {
    var b = el("button", {type: "button", id: "editor-mode-" + m[0], "aria-pressed": "false", title: HINT[m[0]]}, m[1]);
    b.addEventListener("click", function () { setMode(mode === m[0] ? null : m[0]); });
    modeButtons[m[0]] = b;
    modes.appendChild(b);
  });
  var dragErr = el("output", {"class": "editor-error", id: "editor-drag"});
  dragErr.style.cssText = "display:block;white-space:pre-wrap";
  modes.appendChild(dragErr);
  var dragForm = {clear: function () { dragErr.removeAttribute("data-error"); },
    refused: function (code, body) { dragErr.setAttribute("data-error", (body && body.code) || "error"); say(dragErr, problemText(body)); },
    banner: dragErr};
  function setMode(m) {
    if (cfg.readOnly || !map) return;
    mode = m;
    Object.keys(modeButtons).forEach(function (k) { modeButtons[k].setAttribute("aria-pressed", k === m ? "true" : "false"); });
    document.documentElement.setAttribute("data-edit-mode", m || "");
    dragErr.removeAttribute("data-error");
    say(dragErr, m ? HINT[m] : "");
  }
  // The person at canvas point pt other than the one dragged (it is under the pointer too).
  function personAt(pt, except) {
    var best = null, dist = Infinity, net = map.network;
    map.nodes.getIds({filter: function (n) { return !n.hidden; }}).forEach(function (id) {
      if (id === except) return;
      var b = net.getBoundingBox(id);
      if (!b || pt.x < b.left || pt.x > b.right || pt.y < b.top || pt.y > b.bottom) return;
      var c = net.getPositions([id])[id], d = Math.hypot(c.x - pt.x, c.y - pt.y);
      if (d < dist) { best = id; dist = d; }
    });
    return best;
  }
  function dropped(m, from, to) {
    var a = person(from), b = person(to);
    if (!a || !b) return;  // a person of the page the file no longer has: the poll reloads
    if (m === "manager") {
      say(dragErr, a.name + " reports to " + b.name);
      who.value = from;
      showPerson();
      perform([{op: "person-set", person: from, fields: {reports_to: to}}], dragForm);
      return;
    }
    who.value = from;
    showPerson();
    tieForm.controls.to.value = to;
    say(dragErr, "Tie from " + a.name + " to " + b.name + ": give its kind and details below, then Add tie.");
    tieForm.controls.kind.focus();
  }
  if (map) {
    map.network.on("dragStart", function (params) {
      drag = null;
      if (!mode || params.nodes.length !== 1) return;
      var id = params.nodes[0];
      drag = {mode: mode, id: id, at: map.network.getPositions([id])[id]};
    });
    map.network.on("dragEnd", function (params) {
      if (!drag) return;
      var d = drag, to = personAt(params.pointer.canvas, d.id);
      drag = null;
      map.network.moveNode(d.id, d.at.x, d.at.y);  // the person goes back where they were
      if (to === null) { say(dragErr, "Drop onto another person. " + HINT[d.mode]); return; }
      dropped(d.mode, d.id, to);
    });
    map.network.on("afterDrawing", function (ctx) {
      if (!drag || drag.mode !== "tie") return;
      var now = map.network.getPositions([drag.id])[drag.id];
      ctx.save();
      ctx.strokeStyle = "#333";
      ctx.lineWidth = 2;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(drag.at.x, drag.at.y);
      ctx.lineTo(now.x, now.y);
      ctx.stroke();
      ctx.restore();
    });
    // A click on a person picks them here too, and their card on the map gets an Edit button.
    map.network.on("click", function (params) {
      if (mode || !params.nodes.length || !person(params.nodes[0])) return;
      who.value = params.nodes[0];
      showPerson();
      var shown = document.getElementById("detail");
      if (shown && !shown.hidden) {
        var edit = el("button", {type: "button", id: "editor-edit-card"}, "Edit in the panel");
        edit.addEventListener("click", function () { card.controls.name.focus(); });
        shown.appendChild(edit);
      }
    });
  }
  document.addEventListener("keydown", function (ev) {
    var t = ev.target, tag = t && t.tagName;
    if (ev.key === "Escape") { if (mode) setMode(null); return; }
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "t" || ev.key === "T") { setMode(mode === "tie" ? null : "tie"); ev.preventDefault(); }
    if (ev.key === "m" || ev.key === "M") { setMode(mode === "manager" ? null : "manager"); ev.preventDefault(); }
  });
  if (cfg.readOnly) {
    Array.prototype.forEach.call(panel.querySelectorAll("button, input, select, textarea"), function (b) {
      if (b !== reloadButton) b.disabled = true;
    });
  }
  document.body.appendChild(panel);
  load().then(function () { document.documentElement.setAttribute("data-editor", "1"); setInterval(poll, 2000); });
})();
"""

#: What the panel's forms offer, read from the model (one truth): the fields of a
#: person and of a tie the edit functions set from text, and the choices of each enum.
_FIELDS: dict[str, Any] = {
    "personFields": [k for k in PERSON_KEYS if k not in ("id", "refusals", "buying_signals")],
    "tieFields": list(TIE_DETAILS),
    "choices": {
        "stance": [s.value for s in Stance],
        "side": [s.value for s in Side],
        "style": [s.value for s in Style],
        "status": [s.value for s in PersonStatus],
        "role": [r.value for r in Role],
        "kind": [k.value for k in Kind],
    },
}

_META_CSP = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(">)')


def _csp_with_editor(policy: str) -> str:
    """The page's policy, plus the editor script's hash and requests to the serving origin."""
    out = []
    for part in policy.split("; "):
        if part.startswith("script-src "):
            part = part.replace("'none'", "").rstrip() + " " + csp_hash(EDITOR_JS)
        elif part.startswith("connect-src "):
            part = "connect-src 'self'"
        out.append(part)
    return "; ".join(out)


def editor_page(page: str, key: str, *, read_only: bool) -> str:
    """The map page ``page`` with the editor panel for deal file ``key``.

    The file key reaches the script as inert JSON in a data element, never as code.

    Examples:
        >>> meta = '<meta http-equiv="Content-Security-Policy" content="connect-src none">'
        >>> page = editor_page(meta + "</body>", "d.yaml", read_only=False)
        >>> "connect-src &#39;self&#39;" in page and '"file": "d.yaml"' in page
        True
    """
    data = json.dumps({"file": key, "readOnly": read_only, **_FIELDS})
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    match = _META_CSP.search(page)
    if match:
        policy = html.escape(_csp_with_editor(html.unescape(match.group(2)))).replace(
            "&#x27;", "&#39;"
        )
        page = (
            page[: match.start()] + match.group(1) + policy + match.group(3) + page[match.end() :]
        )
    inject = (
        f'<script type="application/json" id="influence-editor">{data}</script>\n'
        f"<script>{EDITOR_JS}</script>\n"
    )
    at = page.rfind("</body>")
    return page[:at] + inject + page[at:] if at >= 0 else page + inject
