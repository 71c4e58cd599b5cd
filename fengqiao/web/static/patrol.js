// The patrol form: the phone's location into hidden fields, a count of the chosen photos.
// Browsers' geolocation is WGS84, which the server expects by default (crs=wgs84).
(function () {
  "use strict";
  var form = document.getElementById("patrol-form");
  if (!form) return;
  var lon = document.getElementById("patrol-lon");
  var lat = document.getElementById("patrol-lat");
  var crs = document.getElementById("patrol-crs");
  var accuracy = document.getElementById("patrol-accuracy");
  var status = document.getElementById("patrol-location-status");
  var locate = document.getElementById("patrol-locate");
  var clear = document.getElementById("patrol-clear-location");
  var photos = document.getElementById("patrol-photos");
  var count = document.getElementById("patrol-photo-count");
  var grid = document.getElementById("patrol-grid");

  function show(text, kind) {
    status.textContent = text;
    status.className = "locate-status" + (kind ? " " + kind : "");
  }

  function forget(text) {
    lon.value = "";
    lat.value = "";
    accuracy.value = "";
    crs.value = "wgs84";
    show(text, "warn");
  }

  function found(position) {
    var c = position.coords;
    lon.value = c.longitude.toFixed(7);
    lat.value = c.latitude.toFixed(7);
    crs.value = "wgs84";
    accuracy.value = Math.round(c.accuracy || 0);
    show("已定位：经度 " + lon.value + "，纬度 " + lat.value + "（误差约 " + accuracy.value + " 米）", "ok");
    locate.textContent = "重新定位";
  }

  function failed(error) {
    var reasons = {
      1: "您拒绝了位置权限，将按下方所选网格登记（可在浏览器设置中允许定位后重试）",
      2: "暂时无法获取位置，将按下方所选网格登记",
      3: "定位超时，将按下方所选网格登记，也可到开阔处重试"
    };
    forget(reasons[error && error.code] || "无法获取位置，将按下方所选网格登记");
    locate.textContent = "重试定位";
  }

  function request() {
    if (!("geolocation" in navigator)) {
      forget("此设备不支持定位，将按下方所选网格登记");
      return;
    }
    show("正在定位……", "");
    navigator.geolocation.getCurrentPosition(found, failed, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  locate.addEventListener("click", request);
  clear.addEventListener("click", function () {
    forget("不使用定位：将按下方所选网格登记");
  });
  if (photos && count) {
    photos.addEventListener("change", function () {
      var n = photos.files ? photos.files.length : 0;
      count.textContent = n ? "已选择 " + n + " 张照片" : "";
    });
  }
  // A form sent back with an error keeps its point; a fresh form asks for one straight away.
  if (!lon.value) request();
})();
