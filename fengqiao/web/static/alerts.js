// Sensor alerts: the 三必到 countdowns (to the second, from the deadline the server rendered) and the maintenance
// page's false-alarm chart. Loaded once; htmx swaps re-render cards, the one timer finds them again.
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function span(seconds) {
    var s = Math.abs(Math.round(seconds));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return (h ? h + ":" + pad(m) : m) + ":" + pad(r);
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var deadline = Date.parse(el.getAttribute("data-deadline"));
      if (isNaN(deadline)) return;
      var left = (deadline - now) / 1000;
      var clock = el.querySelector(".ac-countdown");
      if (clock) clock.textContent = (left >= 0 ? "剩余 " : "超时 ") + span(left);
      el.classList.toggle("is-late", left < 0);
    });
  }

  // The inbox's polling waits while a note is being written or a form is on its way.
  window.fqAlertsIdle = function () {
    var notes = document.querySelectorAll("#alert-inbox .ac-note");
    for (var i = 0; i < notes.length; i++) {
      if (notes[i].value || notes[i] === document.activeElement) return false;
    }
    return !document.querySelector("#alert-inbox form.htmx-request");
  };

  if (!window.fqAlertsTimer) {
    window.fqAlertsTimer = window.setInterval(tick, 1000);
    document.addEventListener("htmx:afterSwap", tick);
    document.addEventListener("DOMContentLoaded", tick);
  }
  tick();

  function chart() {
    var el = document.getElementById("rate-chart");
    var data = document.getElementById("rate-data");
    if (!el || !data || !window.echarts || el.getAttribute("data-drawn")) return;
    var d = JSON.parse(data.textContent);
    el.setAttribute("data-drawn", "1");
    var c = window.echarts.init(el, null, { renderer: "svg" });
    c.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 28, bottom: 32 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
      xAxis: { type: "category", data: d.labels, axisLabel: { fontSize: 14 } },
      yAxis: { type: "value", name: "误报率%", max: 100 },
      series: [{
        type: "bar", data: d.rates, barMaxWidth: 56, itemStyle: { color: "#c62828" },
        label: { show: true, position: "top", formatter: "{c}%", fontSize: 14, fontWeight: "bold" }
      }]
    });
    window.addEventListener("resize", function () { c.resize(); });
  }
  document.addEventListener("DOMContentLoaded", chart);
  chart();
})();
