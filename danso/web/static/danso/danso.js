// danso: the little script the pages share.  htmx does the rest.
(function () {
  "use strict";
  // Send the CSRF token with every htmx request.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector('meta[name="csrf-token"]');
    if (token) { event.detail.headers["X-CSRFToken"] = token.content; }
  });
  // The monthly forms a collaborator's phone keeps for offline work (register.offline,
  // sw.js) hold names: they go when the session does, so that the next person to log in
  // on a shared phone never reads them offline.  Only a logged-in page has the logout
  // form; any other page (the login page) forgets them too.
  function forgetPages() {
    if (window.caches) { return caches.delete("danso-pages").catch(function () { return false; }); }
    return Promise.resolve(false);
  }
  var logout = document.querySelector("form[data-logout]");
  if (logout) {
    logout.addEventListener("submit", function (event) {
      if (logout.dataset.forgotten) { return; }
      event.preventDefault();
      forgetPages().then(function () { logout.dataset.forgotten = "1"; logout.submit(); });
    });
  } else {
    forgetPages();
  }
  // Close the unit picker's list on Escape or a click elsewhere.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll(".picker-results").forEach(function (el) { el.innerHTML = ""; });
    }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".picker")) {
      document.querySelectorAll(".picker-results").forEach(function (el) { el.innerHTML = ""; });
    }
  });
  // Format numbers the Vietnamese way in charts: 416.950 and 0,15.
  window.dansoNumber = function (value, decimals) {
    var lang = document.documentElement.lang || "vi";
    return Number(value).toLocaleString(lang === "vi" ? "vi-VN" : "en-GB", {
      minimumFractionDigits: decimals || 0, maximumFractionDigits: decimals || 0
    });
  };
  // Draw a map of child units: <div class="map" data-geojson="URL" data-values="id">.
  window.dansoDrawMap = function (element) {
    var values = JSON.parse(document.getElementById(element.dataset.values).textContent);
    fetch(element.dataset.geojson, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (geo) {
        var name = "danso-" + element.id;
        echarts.registerMap(name, geo);
        var chart = echarts.init(element, null, { renderer: "canvas" });
        var data = geo.features.map(function (f) {
          return { name: f.properties.name, value: values[f.properties.id], id: f.properties.id };
        });
        var known = data.map(function (d) { return d.value; }).filter(function (v) { return v != null; });
        var option = {
          tooltip: {
            trigger: "item",
            formatter: function (p) {
              return p.name + (p.value != null && !isNaN(p.value)
                ? "<br>" + element.dataset.valueLabel + ": " + window.dansoNumber(p.value) : "");
            }
          },
          series: [{
            type: "map", map: name, roam: true, data: data, nameProperty: "name",
            label: { show: geo.features.length <= 15, fontSize: 9 },
            emphasis: { label: { show: true } },
            itemStyle: { borderColor: "#fff", borderWidth: 0.8, areaColor: "#c9d9ea" }
          }]
        };
        if (known.length) {
          option.visualMap = {
            min: Math.min.apply(null, known), max: Math.max.apply(null, known),
            left: "left", bottom: 0, calculable: true, text: [element.dataset.valueLabel, ""],
            inRange: { color: ["#fde0c5", "#e8743b", "#a4161a"] },
            formatter: function (v) { return window.dansoNumber(v); }
          };
        }
        chart.setOption(option);
        chart.on("click", function (p) {
          if (p.data && p.data.id) {
            window.location = element.dataset.unitUrl.replace("123456789", p.data.id) + window.location.search;
          }
        });
        window.addEventListener("resize", function () { chart.resize(); });
        element.dataset.features = String(geo.features.length);
        element.dataset.drawn = "true";
      });
  };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".map[data-geojson]").forEach(window.dansoDrawMap);
  });
})();
