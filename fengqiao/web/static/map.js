/* The home page map: a unit's subunits as coloured boundaries with labels; clicking one drills down.
   Navigation lives in the URL hash (#<unit code>) so the browser's back button walks back up. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }

  var countyCode = el.dataset.countyCode;
  var tileUrl = el.dataset.tileUrl;
  // Colours that stay apart from each other on a pale background without tiles.
  var PALETTE = ["#5B8FF9", "#5AD8A6", "#F6BD16", "#E8684A", "#6DC8EC", "#9270CA", "#FF9D4D", "#269A99",
                 "#FF99C3", "#5D7092", "#A0DC2C", "#C2A2F0", "#F4A49E", "#7ECF51", "#ED7B84", "#3BA272"];
  var MANY_LABELS = 40;

  var map = L.map(el, { zoomSnap: 0.25, attributionControl: Boolean(tileUrl) });
  if (tileUrl) {
    L.tileLayer(tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
  }
  var boundaries = null;
  var labels = L.layerGroup().addTo(map);
  var crumbs = document.getElementById("map-crumbs");
  var status = document.getElementById("map-status");
  var current = null;

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error((body.error && body.error.message) || "加载失败"); }
        return body;
      });
    });
  }

  function renderCrumbs(chain) {
    crumbs.innerHTML = chain.map(function (unit, i) {
      var name = escapeHtml(unit.name);
      return i === chain.length - 1 ? "<span>" + name + "</span>"
        : '<a href="#' + encodeURIComponent(unit.code) + '">' + name + '</a><span class="sep">›</span>';
    }).join("");
  }

  function drawChildren(collection) {
    if (boundaries) { map.removeLayer(boundaries); }
    labels.clearLayers();
    var many = collection.features.length > MANY_LABELS;
    // Colours are fixed per feature up front: Leaflet calls style() again on every resetStyle.
    var colours = {};
    collection.features.forEach(function (feature, i) { colours[feature.id] = PALETTE[i % PALETTE.length]; });
    boundaries = L.geoJSON(collection, {
      style: function (feature) {
        return { color: "#ffffff", weight: 1.5, fillColor: colours[feature.id], fillOpacity: 0.62 };
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.bindTooltip(escapeHtml(p.name), { sticky: true });
        layer.on("mouseover", function () { layer.setStyle({ weight: 3, fillOpacity: 0.8 }); layer.bringToFront(); });
        layer.on("mouseout", function () { boundaries.resetStyle(layer); });
        layer.on("click", function () {
          if (p.kind === "grid") {
            layer.bindPopup("<strong>" + escapeHtml(p.name) + "</strong><br>" + escapeHtml(p.kind_label)).openPopup();
          } else {
            location.hash = encodeURIComponent(p.code);
          }
        });
        if (!many && p.label_lat != null && p.label_lon != null) {
          var marker = L.marker([p.label_lat, p.label_lon], {
            interactive: false,
            keyboard: false,
            icon: L.divIcon({ className: "unit-label" + (collection.features.length > 12 ? " small" : ""),
                              html: "<span>" + escapeHtml(p.name) + "</span>", iconSize: null })
          });
          marker.area = p.area_km2 || 0;
          marker.addTo(labels);
        }
      }
    }).addTo(map);
    if (collection.features.length) {
      map.fitBounds(boundaries.getBounds(), { padding: [12, 12] });
    }
    declutter();
  }

  // Leaflet places labels without regard to each other: where two would overlap, the larger unit keeps its label
  // and the smaller one is named by its hover tooltip only.
  function declutter() {
    var placed = [];
    labels.getLayers()
      .sort(function (a, b) { return b.area - a.area; })
      .forEach(function (marker) {
        var span = marker.getElement() && marker.getElement().firstChild;
        if (!span) { return; }
        span.style.visibility = "";
        var box = span.getBoundingClientRect();
        var clash = placed.some(function (other) {
          return box.left < other.right + 2 && box.right + 2 > other.left &&
                 box.top < other.bottom && box.bottom > other.top;
        });
        if (clash) { span.style.visibility = "hidden"; } else { placed.push(box); }
      });
  }
  map.on("zoomend", declutter);

  // The container may settle at another size after the first fit (a scrollbar appears, a phone rotates).
  if (window.ResizeObserver) {
    new ResizeObserver(function () {
      map.invalidateSize();
      if (boundaries && boundaries.getLayers().length) { map.fitBounds(boundaries.getBounds(), { padding: [12, 12] }); }
    }).observe(el);
  }

  function swapTable(code) {
    var table = document.querySelector("#overview [data-unit]");
    if (window.htmx && (!table || table.dataset.unit !== code)) {
      htmx.ajax("GET", "/partials/units/" + encodeURIComponent(code) + "/overview", { target: "#overview", swap: "innerHTML" });
    }
  }

  function show(code) {
    if (code === current) { return; }
    status.textContent = "加载中…";
    Promise.all([
      getJson("/api/v1/units/" + encodeURIComponent(code)),
      getJson("/api/v1/units/" + encodeURIComponent(code) + "/children.geojson")
    ]).then(function (results) {
      var unit = results[0];
      if (!results[1].features.length) { throw new Error(unit.name + "没有下级边界数据"); }
      current = code;
      renderCrumbs(unit.breadcrumb.concat([unit]));
      drawChildren(results[1]);
      swapTable(code);
      status.textContent = "";
    }).catch(function (error) {
      status.textContent = error.message;
    });
  }

  function fromHash() {
    var code = decodeURIComponent(location.hash.replace(/^#/, ""));
    show(code || countyCode);
  }

  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
