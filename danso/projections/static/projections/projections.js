// danso projections: pyramids for a chosen year and lines over time, one per scenario.
(function () {
  "use strict";
  var PALETTE = ["#0b5cad", "#a4161a", "#2b8a3e", "#e67700", "#5f3dc4", "#495057"];

  function allYears(series) {
    var seen = {};
    series.forEach(function (s) { s.years.forEach(function (y) { seen[y] = true; }); });
    return Object.keys(seen).map(Number).sort(function (a, b) { return a - b; });
  }

  function valueAt(s, key, year) {
    var i = s.years.indexOf(year);
    return i < 0 ? null : s[key][i];
  }

  // A round bound above the largest bar, so that both sides of every pyramid read alike.
  function roundUp(value) {
    if (value <= 0) { return 1; }
    var step = Math.pow(10, Math.floor(Math.log10(value)));
    return Math.ceil(value / step * 2) * step / 2;
  }

  function drawLines(root, data, years, charts) {
    root.querySelectorAll("[data-measure]").forEach(function (element) {
      var key = element.dataset.measure;
      var chart = echarts.init(element);
      chart.setOption({
        color: PALETTE,
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : window.dansoNumber(v); } },
        legend: { top: 0, type: "scroll" },
        grid: { left: 8, right: 16, bottom: 8, top: 48, containLabel: true },
        xAxis: { type: "category", data: years },
        yAxis: { type: "value", scale: true,
                 axisLabel: { formatter: function (v) { return window.dansoNumber(v, Number.isInteger(v) ? 0 : 1); } } },
        series: data.series.map(function (s) {
          return { name: s.label, type: "line", showSymbol: false,
                   data: years.map(function (y) { return valueAt(s, key, y); }) };
        })
      });
      charts.push(chart);
    });
  }

  function drawPyramids(root, data, year, charts) {
    var holder = document.getElementById("pyramids");
    charts.splice(0).forEach(function (c) { c.dispose(); });
    holder.innerHTML = "";
    var largest = 0;
    data.series.forEach(function (s) {
      ["female", "male"].forEach(function (sex) {
        (valueAt(s, sex, year) || []).forEach(function (v) { largest = Math.max(largest, v); });
      });
    });
    largest = roundUp(largest);
    data.series.forEach(function (s, index) {
      var box = document.createElement("div");
      var title = document.createElement("h3");
      title.textContent = s.label;
      var element = document.createElement("div");
      element.className = "projection-pyramid";
      box.appendChild(title);
      box.appendChild(element);
      holder.appendChild(box);
      var male = valueAt(s, "male", year) || [];
      var female = valueAt(s, "female", year) || [];
      var chart = echarts.init(element);
      chart.setOption({
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
          formatter: function (p) {
            return p[0].axisValue + "<br>" + p.map(function (x) {
              return x.seriesName + ": " + window.dansoNumber(Math.abs(x.value));
            }).join("<br>");
          } },
        legend: { top: 0 },
        grid: { left: 8, right: 8, bottom: 8, top: 30, containLabel: true },
        xAxis: { type: "value", min: -largest, max: largest,
                 axisLabel: { formatter: function (v) { return window.dansoNumber(Math.abs(v)); } } },
        yAxis: { type: "category", data: data.groups, axisTick: { show: false } },
        series: [
          { name: root.dataset.male, type: "bar", stack: "p", itemStyle: { color: "#0b5cad", opacity: index ? 0.75 : 1 },
            data: male.map(function (v) { return -v; }) },
          { name: root.dataset.female, type: "bar", stack: "p", itemStyle: { color: "#a4161a", opacity: index ? 0.75 : 1 },
            data: female }
        ]
      });
      charts.push(chart);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("projection-results");
    if (!root) { return; }
    var data = JSON.parse(document.getElementById("projection-data").textContent);
    var years = allYears(data.series);
    var lines = [];
    var pyramids = [];
    var select = document.getElementById("pyramid-year");
    years.forEach(function (y) {
      var option = document.createElement("option");
      option.value = y;
      option.textContent = y;
      select.appendChild(option);
    });
    select.value = years[years.length - 1];
    select.addEventListener("change", function () { drawPyramids(root, data, Number(select.value), pyramids); });
    drawLines(root, data, years, lines);
    drawPyramids(root, data, Number(select.value), pyramids);
    window.addEventListener("resize", function () {
      lines.concat(pyramids).forEach(function (c) { c.resize(); });
    });
  });
})();
