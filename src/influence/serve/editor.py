"""The editor layer of the served map page: a panel that edits the deal through the API.

The static ``influence map`` page is left as it is (its golden files stay
byte-identical): :func:`editor_page` adds, only when served, one inline script
(allowed by its hash) and lets the page call its own origin (``connect-src
'self'``). The script sets every user string with ``textContent``; every change
goes through the API's edit routes, which use the byte-preserving, validated,
atomic edit functions of :mod:`influence.interop.edit`, with the version the page
read, so an edit on a stale version gets the 409 message and is never merged.
"""

# ruff: noqa: E501  (the editor script, one JavaScript string)
from __future__ import annotations

import html
import json
import re

from influence.render._page import csp_hash

__all__ = ["EDITOR_JS", "editor_page"]

EDITOR_JS = r"""(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("influence-editor").textContent);
  var key = cfg.file, api = "/api/deals/" + encodeURI(key), version = null, busy = false;
  var undo = JSON.parse(sessionStorage.getItem("influence-undo:" + key) || "[]");
  var panel = document.createElement("section");
  panel.id = "editor";
  panel.setAttribute("aria-label", "Edit the deal");
  panel.style.cssText = "position:fixed;right:8px;bottom:8px;z-index:50;background:#fff;" +
    "border:1px solid #999;padding:6px;font:13px system-ui;max-width:26rem;max-height:60vh;overflow:auto";
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  var status = el("p", {id: "editor-status", role: "status"});
  panel.appendChild(el("strong", {}, "Edit"));
  panel.appendChild(status);
  function say(box, text) { box.textContent = text; }
  function problemText(body) {
    if (!body) return "the server did not answer";
    var lines = (body.problems || []).map(function (p) { return p.text; });
    return lines.length ? body.message + "\n" + lines.join("\n") : body.message;
  }
  function send(method, url, body, box, undoEntry) {
    if (cfg.readOnly || busy) return Promise.resolve(false);
    busy = true;
    var opts = {method: method, headers: {"Content-Type": "application/json"}, credentials: "same-origin"};
    if (body) { body.version = version; opts.body = JSON.stringify(body); }
    else { url += (url.indexOf("?") < 0 ? "?" : "&") + "version=" + version; }
    return fetch(url, opts).then(function (r) {
      return r.json().then(function (data) { return [r.status, data]; });
    }).then(function (res) {
      busy = false;
      if (res[0] === 200) {
        if (typeof undoEntry === "function") undoEntry = undoEntry(res[1]);
        if (undoEntry) { undo.push(undoEntry); sessionStorage.setItem("influence-undo:" + key, JSON.stringify(undo.slice(-20))); }
        location.reload();
        return true;
      }
      box.setAttribute("data-error", res[1].code || "error");
      say(box, problemText(res[1]));
      return false;
    }, function () { busy = false; say(box, "the server did not answer"); return false; });
  }
  function form(id, legend, fields, button, submit) {
    var f = el("form", {id: id});
    f.appendChild(el("b", {}, legend));
    fields.forEach(function (name) {
      var lab = el("label", {}, " " + name + " ");
      lab.appendChild(el("input", {name: name, "aria-label": name, size: "12"}));
      f.appendChild(lab);
    });
    var err = el("output", {"class": "editor-error", "for": id});
    err.style.cssText = "display:block;color:#b00;white-space:pre-wrap";
    f.appendChild(el("button", {type: "submit"}, button));
    f.appendChild(err);
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var values = {};
      fields.forEach(function (name) {
        var v = f.elements[name].value.trim();
        if (v !== "") values[name] = name === "roles" ? v.split(/\s*,\s*/) : v;
      });
      say(err, "");
      submit(values, err);
    });
    panel.appendChild(f);
    return f;
  }
  var deal = null;
  function person(id) {
    return (deal.people || []).filter(function (p) { return p.id === id; })[0] || null;
  }
  var who = el("select", {id: "editor-person", "aria-label": "person"});
  form("editor-add", "Add a person", ["name", "title", "side", "roles", "influence", "stance", "style"],
    "Add", function (v, err) {
      send("POST", api + "/people", {fields: v}, err, function (out) {
        return out.added ? {op: "person", id: out.added} : null;
      });
    });
  var pick = el("p", {});
  pick.appendChild(el("b", {}, "Person "));
  pick.appendChild(who);
  panel.appendChild(pick);
  var stanceErr = el("output", {"class": "editor-error"});
  ["champion", "ally", "neutral", "skeptic", "blocker", "unknown"].forEach(function (s) {
    var b = el("button", {type: "button", "data-stance": s}, s);
    b.addEventListener("click", function () { setField(who.value, "stance", s, stanceErr); });
    pick.appendChild(b);
  });
  pick.appendChild(stanceErr);
  function setField(id, field, value, box) {
    var p = person(id);
    if (!p) return;
    var before = {};
    before[field] = p[field] === undefined ? null : p[field];
    var changes = {};
    changes[field] = value;
    send("PATCH", api + "/people/" + encodeURIComponent(id), {changes: changes}, box,
      {id: id, changes: before});
  }
  form("editor-set", "Set a field of the person", ["field", "value"], "Set", function (v, err) {
    if (!v.field) { say(err, "field: give a field name (e.g. title, notes, reports_to)"); return; }
    setField(who.value, v.field, v.value === undefined ? null : v.value, err);
  });
  var tieForm = form("editor-tie", "Add a tie from the person", ["to", "kind", "strength", "context", "last_contact"],
    "Add tie", function (v, err) {
      var body = {from: who.value, to: v.to || "", kind: v.kind || "knows", fields: {}};
      ["strength", "context", "last_contact"].forEach(function (k) { if (v[k]) body.fields[k] = v[k]; });
      send("POST", api + "/ties", body, err, {op: "tie", from: body.from, to: body.to, kind: body.kind});
    });
  var tail = el("p", {});
  var delErr = el("output", {"class": "editor-error"});
  var del = el("button", {type: "button", id: "editor-delete"}, "Delete person");
  del.addEventListener("click", function () {
    var p = person(who.value);
    if (p && window.confirm("Delete " + p.name + "?")) {
      send("DELETE", api + "/people/" + encodeURIComponent(p.id), null, delErr, null);
    }
  });
  var und = el("button", {type: "button", id: "editor-undo"}, "Undo");
  und.addEventListener("click", function () {
    var last = undo.pop();
    if (!last) { say(delErr, "nothing to undo"); return; }
    sessionStorage.setItem("influence-undo:" + key, JSON.stringify(undo));
    if (last.op === "tie") {  // an added tie: remove it
      send("DELETE", api + "/ties/" + encodeURIComponent(last.from) + "/" + encodeURIComponent(last.to) +
        "?kind=" + encodeURIComponent(last.kind), null, delErr, null);
    } else if (last.op === "person") {  // an added person: remove them
      send("DELETE", api + "/people/" + encodeURIComponent(last.id), null, delErr, null);
    } else {  // a field edit: set the fields back
      send("PATCH", api + "/people/" + encodeURIComponent(last.id), {changes: last.changes}, delErr, null);
    }
  });
  tail.appendChild(del);
  tail.appendChild(und);
  tail.appendChild(delErr);
  panel.appendChild(tail);
  function load() {
    return fetch(api, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (d) {
      deal = d.deal; version = d.version;
      document.documentElement.setAttribute("data-version", version);
      who.textContent = "";
      (deal.people || []).forEach(function (p) { who.appendChild(el("option", {value: p.id}, p.name + " (" + p.id + ")")); });
      say(status, cfg.readOnly ? "read-only" : "version " + version.slice(0, 12));
    });
  }
  function poll() {
    if (busy || version === null) return;
    fetch("/api/deals", {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (d) {
      var mine = (d.deals || []).filter(function (x) { return x.file === key; })[0];
      if (mine && mine.version !== version && !busy) {
        sessionStorage.setItem("influence-changed:" + key, "1");
        location.reload();
      }
    }, function () {});
  }
  if (sessionStorage.getItem("influence-changed:" + key)) {
    sessionStorage.removeItem("influence-changed:" + key);
    panel.setAttribute("data-reloaded", "1");
  }
  // -- drag on the map: draw a tie, or drop a person onto their manager. Only in a
  // mode (its button, or T / M; Escape leaves it); otherwise dragging is the map's own.
  var map = window.influenceMap, mode = null, drag = null;
  var modes = el("p", {id: "editor-modes"});
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
  panel.insertBefore(modes, pick);
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
      setField(from, "reports_to", to, dragErr);
      return;
    }
    who.value = from;
    tieForm.elements.to.value = to;
    say(dragErr, "Tie from " + a.name + " to " + b.name + ": give its kind and details below, then Add tie.");
    tieForm.elements.kind.focus();
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
  }
  document.addEventListener("keydown", function (ev) {
    var t = ev.target, tag = t && t.tagName;
    if (ev.key === "Escape") { if (mode) setMode(null); return; }
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "t" || ev.key === "T") { setMode(mode === "tie" ? null : "tie"); ev.preventDefault(); }
    if (ev.key === "m" || ev.key === "M") { setMode(mode === "manager" ? null : "manager"); ev.preventDefault(); }
  });
  if (cfg.readOnly) {
    Array.prototype.forEach.call(panel.querySelectorAll("button, input"), function (b) { b.disabled = true; });
  }
  document.body.appendChild(panel);
  load().then(function () { document.documentElement.setAttribute("data-editor", "1"); setInterval(poll, 2000); });
})();
"""

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
    data = json.dumps({"file": key, "readOnly": read_only})
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
