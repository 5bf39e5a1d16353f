// danso dashboards: the month-by-month lines, the pyramid, the map of the units below
// (or of the unit's peers, this one outlined) and the ranking sorted by a click.
// The data come from json_script blocks; numbers are written the Vietnamese way.
(function () {
  "use strict";
  var BLUE = "#0b5cad", RED = "#a4161a", GREEN = "#2b8a3e";
  var charts = [];

  function data(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function number(value, decimals) {
    return value == null || isNaN(value) ? "—" : window.dansoNumber(value, decimals);
  }

  // A round step (1, 2 or 5 × 10^k) giving about three ticks up to the largest bar, so
  // that both sides of the pyramid read alike and the bound falls on a tick.
  function roundStep(value) {
    var raw = Math.max(value, 1) / 3;
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    return [1, 2, 5, 10].map(function (m) { return m * power; })
      .filter(function (s) { return s >= raw; })[0];
  }

  function chart(element, option) {
    var instance = echarts.init(element);
    instance.setOption(option);
    charts.push(instance);
    element.dataset.drawn = "true";
  }

  function lines(element, trend, keys, colors, decimals) {
    if (!element) { return; }
    chart(element, {
      color: colors,
      tooltip: { trigger: "axis", valueFormatter: function (v) { return number(v, decimals); } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, bottom: 8, top: 40, containLabel: true },
      xAxis: { type: "category", data: trend.months },
      yAxis: { type: "value", minInterval: decimals ? 0 : 1,
               axisLabel: { formatter: function (v) { return number(v, decimals && !Number.isInteger(v) ? 1 : 0); } } },
      series: keys.map(function (key) {
        return { name: trend.labels[key], type: "line", data: trend[key], symbolSize: 5 };
      })
    });
  }

  function pyramid(element, p) {
    if (!element || !p) { return; }
    var step = roundStep(Math.max.apply(null, p.male.concat(p.female)));
    var largest = Math.ceil(Math.max.apply(null, p.male.concat(p.female, [1])) / step) * step;
    chart(element, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
        formatter: function (items) {
          return items[0].axisValue + "<br>" + items.map(function (x) {
            return x.seriesName + ": " + number(Math.abs(x.value), 0);
          }).join("<br>");
        } },
      legend: { top: 0 },
      grid: { left: 8, right: 20, bottom: 8, top: 30, containLabel: true },
      xAxis: { type: "value", min: -largest, max: largest, interval: step,
               axisLabel: { formatter: function (v) { return number(Math.abs(v), 0); } } },
      yAxis: { type: "category", data: p.groups, axisTick: { show: false } },
      series: [
        { name: p.labels.male, type: "bar", stack: "p", itemStyle: { color: BLUE },
          data: p.male.map(function (v) { return -v; }) },
        { name: p.labels.female, type: "bar", stack: "p", itemStyle: { color: RED }, data: p.female }
      ]
    });
  }

  // The choropleth: like dansoDrawMap, with the indicator's decimals, grey for units
  // without a figure, and the outlined unit of a map drawn from the level above.
  function map(element) {
    var values = data(element.dataset.values) || {};
    var decimals = Number(element.dataset.decimals || 0);
    var highlight = element.dataset.highlight || null;
    fetch(element.dataset.boundaries, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (geo) {
        var name = "danso-" + element.id;
        echarts.registerMap(name, geo);
        var items = geo.features.map(function (f) {
          var id = String(f.properties.id);
          var value = values[id];
          var item = { name: f.properties.name, id: id };
          if (value != null) { item.value = value; }
          if (id === highlight) {
            item.itemStyle = { borderColor: "#1d2530", borderWidth: 2.5 };
            item.label = { show: true, fontWeight: "bold" };
          }
          return item;
        });
        var known = items.filter(function (d) { return "value" in d; }).map(function (d) { return d.value; });
        var option = {
          tooltip: { trigger: "item", formatter: function (p) {
            var known = p.value != null && !isNaN(p.value);
            return p.name + "<br>" + element.dataset.valueLabel + ": " +
              (known ? number(p.value, decimals) : (element.dataset.noData || "—"));
          } },
          series: [{
            type: "map", map: name, roam: true, data: items,
            label: { show: geo.features.length <= 15, fontSize: 9 },
            emphasis: { label: { show: true } },
            itemStyle: { borderColor: "#fff", borderWidth: 0.8, areaColor: "#e3e7ec" }
          }]
        };
        if (known.length) {
          // ECharts paints every region, those without a figure too, when min equals max.
          var low = Math.min.apply(null, known), high = Math.max.apply(null, known);
          if (low === high) { low -= 1; high += 1; }
          option.visualMap = {
            min: low, max: high,
            left: "left", bottom: 0, calculable: true, text: [element.dataset.valueLabel, ""],
            inRange: { color: ["#fde0c5", "#e8743b", "#a4161a"] },
            formatter: function (v) { return number(v, decimals); }
          };
        }
        element.dataset.features = String(geo.features.length);
        chart(element, option);
        charts[charts.length - 1].on("click", function (p) {
          if (p.data && p.data.id) {
            window.location = element.dataset.unitUrl.replace("123456789", p.data.id) + window.location.search;
          }
        });
      })
      .catch(function () { element.dataset.drawn = "failed"; });
  }

  // Sort the ranking by the clicked column: numbers largest first, names A to Z; a second
  // click reverses.  Units without a value stay at the bottom.
  function sortable(table) {
    var body = table.tBodies[0];
    table.querySelectorAll("th button.sort").forEach(function (button, index) {
      button.addEventListener("click", function () {
        var header = button.parentElement;
        var text = button.dataset.type === "text";
        var current = header.getAttribute("aria-sort");
        var ascending = current === "none" ? text : current !== "ascending";
        table.querySelectorAll("th").forEach(function (th) { th.setAttribute("aria-sort", "none"); });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[index].dataset.v, y = b.cells[index].dataset.v;
          if (text) { return ascending ? x.localeCompare(y, "vi") : y.localeCompare(x, "vi"); }
          if (x === "" || y === "") { return (x === "") - (y === ""); }
          return ascending ? x - y : y - x;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var trend = data("trend-data");
    if (trend) {
      lines(document.getElementById("trend-counts"), trend, ["births", "deaths", "newfp"], [BLUE, RED, GREEN], 0);
      lines(document.getElementById("trend-rates"), trend, ["CBR", "CDR"], [BLUE, RED], 2);
    }
    pyramid(document.getElementById("pyramid"), data("pyramid-data"));
    document.querySelectorAll(".map[data-boundaries]").forEach(map);
    document.querySelectorAll("table.ranking").forEach(sortable);
    // The period and the map's indicator apply as soon as they are chosen.
    ["period-select", "map-select"].forEach(function (id) {
      var select = document.getElementById(id);
      if (select) { select.addEventListener("change", function () { select.form.submit(); }); }
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
