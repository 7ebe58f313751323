// Sortable deal table of the pipeline review. Reads data-sort attributes and moves
// rows; it never parses or writes markup, so deal data stays text.
(function () {
  "use strict";
  var table = document.getElementById("deals");
  if (!table) {
    return;
  }
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;

  function value(row, col, numeric) {
    var raw = row.cells[col].getAttribute("data-sort");
    if (raw === null) {
      raw = row.cells[col].textContent;
    }
    if (numeric) {
      var n = parseFloat(raw);
      return isNaN(n) ? -Infinity : n;
    }
    return raw.toLowerCase();
  }

  Array.prototype.forEach.call(heads, function (th, col) {
    var button = th.querySelector("button");
    if (!button) {
      return;
    }
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(heads, function (h) {
        h.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var numeric = th.getAttribute("data-type") === "number";
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = value(a, col, numeric);
        var y = value(b, col, numeric);
        var order = x < y ? -1 : x > y ? 1 : 0;
        if (!ascending) {
          order = -order;
        }
        if (order === 0) {
          order = parseInt(a.getAttribute("data-rank"), 10) - parseInt(b.getAttribute("data-rank"), 10);
        }
        return order;
      });
      rows.forEach(function (row) {
        body.appendChild(row);
      });
    });
  });
})();
