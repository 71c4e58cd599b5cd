/* The command cockpit: draws the figures the page was rendered with, then polls the metrics API with the version
   tag (If-None-Match) and redraws only when something changed. Clicking a child unit (map or table) drills down. */
(function () {
  "use strict";
  var script = document.currentScript;
  var POLL_MS = Number((script && script.dataset.pollSeconds) || 5) * 1000;
  var RISK_COLOURS = { high: "#ff4d4f", medium: "#faad14", low: "#36cfc9" };
  var TEXT = "#dbe8ff";
  var DIM = "#8fa8cf";
  var LINE = "#1d4a8a";
  var MAX_HEAT_ROWS = 10;
  var MANY_LABELS = 40;

  var data = JSON.parse(document.getElementById("cockpit-data").textContent);
  var version = data.version;
  var unitCode = data.unit.code;

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function clockText(date) {
    return date.toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" });
  }

  function pct(rate) {
    return rate.rate == null ? "—" : (rate.rate * 100).toFixed(1) + "%";
  }

  // --- clock and freshness -----------------------------------------------------------------------------------
  var clock = document.getElementById("clock");
  function tick() {
    var now = new Date();
    clock.textContent = now.toLocaleDateString("zh-CN", { timeZone: "Asia/Shanghai" }) + " " + clockText(now);
  }
  tick();
  setInterval(tick, 1000);

  var updatedAt = document.getElementById("updated-at");
  var pollState = document.getElementById("poll-state");
  var pollText = pollState.textContent;
  function fresh() {
    updatedAt.textContent = clockText(new Date());
    pollState.textContent = pollText;
    pollState.classList.remove("stale");
  }
  function stale(message) {
    pollState.textContent = message;
    pollState.classList.add("stale");
  }

  // --- KPI tiles ---------------------------------------------------------------------------------------------------
  function setKpi(id, text) {
    var el = document.getElementById(id);
    if (!el || el.textContent === text) { return; }
    el.textContent = text;
    el.classList.add("changed");
    setTimeout(function () { el.classList.remove("changed"); }, 1500);
  }
  function renderKpis() {
    var k = data.kpis;
    setKpi("kpi-open", String(k.open));
    setKpi("kpi-overdue", String(k.overdue));
    setKpi("kpi-high-risk", String(k.high_risk));
    setKpi("kpi-today", String(k.today));
    setKpi("kpi-resolution", pct(k.resolution));
    setKpi("kpi-satisfaction", pct(k.satisfaction));
  }

  // --- charts ------------------------------------------------------------------------------------------------------
  var charts = {};
  function chart(id) {
    if (!window.echarts) { return null; }
    if (!charts[id]) {
      var el = document.getElementById(id);
      if (!el) { return null; }
      charts[id] = echarts.init(el, null, { renderer: "canvas" });
    }
    return charts[id];
  }
  var axisStyle = {
    axisLine: { lineStyle: { color: LINE } },
    axisLabel: { color: DIM },
    splitLine: { lineStyle: { color: "rgba(29,74,138,0.35)" } }
  };

  function renderIntake() {
    var c = chart("chart-intake");
    if (!c) { return; }
    var rows = data.intake_today;
    c.setOption({
      grid: { left: 8, right: 36, top: 4, bottom: 4, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: Object.assign({ type: "value", minInterval: 1 }, axisStyle),
      yAxis: Object.assign({ type: "category", inverse: true, data: rows.map(function (r) { return r.label; }) },
                           axisStyle, { axisLabel: { color: TEXT } }),
      series: [{
        type: "bar", barMaxWidth: 14, data: rows.map(function (r) { return r.count; }),
        itemStyle: { color: "#3fb6ff", borderRadius: [0, 3, 3, 0] },
        label: { show: true, position: "right", color: TEXT }
      }]
    });
  }

  function renderRisk() {
    var c = chart("chart-risk");
    if (!c) { return; }
    c.setOption({
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      legend: { bottom: 0, textStyle: { color: DIM }, itemWidth: 10, itemHeight: 10 },
      series: [{
        type: "pie", radius: ["40%", "70%"], center: ["50%", "45%"], minAngle: 12,
        label: { position: "inside", color: "#fff", fontWeight: 700,
                 formatter: function (p) { return p.value ? String(p.value) : ""; } },
        // Zero slices left out: minAngle would otherwise draw them as slivers that look like events.
        data: data.risk.filter(function (r) { return r.count > 0; }).map(function (r) {
          return { name: r.label, value: r.count, itemStyle: { color: RISK_COLOURS[r.value] || "#888" } };
        })
      }]
    });
  }

  function renderLevels() {
    var c = chart("chart-levels");
    if (!c) { return; }
    var rows = data.levels;
    c.setOption({
      grid: { left: 4, right: 40, top: 4, bottom: 4, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: Object.assign({ type: "value", minInterval: 1 }, axisStyle, { axisLabel: { show: false } }),
      yAxis: Object.assign({ type: "category", inverse: true, data: rows.map(function (r) { return r.label; }) },
                           axisStyle, { axisLabel: { color: TEXT, interval: 0, fontSize: 12 } }),
      series: [{
        type: "bar", barMaxWidth: 14, data: rows.map(function (r) { return r.count; }),
        itemStyle: { color: "#5ad8a6", borderRadius: [0, 3, 3, 0] },
        label: { show: true, position: "right", color: TEXT }
      }]
    });
  }

  function renderGauge(id, rate, colour) {
    var c = chart(id);
    if (!c) { return; }
    var value = rate.rate == null ? 0 : Math.round(rate.rate * 1000) / 10;
    c.setOption({
      series: [{
        type: "gauge", min: 0, max: 100, radius: "92%", center: ["50%", "58%"],
        startAngle: 210, endAngle: -30,
        progress: { show: true, width: 12, itemStyle: { color: colour } },
        axisLine: { lineStyle: { width: 12, color: [[1, "rgba(29,74,138,0.6)"]] } },
        axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false }, pointer: { show: false },
        title: { show: true, offsetCenter: [0, "42%"], color: DIM, fontSize: 12 },
        detail: {
          valueAnimation: true, offsetCenter: [0, "0%"], fontSize: 26, fontWeight: 700, color: "#fff",
          formatter: function () { return pct(rate); }
        },
        data: [{ value: value, name: rate.numerator + " / " + rate.denominator }]
      }]
    });
  }

  function renderHeat() {
    var c = chart("chart-heat");
    if (!c) { return; }
    var heat = data.heat;
    var rows = heat.categories.slice(0, MAX_HEAT_ROWS);
    var cells = heat.cells.filter(function (cell) { return cell[1] < rows.length; });
    var max = cells.reduce(function (m, cell) { return Math.max(m, cell[2]); }, 1);
    c.setOption({
      grid: { left: 4, right: 8, top: 4, bottom: 40, containLabel: true },
      tooltip: {
        formatter: function (p) {
          return escapeHtml(heat.units[p.value[0]].name) + " · " + escapeHtml(rows[p.value[1]].label) + "：" + p.value[2];
        }
      },
      xAxis: Object.assign({ type: "category", data: heat.units.map(function (u) { return u.name; }),
                             splitArea: { show: false } }, axisStyle,
                           { axisLabel: { color: DIM, interval: 0, rotate: heat.units.length > 6 ? 40 : 0, fontSize: 11 } }),
      yAxis: Object.assign({ type: "category", inverse: true, data: rows.map(function (r) { return r.label; }) },
                           axisStyle, { axisLabel: { color: TEXT, fontSize: 12, interval: 0 } }),
      visualMap: {
        min: 0, max: max, calculable: false, orient: "horizontal", left: "center", bottom: 0, itemHeight: 120,
        itemWidth: 10, textStyle: { color: DIM }, inRange: { color: ["#0d2a5c", "#1f6fd1", "#faad14", "#ff4d4f"] }
      },
      series: [{ type: "heatmap", data: cells, label: { show: heat.units.length <= 12, color: "#fff", fontSize: 11 } }]
    }, { notMerge: true });
  }

  function renderCharts() {
    renderIntake();
    renderRisk();
    renderLevels();
    renderGauge("gauge-resolution", data.kpis.resolution, "#52c41a");
    renderGauge("gauge-satisfaction", data.kpis.satisfaction, "#3fb6ff");
    renderHeat();
  }

  // --- children table and top risks --------------------------------------------------------------------------------
  function renderChildren() {
    var body = document.getElementById("children-body");
    body.innerHTML = data.children.map(function (c) {
      var cells = [c.open, c.overdue, c.high_risk, c.today, c.recent].map(function (n) { return "<td>" + n + "</td>"; });
      if (c.code) {
        var code = escapeHtml(c.code);
        return '<tr data-testid="child-' + code + '" data-href="/cockpit/' + code + '" class="ck-link-row"><td>' +
          '<a href="/cockpit/' + code + '">' + escapeHtml(c.name) + "</a></td>" + cells.join("") + "</tr>";
      }
      return '<tr data-testid="child-self" class="ck-self"><td>' + escapeHtml(c.name) + "</td>" + cells.join("") + "</tr>";
    }).join("");
  }
  document.getElementById("children-body").addEventListener("click", function (event) {
    var row = event.target.closest("tr[data-href]");
    if (row && !event.target.closest("a")) { location.href = row.dataset.href; }
  });

  function renderRisks() {
    var list = document.getElementById("top-risks");
    if (!data.top_risks.length) {
      list.innerHTML = '<li class="ck-empty">暂无在办高风险事件</li>';
      return;
    }
    list.innerHTML = data.top_risks.map(function (e) {
      var meta = [e.unit_name, e.category, e.status].map(escapeHtml).join(" · ");
      if (e.is_overdue) { meta += ' · <b class="late">超期</b>'; }
      if (e.supervision) { meta += " · " + escapeHtml(e.supervision); }
      return '<li data-testid="risk-' + e.id + '"><a href="/work/events/' + e.id + '">' + escapeHtml(e.title) +
        '</a><span class="meta">' + meta + "</span></li>";
    }).join("");
  }

  // --- map ------------------------------------------------------------------------------------------------------------
  var mapEl = document.getElementById("cockpit-map");
  var mapStatus = document.getElementById("map-status");
  var map = null;
  var boundaries = null;
  var markers = null;
  var labels = null;

  function childCounts() {
    var counts = {};
    data.children.forEach(function (c) { if (c.code) { counts[c.code] = c; } });
    return counts;
  }

  function fillFor(open, max) {
    if (!open) { return "#123a70"; }
    var t = Math.min(1, open / Math.max(max, 1));
    // From deep blue through amber to red as a child's open events near the busiest child's.
    var stops = [[18, 84, 160], [250, 173, 20], [255, 77, 79]];
    var i = t < 0.5 ? 0 : 1;
    var local = t < 0.5 ? t / 0.5 : (t - 0.5) / 0.5;
    var a = stops[i], b = stops[i + 1];
    return "rgb(" + [0, 1, 2].map(function (k) { return Math.round(a[k] + (b[k] - a[k]) * local); }).join(",") + ")";
  }

  function styleBoundaries() {
    if (!boundaries) { return; }
    var counts = childCounts();
    var max = Object.keys(counts).reduce(function (m, k) { return Math.max(m, counts[k].open); }, 0);
    boundaries.eachLayer(function (layer) {
      var p = layer.feature.properties;
      var c = counts[p.code];
      layer.setStyle({ color: "#7fb8ff", weight: 1.2, fillColor: fillFor(c ? c.open : 0, max), fillOpacity: 0.55 });
      layer.setTooltipContent(tooltipFor(p, c));
    });
  }

  function tooltipFor(p, c) {
    var text = "<strong>" + escapeHtml(p.name) + "</strong>";
    if (c) {
      text += "<br>在办 " + c.open + " · 超期 " + c.overdue + " · 高风险 " + c.high_risk + "<br>今日受理 " + c.today;
    }
    return text;
  }

  function drawBoundaries(geojson, drillable) {
    boundaries = L.geoJSON(geojson, {
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.bindTooltip("", { sticky: true, className: "ck-tip" });
        if (drillable) {
          layer.on("click", function () { location.href = "/cockpit/" + encodeURIComponent(p.code); });
          layer.on("mouseover", function () { layer.setStyle({ weight: 3 }); });
          layer.on("mouseout", function () { layer.setStyle({ weight: 1.2 }); });
        }
      }
    }).addTo(map);
    var features = geojson.features || [geojson];
    if (drillable && features.length <= MANY_LABELS) {
      features.forEach(function (f) {
        var p = f.properties;
        if (p.label_lat == null || p.label_lon == null) { return; }
        L.marker([p.label_lat, p.label_lon], {
          interactive: false, keyboard: false,
          icon: L.divIcon({ className: "ck-unit-label", html: "<span>" + escapeHtml(p.name) + "</span>", iconSize: null })
        }).addTo(labels);
      });
    }
    styleBoundaries();
    if (boundaries.getLayers().length) { map.fitBounds(boundaries.getBounds(), { padding: [10, 10] }); }
  }

  function renderMarkers() {
    if (!map) { return; }
    markers.clearLayers();
    data.points.forEach(function (pt) {
      L.circleMarker([pt.lat, pt.lon], {
        radius: pt.risk_level === "high" ? 6 : 4,
        color: pt.is_overdue ? "#ffffff" : RISK_COLOURS[pt.risk_level] || "#888",
        weight: pt.is_overdue ? 1.5 : 0.5,
        fillColor: RISK_COLOURS[pt.risk_level] || "#888",
        fillOpacity: 0.9
      }).bindTooltip(escapeHtml(pt.title) + "<br>" + escapeHtml(pt.category) + " · " + escapeHtml(pt.status) +
                     (pt.is_overdue ? " · 超期" : ""), { className: "ck-tip" })
        .on("click", function () { location.href = "/work/events/" + pt.id; })
        .addTo(markers);
    });
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error((body.error && body.error.message) || "加载失败"); }
        return body;
      });
    });
  }

  function initMap() {
    if (!mapEl || !window.L) { return; }
    map = L.map(mapEl, { zoomSnap: 0.25, preferCanvas: true, attributionControl: Boolean(mapEl.dataset.tileUrl) });
    if (mapEl.dataset.tileUrl) {
      L.tileLayer(mapEl.dataset.tileUrl, { attribution: mapEl.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }
    labels = L.layerGroup().addTo(map);
    markers = L.layerGroup().addTo(map);
    var drillable = mapEl.dataset.hasChildren === "true";
    var base = "/api/v1/units/" + encodeURIComponent(unitCode);
    mapStatus.textContent = "地图加载中…";
    getJson(drillable ? base + "/children.geojson" : base + "/boundary").then(function (geojson) {
      drawBoundaries(geojson, drillable);
      mapStatus.textContent = drillable ? "点击区域进入下级" : "";
      markers.bringToFront && markers.eachLayer(function (m) { m.bringToFront(); });
    }).catch(function (error) {
      mapStatus.textContent = error.message;
    });
    renderMarkers();
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        map.invalidateSize();
        if (boundaries && boundaries.getLayers().length) { map.fitBounds(boundaries.getBounds(), { padding: [10, 10] }); }
      }).observe(mapEl);
    }
  }

  // --- polling ------------------------------------------------------------------------------------------------------
  function apply(next) {
    data = next;
    version = next.version;
    renderKpis();
    renderCharts();
    renderChildren();
    renderRisks();
    styleBoundaries();
    renderMarkers();
  }

  var inFlight = false;
  function poll() {
    if (inFlight) { return; }
    inFlight = true;
    fetch("/api/v1/metrics/cockpit?unit=" + encodeURIComponent(unitCode), {
      headers: { Accept: "application/json", "If-None-Match": '"' + version + '"' },
      credentials: "same-origin",
      cache: "no-store"
    }).then(function (r) {
      if (r.status === 304) { fresh(); return; }
      if (r.status === 401) { stale("登录已失效，请重新登录"); return; }
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json().then(function (body) { apply(body); fresh(); });
    }).catch(function () {
      stale("数据刷新失败，稍后自动重试");
    }).then(function () { inFlight = false; });
  }

  renderCharts();
  initMap();
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
  });
  setInterval(poll, POLL_MS);
})();
