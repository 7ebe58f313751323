/* influence map: builds the network from the page's JSON data.
 * Every user string reaches the page through textContent or as canvas text,
 * never as markup; tooltips are DOM elements, never strings. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  // Maps without a prototype: a person may well have the id "__proto__".
  var people = Object.create(null);

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function row(parent, key, value) {
    if (value === undefined || value === null || value === "") return;
    var line = el("div", "tip-row");
    line.appendChild(el("span", "tip-key", key + ": "));
    line.appendChild(el("span", "tip-value", value));
    parent.appendChild(line);
  }

  function num(x) {
    return x === null || x === undefined ? null : Number(x).toFixed(2);
  }

  function personLines(box, p) {
    box.appendChild(el("div", "tip-title", (p.dm ? "\u2605 " : "") + (p.top ? "\u265B " : "") + p.name));
    row(box, "title", p.title);
    row(box, "id", p.id);
    row(box, "side", p.side + (p.top ? ", the top decision-maker" : p.dm ? ", decision-maker" : ""));
    if (p.left) row(box, "status", "left the company (their coverage does not count)");
    row(box, "roles", p.roles.join(", "));
    var influence = num(p.influence);
    if (p.network !== null) {
      influence += "; network influence " + num(p.network) + " (rank " + p.rank + ")";
    }
    row(box, "influence", influence);
    row(box, "stance", p.stance + (p.assessed ? " (assessed " + p.assessed + ")" : " (never assessed)"));
    row(box, "style", p.style);
    row(box, "coverage", p.coverage);
    row(box, "last contact", p.contact);
    row(box, "notes", p.notes);
  }

  function personTip(p) {
    var box = el("div", "tip");
    personLines(box, p);
    return box;
  }

  var VERB = {knows: "knows", influences: "influences", reports_to: "reports to",
              conflicts_with: "conflicts with"};

  function tieTip(e) {
    var t = e.tie;
    var box = el("div", "tip");
    box.appendChild(el("div", "tip-title",
      people[e.from].name + " " + VERB[t.kind] + " " + people[e.to].name));
    row(box, "strength", num(t.strength));
    row(box, "warmth", t.warmth);
    row(box, "trend", t.trend);
    row(box, "last touch", t.touch);
    row(box, "context", t.context);
    row(box, "last contact", t.contact);
    row(box, "notes", t.notes);
    if (!t.declared) row(box, "from", "the reports_to field");
    if (t.path) row(box, "on", "a highlighted introduction path");
    return box;
  }

  data.nodes.forEach(function (n) { people[n.id] = n.person; });
  // Tooltips are ours (see "tooltips" below), not vis-network's: its popup picks the
  // last tie drawn within 10 canvas units of the pointer, not the one under it.
  var edgeById = Object.create(null);
  var base = Object.create(null);  // each tie's own colour and width, to restore
  data.edges.forEach(function (e) {
    var style = data.kinds[e.tie.kind];
    e.dashes = style.dashes;
    e.arrows = style.arrows;
    var colour = e.color ? e.color.color : style.color;
    if (e.tie.cooling && data.cooling) {  // cooling: a cool colour, short dashes
      e.dashes = data.cooling.dashes;
      if (!e.color) colour = data.cooling.color;
    }
    e.color = {color: colour, highlight: "#000000", hover: "#000000"};
    base[e.id] = {color: colour, width: e.width};
    edgeById[e.id] = e;
  });

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("map");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);

  // ------------------------------------------------------------ ties of a big map, in bulk
  // vis-network strokes every tie on its own (and its arrow head): ~10 us a tie, half a
  // second for the 50,000 ties of a 5,000-person deal at every redraw, so a click waited
  // that long for its draw. Here the plain ties (not selected, not on a path, straight,
  // solid) are stroked in one path per colour and width, and their arrow heads are left
  // out while they are under 3 px on screen; every other tie is drawn by vis as before.
  // (A big map draws every tie solid and straight: see _kind_styles in html.py.)
  var BULK = data.edges.length > 3000 && data.edges.every(function (e) {
    return e.dashes === false && !e.smooth;
  });
  var bump = function () {};  // a change the layer of bulk ties must be redrawn for
  var bulkState = null;  // for tests: the layer of everyone's ties (see below)
  // Recomputes the people and ties vis draws (after some were shown or hidden).
  var refreshVisible = function () { network._updateVisibleIndices(); };
  var hiddenCount = 0;  // how many people are hidden (kept by applyFilters)
  var special = Object.create(null);  // ties vis draws itself: paths and restyled ones
  data.edges.forEach(function (e) { if (e.tie.path) special[e.id] = true; });
  // Drawn in bulk (and kept in the cached layer below): on a big map every tie is solid
  // and straight, and only the restyled ties (paths, selection) keep their vis styles.
  function bulkTie(o) { return !special[o.id]; }
  function plainTie(o) { return !o.selected && !o.hover && bulkTie(o); }
  if (BULK) {
    var renderer = network.renderer;
    var body = network.body;
    // The bulk ties are drawn once into a layer of their own, kept while the view, the
    // people shown and the ties stay the same: a click only selects, so its redraw
    // copies the layer and draws the selected ties over it.
    var layer = document.createElement("canvas");
    var layerKey = null;
    var version = 0;
    bump = function () { version++; };
    nodes.on("*", bump);
    edges.on("*", bump);
    network.on("dragging", bump);
    network.on("dragEnd", bump);
    // vis's own recount of the people and ties to draw walks its 50,000 ties by key
    // (for...in, ~60 ms); the same walk over arrays made once, in vis's own order, takes
    // a few ms. The arrays are made again after any change through the data sets.
    var walk = null;
    function walkLists() {
      if (walk) return walk;
      var ns = [], es = [], place = Object.create(null);
      for (var nid in body.nodes) ns.push(body.nodes[nid]);
      for (var eid in body.edges) {
        var o = body.edges[eid];
        place[o.id] = es.length;
        es.push([o, body.nodes[o.fromId], body.nodes[o.toId]]);
      }
      walk = {nodes: ns, edges: es, place: place};
      return walk;
    }
    function shownTie(t) {
      return t[0].options.hidden === false && t[1] !== undefined && t[2] !== undefined &&
        t[1].options.hidden === false && t[2].options.hidden === false;
    }
    // The shown ties vis draws itself, in its own order: the restyled and the selected
    // ones (and, with ``also``, the shown ties of that set): a few dozen, found without
    // walking all 50,000. Null when ties may be hovered (vis's hover styling is on).
    function drawnByVis(also) {
      if (data.options.interaction.hover) return null;
      var lists = walkLists(), places = [], out = [];
      function add(id) { if (lists.place[id] !== undefined) places.push(lists.place[id]); }
      for (var sid in special) add(sid);
      network.getSelectedEdges().forEach(add);
      if (also) for (var aid in also) add(aid);
      places.sort(function (a, b) { return a - b; });
      for (var k = 0; k < places.length; k++) {
        if (k && places[k] === places[k - 1]) continue;
        var t = lists.edges[places[k]], o = t[0];
        if (o.connected === true && shownTie(t) &&
            (!plainTie(o) || (also && also[o.id] && o.from !== o.to))) out.push(o);
      }
      return out;
    }
    nodes.on("*", function () { walk = null; });
    edges.on("*", function () { walk = null; });
    refreshVisible = function () {
      // (The map never clusters; were it to, vis's own walk knows about clusters.)
      var clustered = network.clustering && network.clustering.clusteredNodes;
      if (clustered && Object.keys(clustered).length) return network._updateVisibleIndices();
      var lists = walkLists(), shownNodes = [], shownTies = [];
      for (var i = 0; i < lists.nodes.length; i++) {
        if (lists.nodes[i].options.hidden === false) shownNodes.push(lists.nodes[i].id);
      }
      for (var j = 0; j < lists.edges.length; j++) {
        var t = lists.edges[j];
        if (shownTie(t)) shownTies.push(t[0].id);
      }
      body.nodeIndices = shownNodes;
      body.edgeIndices = shownTies;
    };
    // Each tie's group (its own colour and width) is found once: the bulk ties keep them.
    var groupOf = Object.create(null), groups = [];
    (function () {
      var index = Object.create(null);
      data.edges.forEach(function (e) {
        var key = base[e.id].color + " " + base[e.id].width;
        if (!(key in index)) {
          index[key] = groups.length;
          groups.push({key: key, color: base[e.id].color, width: base[e.id].width});
        }
        groupOf[e.id] = index[key];
      });
      var order = groups.map(function (g, i) { return i; })
        .sort(function (a, b) { return groups[a].key < groups[b].key ? -1 : 1; });
      var rank = [];
      order.forEach(function (g, i) { rank[g] = i; });
      groups = order.map(function (g) { return groups[g]; });
      for (var id in groupOf) groupOf[id] = rank[groupOf[id]];
    })();
    var maxWidth = Math.max.apply(null, groups.map(function (g) { return g.width; }));
    function drawBulk(ctx) {
      // body.edgeIndices holds only the ties between people shown.
      var all = body.edges, order = body.edgeIndices, ties = [];
      for (var i = 0; i < order.length; i++) {
        var o = all[order[i]];
        if (o.connected !== true || special[o.id] || o.from === o.to) continue;
        ties.push(o);
      }
      strokeGroups(ctx, ties);
    }
    // One path per group (colour and width), stroked once each.
    function strokeGroups(ctx, ties) {
      var lists = groups.map(function () { return []; });
      for (var i = 0; i < ties.length; i++) lists[groupOf[ties[i].id]].push(ties[i]);
      lists.forEach(function (list, g) {
        if (!list.length) return;
        ctx.beginPath();
        for (var j = 0; j < list.length; j++) {
          ctx.moveTo(list[j].from.x, list[j].from.y);
          ctx.lineTo(list[j].to.x, list[j].to.y);
        }
        ctx.strokeStyle = groups[g].color;
        ctx.lineWidth = groups[g].width;
        ctx.stroke();
      });
    }
    // Zoomed out so far that every tie is under half a pixel wide, a layer is drawn at
    // half resolution (a quarter of the pixels to fill) and scaled up.
    function resolution(scale) {
      return Math.abs(scale) * (maxWidth * Math.abs(scale) < 0.5 ? 0.5 : 1);
    }

    // Everyone shown (focus off, the likely next step on a map that opens in focus):
    // stroking all 50,000 ties into the layer is most of that step's wait. So while the
    // page is idle, the bulk ties of everyone are drawn ahead into a layer in map
    // coordinates, at the resolution of the view then shown; a view with everyone
    // shown, no finer than that and at most twice as far out, copies it. The ties of
    // every path (restyled when a path is selected) are left out of it and drawn by vis
    // over it. A drag drops it (it is made again once someone is hidden again); any
    // other view draws its own layer as before.
    var pathTie = Object.create(null);
    data.paths.forEach(function (t) {
      t.paths.forEach(function (p) {
        p.steps.forEach(function (step) { if (step.edge) pathTie[step.edge] = true; });
      });
    });
    var everyone = null;  // {canvas, x, y, res}
    var everyoneDue = false;  // made at the next idle moment
    var lastRes = 0;  // the resolution of the last view drawn
    var lastView = null;  // and its transform
    function dropEveryone() { everyone = null; }
    network.on("dragging", dropEveryone);
    network.on("dragEnd", dropEveryone);
    function makeEveryone() {
      everyoneDue = false;
      if (everyone || !lastRes || !hiddenCount) return;
      var lists = walkLists(), x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      lists.nodes.forEach(function (n) {
        x0 = Math.min(x0, n.x); y0 = Math.min(y0, n.y);
        x1 = Math.max(x1, n.x); y1 = Math.max(y1, n.y);
      });
      // On the pixel grid of the view's own layer (its translation less whole pixels):
      // at that view the copy is that layer's picture, pixel for pixel.
      var res = lastRes, half = res / Math.abs(lastView.a), pad = maxWidth + 2 / res;
      var tx = half * lastView.e + Math.ceil(-res * (x0 - pad) - half * lastView.e);
      var ty = half * lastView.f + Math.ceil(-res * (y0 - pad) - half * lastView.f);
      var w = Math.ceil(res * (x1 + pad) + tx) + 1, h = Math.ceil(res * (y1 + pad) + ty) + 1;
      if (!(w > 0 && h > 0) || w > 8192 || h > 8192 || w * h > 16e6) return;  // too fine
      var canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      var lctx = canvas.getContext("2d");
      lctx.setTransform(res, 0, 0, res, tx, ty);
      var ties = [];
      lists.edges.forEach(function (t) {
        var o = t[0];
        if (o.connected === true && !pathTie[o.id] && t[1] !== undefined && t[2] !== undefined &&
            o.options.hidden === false && o.from !== o.to) ties.push(o);
      });
      strokeGroups(lctx, ties);
      // The browser draws a canvas's strokes when it is next read: read a pixel, so that
      // they are drawn now, while idle, and not at the first copy.
      lctx.getImageData(0, 0, 1, 1);
      everyone = {canvas: canvas, x: -tx / res, y: -ty / res, res: res};
    }
    network.on("afterDrawing", function () {
      if (everyone || everyoneDue || !hiddenCount || !lastRes) return;
      everyoneDue = true;
      if (window.requestIdleCallback) window.requestIdleCallback(makeEveryone, {timeout: 2000});
      else setTimeout(makeEveryone, 200);
    });

    var copied = false;  // whether the last draw copied the layer of everyone's ties
    bulkState = {
      ready: function () { return everyone !== null; },
      copied: function () { return copied; },
      drop: dropEveryone
    };

    renderer._drawEdges = function (ctx) {
      var m = ctx.getTransform();
      var src = ctx.canvas;
      var all = body.edges, order = body.edgeIndices, i, o, mine;
      var res = resolution(m.a);
      copied = Boolean(everyone && !hiddenCount && res <= everyone.res * 1.0001 &&
        res >= everyone.res / 2);
      if (copied) {
        ctx.drawImage(everyone.canvas, everyone.x, everyone.y,
          everyone.canvas.width / everyone.res, everyone.canvas.height / everyone.res);
        mine = drawnByVis(pathTie);
        if (mine) {
          for (i = 0; i < mine.length; i++) mine[i].draw(ctx);
          return;
        }
        for (i = 0; i < order.length; i++) {
          o = all[order[i]];
          if (o.connected === true && (!plainTie(o) || (pathTie[o.id] && o.from !== o.to))) o.draw(ctx);
        }
        return;
      }
      lastRes = res;
      lastView = m;
      var key = [version, src.width, src.height, m.a, m.b, m.c, m.d, m.e, m.f].join(" ");
      if (key !== layerKey) {
        var half = res / Math.abs(m.a);
        layer.width = Math.ceil(src.width * half);
        layer.height = Math.ceil(src.height * half);
        var lctx = layer.getContext("2d");
        lctx.setTransform(m.a * half, m.b * half, m.c * half, m.d * half, m.e * half, m.f * half);
        drawBulk(lctx);
        layerKey = key;
      }
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(layer, 0, 0, src.width, src.height);
      ctx.restore();
      mine = drawnByVis(null);
      if (mine) {
        for (i = 0; i < mine.length; i++) mine[i].draw(ctx);
        return;
      }
      for (i = 0; i < order.length; i++) {
        o = all[order[i]];
        if (o.connected === true && !plainTie(o)) o.draw(ctx);
      }
    };
    // Arrow heads: those of the plain ties only once they are 3 px or more on screen,
    // and then only for the ties that cross the view (vis draws all 50,000, off screen too).
    renderer._drawArrows = function (ctx) {
      var all = body.edges, order = body.edgeIndices, heads = body.view.scale >= 0.25;
      var mine = heads ? null : drawnByVis(null);
      if (mine) {
        for (var k = 0; k < mine.length; k++) mine[k].drawArrows(ctx);
        return;
      }
      var frame = network.canvas.frame.canvas;
      var lo = network.DOMtoCanvas({x: -40, y: -40});
      var hi = network.DOMtoCanvas({x: frame.clientWidth + 40, y: frame.clientHeight + 40});
      for (var i = 0; i < order.length; i++) {
        var o = all[order[i]];
        if (o.connected !== true) continue;
        if (plainTie(o)) {
          if (!heads) continue;
          var a = o.from, b = o.to;
          if ((a.x < lo.x && b.x < lo.x) || (a.x > hi.x && b.x > hi.x) ||
              (a.y < lo.y && b.y < lo.y) || (a.y > hi.y && b.y > hi.y)) continue;
        }
        o.drawArrows(ctx);
      }
    };
  }

  // Showing, hiding or dimming thousands of people (or restyling the ties of a path)
  // through DataSet.update makes vis re-read every option of each and recompute its
  // whole state (0.5-0.8 s on a 5,000-person map). On a big map the change goes to the
  // data set (so nodes.get and edges.get tell the truth) and to vis's own node or tie
  // only, then vis recomputes the people and ties it draws, once, and draws at the
  // next frame. People change a plain field (hidden, opacity); ties re-read their
  // options (colour and width are parsed by vis).
  function quickUpdate(set, changes) {
    if (!changes.length) return;
    var own = set === nodes ? network.body.nodes : network.body.edges;
    if (!BULK || !set._data || !network._updateVisibleIndices) {
      set.update(changes);
      return;
    }
    var store = set._data;
    var tie = set === edges;
    var shownOrHidden = false;
    for (var i = 0; i < changes.length; i++) {
      var c = changes[i];
      var item = store.get(c.id);  // the stored item: get() hands out copies of it
      for (var k in c) {
        if (k === "id") continue;
        item[k] = c[k];
        if (!tie) own[c.id].options[k] = c[k];
        if (k === "hidden") shownOrHidden = true;
      }
      if (tie) own[c.id].setOptions(item);
    }
    // Dimming people (their opacity) changes neither who is drawn nor the bulk ties.
    if (shownOrHidden) refreshVisible();
    if (tie || shownOrHidden) bump();
    network.body.emitter.emit("_requestRedraw");
  }

  // ------------------------------------------------------------ who we must reach
  // Each decision-maker nobody on our team reaches gets a halo (under the map) and a
  // ring (over it) in the "not reached" colour, never smaller on screen than a few
  // pixels, however far the view is zoomed out: the loudest marks on the map.
  var hiddenIds = Object.create(null);  // people hidden by focus, filters or "show only"
  data.nodes.forEach(function (n) { if (n.hidden) hiddenIds[n.id] = true; });
  hiddenCount = Object.keys(hiddenIds).length;
  var inFocus = Object.create(null);
  data.focus.forEach(function (id) { inFocus[id] = true; });
  var sizeOf = Object.create(null);
  var fontOf = Object.create(null);
  var threshold = data.options.nodes.scaling.label.drawThreshold;
  var opacityOf = Object.create(null);
  data.nodes.forEach(function (n) {
    opacityOf[n.id] = n.opacity === undefined ? 1 : n.opacity;
    sizeOf[n.id] = n.size;
    fontOf[n.id] = n.font ? n.font.size : data.options.nodes.font.size;
  });
  var NOT_REACHED = data.colours.notReached;
  function unreachedMarks(ctx, ring) {
    var ids = data.unreached.filter(function (id) { return !hiddenIds[id]; });
    if (!ids.length) return;
    var scale = network.getScale();
    var pos = network.getPositions(ids);
    ctx.save();
    ctx.strokeStyle = NOT_REACHED;
    ctx.fillStyle = NOT_REACHED;
    ids.forEach(function (id) {
      var p = pos[id];
      var size = sizeOf[id];
      ctx.beginPath();
      if (ring) {
        ctx.globalAlpha = 1;
        ctx.lineWidth = Math.max(4, 4 / scale);
        var r = Math.max(size + 7, 12 / scale);
        ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
        ctx.stroke();
        if (fontOf[id] * scale < threshold) {
          // Zoomed out past their own label: their name, 12 px on screen, stays.
          ctx.font = "600 " + (12 / scale) + "px sans-serif";
          ctx.textAlign = "center";
          ctx.textBaseline = "top";
          ctx.lineWidth = 3 / scale;
          ctx.strokeStyle = "#ffffff";
          ctx.strokeText(people[id].name, p.x, p.y + r + 3 / scale);
          ctx.fillStyle = "#1a1a1a";
          ctx.fillText(people[id].name, p.x, p.y + r + 3 / scale);
          ctx.strokeStyle = NOT_REACHED;
          ctx.fillStyle = NOT_REACHED;
        }
      } else {
        ctx.globalAlpha = 0.35;
        ctx.arc(p.x, p.y, Math.max(size + 22, 24 / scale), 0, 2 * Math.PI);
        ctx.fill();
      }
    });
    ctx.restore();
  }
  network.on("beforeDrawing", function (ctx) { unreachedMarks(ctx, false); });
  network.on("afterDrawing", function (ctx) { unreachedMarks(ctx, true); });

  // Flags for scripts and tests: drawn once; settled (physics done, nothing moves).
  network.once("afterDrawing", function () {
    window.__mapDrawnAt = performance.now();
    document.documentElement.setAttribute("data-drawn", "1");
    if (!data.options.physics.enabled) document.documentElement.setAttribute("data-settled", "1");
  });
  network.on("stabilized", function () {
    document.documentElement.setAttribute("data-settled", "1");
  });

  // ------------------------------------------------------------ tooltips
  // The map's frame: the canvas, and over it the buttons, the card and tooltips.
  var mapBox = document.getElementById("stage");
  var tip = el("div", "vis-tooltip map-tip");
  tip.style.visibility = "hidden";
  mapBox.appendChild(tip);
  var tipTimer = null;
  var tipAt = null;

  function hideTip() {
    tip.style.visibility = "hidden";
    tipAt = null;
  }

  function visibleTie(id) {
    var e = edgeById[id];
    return e && !hiddenIds[e.from] && !hiddenIds[e.to] ? e : null;
  }

  function showTip(pt) {
    // The person under the pointer, else the nearest tie (the one a click selects).
    var node = network.getNodeAt(pt);
    clear(tip);
    if (node !== undefined && people[node] && !hiddenIds[node]) {
      personLines(tip, people[node]);
    } else {
      var id = network.getEdgeAt(pt);
      var e = id === undefined ? null : visibleTie(id);
      if (!e) return hideTip();
      tip.appendChild(tieTip(e));
    }
    tip.style.left = Math.min(pt.x + 14, Math.max(0, mapBox.clientWidth - 380)) + "px";
    tip.style.top = Math.min(pt.y + 14, Math.max(0, mapBox.clientHeight - tip.offsetHeight - 4)) + "px";
    tip.style.visibility = "visible";
    tipAt = pt;
  }

  mapBox.addEventListener("mousemove", function (ev) {
    var box = mapBox.getBoundingClientRect();
    var pt = {x: ev.clientX - box.left, y: ev.clientY - box.top};
    if (tipAt && Math.abs(pt.x - tipAt.x) + Math.abs(pt.y - tipAt.y) > 6) hideTip();
    clearTimeout(tipTimer);
    tipTimer = setTimeout(function () { showTip(pt); }, data.options.interaction.tooltipDelay);
  });
  mapBox.addEventListener("mouseleave", function () { clearTimeout(tipTimer); hideTip(); });
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);

  // ------------------------------------------------------------ the card
  // A click on a person opens a card beside them, inside the map (so in view).
  var card = document.getElementById("detail");

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function closeCard() {
    clear(card);
    card.hidden = true;
  }

  function placeCard(pt) {
    card.hidden = false;
    var w = mapBox.clientWidth, h = mapBox.clientHeight;
    card.style.maxHeight = Math.max(120, h - 16) + "px";
    var cw = card.offsetWidth, ch = card.offsetHeight;
    var x = pt.x + 24 + cw <= w - 8 ? pt.x + 24 : pt.x - 24 - cw;
    x = Math.max(8, Math.min(x, w - cw - 8));
    var y = Math.max(8, Math.min(pt.y - ch / 2, h - ch - 8));
    card.style.left = x + "px";
    card.style.top = y + "px";
  }

  function cardHead(title) {
    clear(card);
    var bar = el("div", "card-bar");
    bar.appendChild(el("h2", null, title));
    var close = el("button", "card-close", "\u00d7");
    close.type = "button";
    close.setAttribute("aria-label", "Close (Escape)");
    close.addEventListener("click", closeCard);
    bar.appendChild(close);
    card.appendChild(bar);
  }

  function chainText(p) {
    return p.people.map(function (x) { return people[x].name; }).join(" \u2192 ") +
      " (warmth " + Number(p.warmth).toFixed(2) + ")";
  }

  function bestPathOf(id) {
    for (var i = 0; i < data.paths.length; i++) {
      if (data.paths[i].target === id && data.paths[i].paths.length) {
        return {target: i, path: 0, p: data.paths[i].paths[0]};
      }
    }
    for (var j = 0; j < data.paths.length; j++) {
      var ps = data.paths[j].paths;
      for (var k = 0; k < ps.length; k++) {
        if (ps[k].people.indexOf(id) !== -1) return {target: j, path: k, p: ps[k]};
      }
    }
    return null;
  }

  function showPerson(id, pt) {
    var p = people[id];
    if (!p) return closeCard();
    cardHead("Person");
    var box = el("div", "detail-box");
    personLines(box, p);
    card.appendChild(box);
    var best = bestPathOf(id);
    if (best) {
      card.appendChild(el("h3", null, best.p.people[best.p.people.length - 1] === id ?
        "Best path" : "On a path"));
      var link = el("button", "linkish", chainText(best.p));
      link.type = "button";
      link.addEventListener("click", function () { selectPath(best.target, best.path); });
      card.appendChild(link);
    }
    var about = data.actions.filter(function (a) { return a.people.indexOf(id) !== -1; });
    if (about.length) {
      card.appendChild(el("h3", null, "Actions about them"));
      var list = el("ul", "card-actions");
      about.forEach(function (a) { list.appendChild(el("li", null, a.text + " [" + a.signal + "]")); });
      card.appendChild(list);
    }
    var ties = network.getConnectedEdges(id);
    card.appendChild(el("h3", null, ties.length + (ties.length === 1 ? " tie" : " ties")));
    var tieList = el("ul", "ties");
    var sorted = ties.map(function (eid) { return edgeById[eid]; })
      .sort(function (a, b) { return a.id < b.id ? -1 : a.id > b.id ? 1 : 0; });
    sorted.slice(0, 40).forEach(function (e) {
      var t = e.tie;
      tieList.appendChild(el("li", null, people[e.from].name + " " + VERB[t.kind] + " " +
        people[e.to].name + " (" + num(t.strength) + (t.context ? ", " + t.context : "") +
        (t.contact ? ", last contact " + t.contact : "") + (t.cooling ? ", cooling" : "") + ")"));
    });
    if (sorted.length > 40) tieList.appendChild(el("li", "muted", "and " + (sorted.length - 40) + " more"));
    card.appendChild(tieList);
    placeCard(pt || network.canvasToDOM(network.getPositions([id])[id]));
  }

  function showTie(id, pt) {
    var e = edgeById[id];
    if (!e) return closeCard();
    cardHead("Tie");
    var box = tieTip(e);
    box.className = "detail-box";
    card.appendChild(box);
    placeCard(pt);
  }

  network.on("click", function (params) {
    hideTip();
    if (params.nodes.length) {
      // vis selects the node with its ties (drawn black and thicker).
      var id = params.nodes[0];
      showPerson(id, network.canvasToDOM(network.getPositions([id])[id]));
    } else if (params.edges.length) {
      showTie(params.edges[0], params.pointer.DOM);
    } else {
      closeCard();
      clearPath();
    }
  });

  // ------------------------------------------------------------ paths
  // The best path to each target is drawn by default; a click in "Reach next" or in
  // the list draws that path thicker, fades the other paths and dims everyone else.
  var PATH = data.colours.path;
  var FADED = "#F2D9A6";
  var selected = null;  // [target index, path index]
  var touched = [];  // ties restyled by the selection
  var dimmed = [];  // people dimmed by the selection

  function pathItems() { return document.querySelectorAll("[data-path]"); }

  function markList() {
    Array.prototype.forEach.call(pathItems(), function (item) {
      var on = selected !== null &&
        Number(item.getAttribute("data-target")) === selected[0] &&
        Number(item.getAttribute("data-path")) === selected[1];
      item.setAttribute("aria-selected", on ? "true" : "false");
      item.classList.toggle("selected", on);
    });
  }

  function clearPath() {
    if (selected === null) return;
    selected = null;
    quickUpdate(edges, touched.map(function (id) {
      var b = base[id];
      return {id: id, width: b.width, color: {color: b.color, highlight: "#000000", hover: "#000000"}};
    }));
    touched.forEach(function (id) { if (!edgeById[id].tie.path) delete special[id]; });
    touched = [];
    // Back to each person's own opacity: someone who left stays faded.
    quickUpdate(nodes, dimmed.map(function (id) { return {id: id, opacity: opacityOf[id]}; }));
    dimmed = [];
    network.unselectAll();
    markList();
  }

  function selectPath(ti, pi) {
    var t = data.paths[ti];
    var p = t && t.paths[pi];
    if (!p) return;
    clearPath();
    selected = [ti, pi];
    var mine = Object.create(null);
    var ids = p.steps.map(function (s) { return s.edge; }).filter(function (x) { return x; });
    ids.forEach(function (id) { mine[id] = true; });
    var changes = [];
    data.edges.forEach(function (e) {
      if (mine[e.id]) {
        changes.push({id: e.id, width: 9, color: {color: PATH, highlight: PATH, hover: PATH}});
      } else if (e.tie.path) {
        changes.push({id: e.id, width: 3, color: {color: FADED, highlight: "#000000", hover: "#000000"}});
      }
    });
    touched = changes.map(function (c) { return c.id; });
    touched.forEach(function (id) { special[id] = true; });
    quickUpdate(edges, changes);
    // Everyone shown who is not on the path is dimmed (the hidden stay as they are).
    var onIt = Object.create(null);
    p.people.forEach(function (id) { onIt[id] = true; });
    dimmed = data.nodes.filter(function (n) { return !onIt[n.id] && !hiddenIds[n.id]; })
      .map(function (n) { return n.id; });
    quickUpdate(nodes, dimmed.map(function (id) { return {id: id, opacity: Math.min(0.3, opacityOf[id])}; }));
    network.setSelection({nodes: p.people, edges: ids}, {highlightEdges: false});
    network.fit({nodes: p.people, animation: false});
    if (network.getScale() > 1.2) network.moveTo({scale: 1.2});
    markList();
    showPerson(t.target);
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-person]"), function (item) {
    if (item.hasAttribute("data-path")) return;
    function go() {
      var id = item.getAttribute("data-person");
      clearPath();
      network.selectNodes([id]);
      network.focus(id, {scale: Math.max(network.getScale(), 0.8), animation: false});
      showPerson(id);
    }
    item.addEventListener("click", go);
    item.addEventListener("keydown", function (ev) { if (ev.key === "Enter") go(); });
  });
  Array.prototype.forEach.call(pathItems(), function (item) {
    function go() {
      selectPath(Number(item.getAttribute("data-target")), Number(item.getAttribute("data-path")));
    }
    item.addEventListener("click", go);
    item.addEventListener("keydown", function (ev) { if (ev.key === "Enter") go(); });
  });

  // ------------------------------------------------------------ fit, search, filters
  function visibleIds() {
    return data.nodes.filter(function (n) { return !hiddenIds[n.id]; }).map(function (n) { return n.id; });
  }

  function fitAll() {
    network.fit({nodes: visibleIds(), animation: false});
  }

  var search = document.getElementById("search");
  var found = document.getElementById("found");
  // What search looks in: name, title, roles (also with spaces), stance, id.
  var haystack = Object.create(null);
  data.nodes.forEach(function (n) {
    var p = n.person;
    haystack[n.id] = [p.name, p.title || "", p.roles.join(" "), p.roles.join(" ").replace(/_/g, " "),
      p.dm ? "decision-maker decision maker" : "", String(p.id)].join("\n").toLowerCase();
  });
  // People hidden only by focus mode are found too: Enter shows them (with the focus).
  var revealed = Object.create(null);
  function runSearch(fit) {
    var q = search.value.trim().toLowerCase();
    if (!q) {
      found.textContent = "";
      network.unselectAll();
      if (Object.keys(revealed).length) {
        revealed = Object.create(null);
        applyFilters(false);
      }
      return;
    }
    var state = filterState();
    var all = data.nodes.filter(function (n) {
      return haystack[n.id].indexOf(q) !== -1 && passes(n, state, true);
    }).map(function (n) { return n.id; });
    var outside = all.filter(function (id) { return hiddenIds[id]; });
    if (fit && outside.length) {
      outside.forEach(function (id) { revealed[id] = true; });
      applyFilters(false);
    }
    var hits = all.filter(function (id) { return !hiddenIds[id]; });
    var more = all.length - hits.length;
    found.textContent = hits.length + (hits.length === 1 ? " match" : " matches") +
      (more ? "; " + more + " more outside the focus (Enter shows them)" : "");
    network.selectNodes(hits, false);
    if (fit && hits.length) {
      network.fit({nodes: hits, animation: false});
      if (network.getScale() > 1.2) network.moveTo({scale: 1.2});
    }
    if (hits.length === 1 && fit) showPerson(hits[0]);
  }
  search.addEventListener("input", function () { runSearch(false); });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") runSearch(true);
    if (ev.key === "Escape") { search.value = ""; runSearch(false); search.blur(); }
  });

  var onPath = Object.create(null);
  data.paths.forEach(function (t) {
    t.paths.forEach(function (p) { p.people.forEach(function (id) { onPath[id] = true; }); });
  });
  var boxes = document.querySelectorAll("input[data-filter]");
  var views = document.querySelectorAll("input[data-view]");
  function filterState() {
    var on = {stance: {}, side: {}};
    Array.prototype.forEach.call(boxes, function (b) {
      on[b.getAttribute("data-filter")][b.value] = b.checked;
    });
    var only = {};
    Array.prototype.forEach.call(views, function (b) { only[b.value] = b.checked; });
    return {on: on, only: only};
  }
  // Whether a person passes the filters and "show only" (focus aside if asked).
  function passes(n, state, anyFocus) {
    var p = n.person, on = state.on, only = state.only;
    return Boolean(on.side[p.side] && (p.side === "seller" || on.stance[p.stance]) &&
      (!only.dm || p.dm) && (!only.unreached || p.coverage === "uncovered") &&
      (!only.paths || onPath[n.id] === true) &&
      (anyFocus || !only.focus || inFocus[n.id] === true || revealed[n.id] === true));
  }
  function applyFilters(refit) {
    var state = filterState();
    var changes = [];
    data.nodes.forEach(function (n) {
      var show = passes(n, state, false);
      if (Boolean(hiddenIds[n.id]) === show) changes.push({id: n.id, hidden: !show});
    });
    changes.forEach(function (c) {
      if (c.hidden) hiddenIds[c.id] = true; else delete hiddenIds[c.id];
    });
    quickUpdate(nodes, changes);
    var shown = document.getElementById("shown");
    hiddenCount = Object.keys(hiddenIds).length;
    var visible = data.nodes.length - hiddenCount;
    shown.textContent = visible + " of " + data.nodes.length + " people shown";
    if (refit && visible) fitAll();
  }
  Array.prototype.forEach.call(boxes, function (b) {
    b.addEventListener("change", function () { applyFilters(false); });
  });
  Array.prototype.forEach.call(views, function (b) {
    b.addEventListener("change", function () { applyFilters(true); });
  });

  function reset() {
    search.value = "";
    found.textContent = "";
    revealed = Object.create(null);
    Array.prototype.forEach.call(boxes, function (b) { b.checked = true; });
    Array.prototype.forEach.call(views, function (b) { b.checked = b.value === "focus" && data.focused; });
    applyFilters(false);
    clearPath();
    closeCard();
    network.unselectAll();
    fitAll();
  }

  // PNG of the current view: the canvas on white, saved by the browser (no request).
  function savePng() {
    var src = document.querySelector("#map canvas");
    var out = document.createElement("canvas");
    out.width = src.width;
    out.height = src.height;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(src, 0, 0);
    var link = document.createElement("a");
    link.download = (data.file || "map") + ".png";
    link.href = out.toDataURL("image/png");
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
  }
  // A printed page holds the list of signals the header folds into one line.
  var signalList = document.querySelector("details.signals");
  var wasOpen = false;
  window.addEventListener("beforeprint", function () {
    if (!signalList) return;
    wasOpen = signalList.open;
    signalList.open = true;
  });
  window.addEventListener("afterprint", function () { if (signalList) signalList.open = wasOpen; });
  document.getElementById("png").addEventListener("click", savePng);
  document.getElementById("fit").addEventListener("click", fitAll);
  document.getElementById("reset").addEventListener("click", reset);
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    var typing = t && (t.tagName === "TEXTAREA" ||
      (t.tagName === "INPUT" && (t.type === "search" || t.type === "text")));
    if (ev.key === "Escape") {
      if (panel.classList.contains("open")) openDrawer(false);
      else if (!card.hidden) closeCard();
      else clearPath();
      return;
    }
    if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "f" || ev.key === "F") { fitAll(); ev.preventDefault(); }
    if (ev.key === "r" || ev.key === "R") { reset(); ev.preventDefault(); }
    if (ev.key === "/") { search.focus(); ev.preventDefault(); }
    if (ev.key === "p" || ev.key === "P") { savePng(); ev.preventDefault(); }
  });

  // ------------------------------------------------------------ phone: the panel as a drawer
  var drawer = document.getElementById("drawer");
  var panel = document.getElementById("panel");
  function openDrawer(open) {
    panel.classList.toggle("open", open);
    drawer.setAttribute("aria-expanded", open ? "true" : "false");
  }
  drawer.addEventListener("click", function () { openDrawer(!panel.classList.contains("open")); });
  document.getElementById("drawer-close").addEventListener("click", function () { openDrawer(false); });
  // On a phone, choosing an entry of the drawer shows the map again.
  Array.prototype.forEach.call(document.querySelectorAll("#panel [data-path], #panel [data-person]"),
    function (item) { item.addEventListener("click", function () { openDrawer(false); }); });

  window.influenceMap = {
    network: network, nodes: nodes, edges: edges, data: data,
    fit: fitAll, reset: reset, selectPath: selectPath, bulk: bulkState
  };
})();
