(function () {
  "use strict";
  function value(row, col, numeric) {
    var cell = row.cells[col];
    var v = cell.getAttribute("data-value");
    if (numeric) { return v === null || v === "" ? NaN : parseFloat(v); }
    return (v !== null ? v : cell.textContent).toLowerCase();
  }
  function sortBy(table, col, dir) {
    var heads = table.tHead.rows[0].cells;
    var numeric = heads[col].getAttribute("data-type") === "number";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (r, i) { r.setAttribute("data-order", i); });
    rows.sort(function (a, b) {
      var x = value(a, col, numeric), y = value(b, col, numeric), c = 0;
      if (numeric) {
        var xn = isNaN(x), yn = isNaN(y);
        if (xn || yn) { c = xn === yn ? 0 : (xn ? 1 : -1); return c; }
        c = dir * (x - y);
      } else {
        c = dir * (x < y ? -1 : (x > y ? 1 : 0));
      }
      return c !== 0 ? c : a.getAttribute("data-order") - b.getAttribute("data-order");
    });
    rows.forEach(function (r) { body.appendChild(r); });
    for (var i = 0; i < heads.length; i++) { heads[i].removeAttribute("aria-sort"); }
    heads[col].setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
  }
  function wire(table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var now = th.getAttribute("aria-sort");
        var numeric = th.getAttribute("data-type") === "number";
        var dir = now === "ascending" ? -1 : (now === "descending" ? 1 : (numeric ? -1 : 1));
        sortBy(table, col, dir);
      });
    });
    table.setAttribute("data-sortable", "ready");
  }
  function selftest(table) {
    var button = table.tHead.rows[0].cells[0].querySelector("button");
    button.click();
    var names = Array.prototype.map.call(table.tBodies[0].rows, function (r) { return value(r, 0, false); });
    for (var i = 1; i < names.length; i++) {
      if (names[i - 1] > names[i]) { return "fail: not sorted at row " + i; }
    }
    return table.tHead.rows[0].cells[0].getAttribute("aria-sort") === "ascending" ? "ok" : "fail: aria-sort";
  }
  // The filter: rows whose benchmark name, id, area or metric hold every
  // word typed stay; the others are hidden. `#filter=WORDS` in the address
  // fills it in on load.
  function filter(table, input, count) {
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    function apply() {
      var words = input.value.toLowerCase().split(/\s+/).filter(function (w) { return w !== ""; });
      var shown = 0;
      rows.forEach(function (r) {
        var text = r.getAttribute("data-filter") || "";
        var keep = words.every(function (w) { return text.indexOf(w) >= 0; });
        r.hidden = !keep;
        if (keep) { shown++; }
      });
      count.textContent = words.length === 0 ? rows.length + " benchmarks"
        : shown + " of " + rows.length + " benchmarks match";
      table.setAttribute("data-shown", shown);
    }
    input.addEventListener("input", apply);
    var hash = location.hash.match(/^#filter=(.*)$/);
    if (hash) { input.value = decodeURIComponent(hash[1].replace(/\+/g, " ")); }
    apply();
    input.closest(".filter").hidden = false;
  }
  var root = document.documentElement;
  try {
    var tables = document.querySelectorAll("table.sortable");
    Array.prototype.forEach.call(tables, wire);
    var box = document.getElementById("benchmark-filter");
    var target = document.querySelector("table.benchmarks");
    if (box && target) { filter(target, box, document.getElementById("filter-count")); }
    root.setAttribute("data-sort-script", "ok");
    if (location.hash === "#selftest" && tables.length > 0) {
      root.setAttribute("data-selftest", selftest(tables[0]));
    }
  } catch (e) {
    root.setAttribute("data-sort-script", "error: " + e);
  }
})();
