/* Small maps of the staff pages, drawn from our own API (no tiles needed):
   - #pick-map (registration): the unit's boundary; a click puts the point into the 经度/纬度 fields.
   - #unit-map (grid, village, town pages; event detail): the unit's boundary and the points given in data-points
     ({lat, lon, label, href} each; a building's id stands for its page). */
(function () {
  "use strict";
  if (!window.L) { return; }
  var FALLBACK = [28.37, 121.38];

  function boundary(map, code, style) {
    if (!code) { map.setView(FALLBACK, 12); return; }
    fetch("/api/v1/units/" + encodeURIComponent(code) + "/boundary", { headers: { Accept: "application/geo+json" } })
      .then(function (r) { if (!r.ok) { throw new Error("no boundary"); } return r.json(); })
      .then(function (feature) {
        var layer = L.geoJSON(feature, { interactive: false, style: { color: "#1f6f5c", weight: 2, fillColor: "#5AD8A6", fillOpacity: 0.18 } });
        layer.addTo(map);
        map.fitBounds(layer.getBounds(), { padding: [12, 12] });
      })
      .catch(function () { map.setView(FALLBACK, 12); });
  }

  function number(input) { var v = parseFloat(input && input.value); return isNaN(v) ? null : v; }

  var pick = document.getElementById("pick-map");
  if (pick) {
    var started = false;
    var start = function () {
      if (started) { return; }
      started = true;
      var map = L.map(pick, { zoomSnap: 0.25, attributionControl: false });
      var lon = document.getElementById("lon");
      var lat = document.getElementById("lat");
      var marker = null;
      var place = function (latlng) {
        if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(map); }
      };
      boundary(map, pick.dataset.unitCode);
      if (number(lon) !== null && number(lat) !== null) { place([number(lat), number(lon)]); }
      map.on("click", function (e) {
        place(e.latlng);
        lon.value = e.latlng.lng.toFixed(6);
        lat.value = e.latlng.lat.toFixed(6);
        lon.dispatchEvent(new Event("change", { bubbles: true }));
      });
    };
    var details = pick.closest("details");
    if (details && !details.open) {
      details.addEventListener("toggle", function () { if (details.open) { start(); } });
    } else {
      start();
    }
  }

  function drawUnitMap(el) {
    if (!el || el.dataset.drawn) { return; }
    el.dataset.drawn = "1";
    var m = L.map(el, { zoomSnap: 0.25, attributionControl: false, scrollWheelZoom: false });
    boundary(m, el.dataset.unitCode);
    var points = [];
    try { points = JSON.parse(el.dataset.points || "[]"); } catch (e) { points = []; }
    points.forEach(function (p) {
      var dot = L.circleMarker([p.lat, p.lon], { radius: 6, color: "#fff", weight: 1.5, fillColor: "#e8684a", fillOpacity: 0.9 });
      var target = p.href || (p.id ? "/work/buildings/" + p.id : null);
      var label = document.createElement(target ? "a" : "span");
      if (target) { label.href = target; }
      label.textContent = p.label || p.address;
      dot.bindPopup(label).addTo(m);
    });
  }

  drawUnitMap(document.getElementById("unit-map"));
  // The event detail is swapped in place by htmx after an action: draw the map of the new content too.
  document.body.addEventListener("htmx:afterSettle", function () { drawUnitMap(document.getElementById("unit-map")); });
})();
