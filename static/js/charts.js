/* Draw every chart whose figure the server put in a JSON data block (no inline scripts: CSP).
   The figure carries the site's plotly config (core/charts.py); the fallback is the same. */
(function () {
  var ZH_CN = {
    moduleType: "locale", name: "zh-CN",
    dictionary: {
      "Autoscale": "自动缩放", "Box Select": "矩形框选择", "Lasso Select": "套索选择", "Pan": "平移",
      "Reset axes": "重置坐标轴", "Reset view": "重置视图", "Zoom": "缩放", "Zoom in": "放大", "Zoom out": "缩小",
      "Download plot as a png": "下载图表为 PNG 图片", "Double-click to zoom back out": "双击恢复缩放",
      "Show closest data on hover": "悬停显示最近的数据", "Compare data on hover": "悬停比较数据",
      "Toggle Spike Lines": "显示/隐藏辅助线"
    },
    format: {decimal: ".", thousands: ",", year: "%Y年", month: "%Y年%-m月", dayMonth: "%-m月%-d日", date: "%Y-%m-%d"}
  };
  var registered = false;
  function draw() {
    if (!window.Plotly) { return; }
    if (!registered) { window.Plotly.register(ZH_CN); registered = true; }
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      if (el.getAttribute("data-drawn")) { return; }
      var source = document.getElementById(el.getAttribute("data-figure"));
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      var config = figure.config || {displaylogo: false, responsive: true};
      window.Plotly.newPlot(el, figure.data || [], figure.layout || {}, config);
      el.setAttribute("data-drawn", "1");
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
