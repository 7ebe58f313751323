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
    box.appendChild(el("div", "tip-title", (p.dm ? "\u2605 " : "") + p.name));
    row(box, "title", p.title);
    row(box, "id", p.id);
    row(box, "side", p.side + (p.dm ? ", decision-maker" : ""));
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
    row(box, "context", t.context);
    row(box, "last contact", t.contact);
    row(box, "notes", t.notes);
    if (!t.declared) row(box, "from", "the reports_to field");
    if (t.path) row(box, "on", "a highlighted introduction path");
    return box;
  }

  data.nodes.forEach(function (n) {
    people[n.id] = n.person;
    n.title = personTip(n.person);
  });
  // A big map (thousands of ties) has no tie tooltips: click a tie for its details.
  var edgeById = Object.create(null);
  data.edges.forEach(function (e) {
    var style = data.kinds[e.tie.kind];
    e.dashes = style.dashes;
    e.arrows = style.arrows;
    e.color = {color: e.color ? e.color.color : style.color, highlight: "#000000", hover: "#000000"};
    if (!data.big) e.title = tieTip(e);
    edgeById[e.id] = e;
  });

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("map");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);

  // ------------------------------------------------------------ who we must reach
  // Each decision-maker nobody on our team reaches gets a halo (under the map) and a
  // ring (over it) in the "not reached" colour, never smaller on screen than a few
  // pixels, however far the view is zoomed out: the loudest marks on the map.
  var hiddenIds = Object.create(null);
  var sizeOf = Object.create(null);
  data.nodes.forEach(function (n) { sizeOf[n.id] = n.size; });
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
        ctx.arc(p.x, p.y, Math.max(size + 7, 12 / scale), 0, 2 * Math.PI);
        ctx.stroke();
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

  // ------------------------------------------------------------ side panel
  var detail = document.getElementById("detail");

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function showPerson(id) {
    clear(detail);
    var p = people[id];
    if (!p) return;
    detail.appendChild(el("h2", null, "Person"));
    var box = el("div", "detail-box");
    personLines(box, p);
    detail.appendChild(box);
    var ties = network.getConnectedEdges(id);
    detail.appendChild(el("h3", null, ties.length + (ties.length === 1 ? " tie" : " ties")));
    var list = el("ul", "ties");
    ties.map(function (eid) { return edgeById[eid]; })
      .sort(function (a, b) { return a.id < b.id ? -1 : a.id > b.id ? 1 : 0; })
      .forEach(function (e) {
        var t = e.tie;
        var text = people[e.from].name + " " + VERB[t.kind] + " " + people[e.to].name +
          " (" + num(t.strength) + (t.context ? ", " + t.context : "") +
          (t.contact ? ", last contact " + t.contact : "") + ")";
        list.appendChild(el("li", null, text));
      });
    detail.appendChild(list);
  }

  function showTie(id) {
    clear(detail);
    var e = edgeById[id];
    if (!e) return;
    detail.appendChild(el("h2", null, "Tie"));
    var box = tieTip(e);
    box.className = "detail-box";
    detail.appendChild(box);
  }

  network.on("click", function (params) {
    if (params.nodes.length) {
      // vis selects the node with its ties (drawn black and thicker).
      showPerson(params.nodes[0]);
    } else if (params.edges.length) {
      showTie(params.edges[0]);
    } else {
      clear(detail);
    }
  });

  // ------------------------------------------------------------ paths
  Array.prototype.forEach.call(document.querySelectorAll("[data-path]"), function (item) {
    item.addEventListener("click", function () {
      var t = data.paths[Number(item.getAttribute("data-target"))];
      var p = t && t.paths[Number(item.getAttribute("data-path"))];
      if (!p) return;
      var ids = p.steps.map(function (s) { return s.edge; }).filter(function (x) { return x; });
      network.setSelection({nodes: p.people, edges: ids}, {highlightEdges: false});
      network.fit({nodes: p.people, animation: false});
      showPerson(t.target);
    });
  });

  // ------------------------------------------------------------ search
  var search = document.getElementById("search");
  var found = document.getElementById("found");
  function runSearch(fit) {
    var q = search.value.trim().toLowerCase();
    if (!q) {
      found.textContent = "";
      network.unselectAll();
      return;
    }
    var hits = data.nodes.filter(function (n) {
      var p = n.person;
      return !nodes.get(n.id).hidden &&
        (p.name.toLowerCase().indexOf(q) !== -1 || String(p.id).toLowerCase().indexOf(q) !== -1);
    }).map(function (n) { return n.id; });
    found.textContent = hits.length + (hits.length === 1 ? " match" : " matches");
    network.selectNodes(hits, false);
    if (fit && hits.length) network.fit({nodes: hits, animation: false});
    if (hits.length === 1) showPerson(hits[0]);
  }
  search.addEventListener("input", function () { runSearch(false); });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") runSearch(true);
  });

  // ------------------------------------------------------------ filters
  var boxes = document.querySelectorAll("input[data-filter]");
  function applyFilters() {
    var on = {stance: {}, side: {}};
    Array.prototype.forEach.call(boxes, function (b) {
      on[b.getAttribute("data-filter")][b.value] = b.checked;
    });
    var changes = [];
    data.nodes.forEach(function (n) {
      var p = n.person;
      var show = on.side[p.side] && (p.side === "seller" || on.stance[p.stance]);
      if (Boolean(nodes.get(n.id).hidden) === show) changes.push({id: n.id, hidden: !show});
    });
    changes.forEach(function (c) {
      if (c.hidden) hiddenIds[c.id] = true; else delete hiddenIds[c.id];
    });
    if (changes.length) nodes.update(changes);
    var shown = document.getElementById("shown");
    var visible = data.nodes.length - nodes.get({filter: function (n) { return n.hidden; }}).length;
    shown.textContent = visible + " of " + data.nodes.length + " people shown";
  }
  Array.prototype.forEach.call(boxes, function (b) { b.addEventListener("change", applyFilters); });

  window.influenceMap = {network: network, nodes: nodes, edges: edges, data: data};
})();
