// Sortable deal table of the pipeline review, with each deal's detail on a click.
// Reads data-sort attributes, moves rows and flips the hidden attribute; it never
// parses or writes markup, so deal data stays text.
(function () {
  "use strict";
  var table = document.getElementById("deals");
  if (!table) {
    return;
  }
  var heads = table.tHead.rows[0].cells;

  // Each deal is a <tbody>: its row, then its detail row, so they move together.
  function deals() {
    return Array.prototype.slice.call(table.querySelectorAll("tbody.deal"));
  }

  function cell(deal, col) {
    return deal.rows[0].cells[col];
  }

  function raw(deal, col) {
    var text = cell(deal, col).getAttribute("data-sort");
    return text === null ? cell(deal, col).textContent : text;
  }

  function number(text) {
    var n = parseFloat(text);
    return isNaN(n) ? -Infinity : n;
  }

  function rank(deal) {
    return parseInt(deal.getAttribute("data-rank"), 10);
  }

  // Value: one currency at a time (alphabetical, "none" last), then the amount; no value last.
  function compareMoney(a, b, col, ascending) {
    var ca = cell(a, col).getAttribute("data-currency") || "";
    var cb = cell(b, col).getAttribute("data-currency") || "";
    if (ca !== cb) {
      if (ca === "") {
        return 1;
      }
      if (cb === "") {
        return -1;
      }
      if (ca === "none" || cb === "none") {
        return ca === "none" ? 1 : -1;
      }
      return ca < cb ? -1 : 1;
    }
    var x = number(raw(a, col));
    var y = number(raw(b, col));
    var order = x < y ? -1 : x > y ? 1 : 0;
    return ascending ? order : -order;
  }

  function compareValues(a, b, col, type, ascending) {
    var x = raw(a, col);
    var y = raw(b, col);
    if (type === "number") {
      x = number(x);
      y = number(y);
    } else {
      x = x.toLowerCase();
      y = y.toLowerCase();
    }
    var order = x < y ? -1 : x > y ? 1 : 0;
    return ascending ? order : -order;
  }

  Array.prototype.forEach.call(heads, function (th, col) {
    var button = th.querySelector("button");
    if (!button) {
      return;
    }
    button.addEventListener("click", function () {
      var now = th.getAttribute("aria-sort");
      var ascending;
      if (now === "ascending" || now === "descending") {
        ascending = now !== "ascending";
      } else {
        ascending = th.getAttribute("data-first") !== "descending";
      }
      Array.prototype.forEach.call(heads, function (h) {
        h.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var type = th.getAttribute("data-type") || "text";
      var rows = deals();
      rows.sort(function (a, b) {
        var order =
          type === "money"
            ? compareMoney(a, b, col, ascending)
            : compareValues(a, b, col, type, ascending);
        return order === 0 ? rank(a) - rank(b) : order;
      });
      rows.forEach(function (deal) {
        table.appendChild(deal);
      });
    });
  });

  function show(deal, open) {
    var toggle = deal.querySelector("button.open");
    var detail = deal.rows[1];
    if (!toggle || !detail) {
      return;
    }
    detail.hidden = !open;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    toggle.textContent = open ? "\u25BE" : "\u25B8";
  }

  deals().forEach(function (deal) {
    var toggle = deal.querySelector("button.open");
    if (toggle) {
      toggle.addEventListener("click", function () {
        show(deal, toggle.getAttribute("aria-expanded") !== "true");
      });
    }
  });

  // A link to #deal-N (the "Changed since" list) opens that deal's detail.
  function openDeal(hash) {
    var deal = hash.indexOf("#deal-") === 0 ? document.getElementById(hash.slice(1)) : null;
    if (deal && deal.tagName === "TBODY") {
      show(deal, true);
    }
  }
  function openFromHash() {
    openDeal(window.location.hash);
  }
  window.addEventListener("hashchange", openFromHash);
  // The click opens it at once: "hashchange" comes later, as its own task, and
  // never comes when the hash already names that deal (its detail was closed since).
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a") : null;
    openDeal((link && link.getAttribute("href")) || "");
  });
  openFromHash();
})();
