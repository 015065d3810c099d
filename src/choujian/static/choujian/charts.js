// Draws the statistics charts with the vendored Apache ECharts. Each chart reads its data from the JSON script named
// by data-source (no inline script: the content security policy forbids it); the same data is in the table beside
// the chart for screen readers and printing.
(function () {
  "use strict";
  var BLUE = "#1f4e79", RED = "#d92d20", AMBER = "#f79009", GREY = "#98a2b3";

  function data(el) {
    var node = document.getElementById(el.getAttribute("data-source"));
    return node ? JSON.parse(node.textContent) : null;
  }

  function pct(v) { return v === null || v === undefined ? "—" : v + "%"; }

  var builders = {
    // 合格率 bars with their 95 % Wilson interval as whiskers
    rates: function (d) {
      var low = Math.max(0, Math.floor(Math.min.apply(null, d.low.concat([100])) / 5) * 5 - 5);
      return {
        grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", formatter: function (items) {
          var i = items[0].dataIndex;
          return d.labels[i] + "<br>合格率 " + pct(d.rates[i]) + "（" + d.low[i] + "% – " + d.high[i] + "%）<br>检验批次 " + d.lots[i];
        } },
        xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 6 ? 35 : 0, width: 90, overflow: "truncate" } },
        yAxis: { type: "value", min: low, max: 100, axisLabel: { formatter: "{value}%" } },
        series: [
          { type: "bar", name: "合格率", data: d.rates, itemStyle: { color: BLUE }, barMaxWidth: 36 },
          { type: "custom", name: "95% 置信区间", data: d.labels.map(function (_, i) { return [i, d.low[i], d.high[i]]; }),
            renderItem: function (params, api) {
              var lo = api.coord([api.value(0), api.value(1)]), hi = api.coord([api.value(0), api.value(2)]);
              var w = 6;
              return { type: "group", children: [
                { type: "line", shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style: { stroke: AMBER, lineWidth: 1.5 } },
                { type: "line", shape: { x1: lo[0] - w, y1: lo[1], x2: lo[0] + w, y2: lo[1] }, style: { stroke: AMBER, lineWidth: 1.5 } },
                { type: "line", shape: { x1: hi[0] - w, y1: hi[1], x2: hi[0] + w, y2: hi[1] }, style: { stroke: AMBER, lineWidth: 1.5 } }
              ] };
            }, z: 3 }
        ]
      };
    },
    // failure rates found by risk-targeted draws and by their control group, each with its 95 % Wilson interval
    lift: function (d) {
      function whiskers(key, offset) {
        return { type: "custom", name: key === "t" ? "风险定向 95% 区间" : "对照组 95% 区间", z: 3,
          data: d.labels.map(function (_, i) { return [i, d[key + "_low"][i], d[key + "_high"][i]]; }),
          renderItem: function (params, api) {
            var band = api.size([1, 0])[0], x = api.coord([api.value(0), 0])[0] + offset * band / 5;
            var lo = api.coord([api.value(0), api.value(1)])[1], hi = api.coord([api.value(0), api.value(2)])[1];
            return { type: "group", children: [
              { type: "line", shape: { x1: x, y1: lo, x2: x, y2: hi }, style: { stroke: "#344054", lineWidth: 1.2 } },
              { type: "line", shape: { x1: x - 4, y1: lo, x2: x + 4, y2: lo }, style: { stroke: "#344054", lineWidth: 1.2 } },
              { type: "line", shape: { x1: x - 4, y1: hi, x2: x + 4, y2: hi }, style: { stroke: "#344054", lineWidth: 1.2 } }
            ] };
          } };
      }
      return {
        grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
        legend: { top: 0, data: ["风险定向抽取", "对照组（等权）"] },
        tooltip: { trigger: "axis", formatter: function (items) {
          var i = items[0].dataIndex;
          return d.labels[i] + "<br>风险定向 " + pct(d.t[i]) + "（" + d.t_lots[i] + " 批）<br>对照组 " + pct(d.h[i]) + "（" + d.h_lots[i] + " 批）";
        } },
        xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 5 ? 30 : 0, width: 110, overflow: "truncate" } },
        yAxis: { type: "value", min: 0, axisLabel: { formatter: "{value}%" }, name: "不合格率" },
        series: [
          { type: "bar", name: "风险定向抽取", data: d.t, itemStyle: { color: RED }, barMaxWidth: 32 },
          { type: "bar", name: "对照组（等权）", data: d.h, itemStyle: { color: GREY }, barMaxWidth: 32 },
          whiskers("t", -1), whiskers("h", 1)
        ]
      };
    },
    // failure rate of each unit against its batches, with the 95 % and 99.8 % limits around the category's rate
    funnel: function (d) {
      var colour = { alarm: RED, alert: AMBER, "": BLUE };
      function line(name, values, dash) {
        return { type: "line", name: name, showSymbol: false, data: d.limits.n.map(function (n, i) { return [n, values[i]]; }),
          lineStyle: { color: GREY, type: dash }, itemStyle: { color: GREY }, tooltip: { show: false } };
      }
      return {
        grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
        legend: { top: 0, data: ["企业", "99.8% 控制限", "95% 控制限"] },
        tooltip: { trigger: "item", formatter: function (p) { return p.data.name + "<br>检验批次 " + p.data.value[0] + "，不合格率 " + p.data.value[1] + "%"; } },
        xAxis: { type: "value", name: "检验批次", min: 0 },
        yAxis: { type: "value", name: "不合格率 %", min: 0 },
        series: [
          { type: "scatter", name: "企业", symbolSize: 10, data: d.points.map(function (p) {
            return { name: p.name, value: [p.n, p.rate], itemStyle: { color: colour[p.beyond] } }; }),
            markLine: { silent: true, symbol: "none", data: [{ yAxis: d.target, name: "类别不合格率" }], lineStyle: { color: BLUE } } },
          line("99.8% 控制限", d.limits.upper998, "solid"), line("95% 控制限", d.limits.upper95, "dashed"),
          line("99.8% 控制限", d.limits.lower998, "solid"), line("95% 控制限", d.limits.lower95, "dashed")
        ]
      };
    },
    // monthly failure rate against the baseline, and the CUSUM against its decision limit h = 5
    control: function (d) {
      var signalled = d.months.map(function (m, i) { return d.signals[m] ? [m, d.rates[i] === null ? null : +(d.rates[i] * 100).toFixed(2)] : null; })
        .filter(function (x) { return x; });
      return {
        grid: [{ left: 8, right: 16, top: 32, height: "42%", containLabel: true }, { left: 8, right: 16, top: "62%", bottom: 8, containLabel: true }],
        legend: { top: 0, data: ["月度不合格率", "信号", "CUSUM"] },
        tooltip: { trigger: "axis" },
        xAxis: [{ type: "category", data: d.months, gridIndex: 0 }, { type: "category", data: d.months, gridIndex: 1 }],
        yAxis: [{ type: "value", name: "不合格率 %", gridIndex: 0 }, { type: "value", name: "CUSUM", gridIndex: 1 }],
        series: [
          { type: "line", name: "月度不合格率", data: d.rates.map(function (r) { return r === null ? null : +(r * 100).toFixed(2); }),
            itemStyle: { color: BLUE }, markLine: { silent: true, symbol: "none", data: [{ yAxis: +(d.baseline.rate * 100).toFixed(2), name: "基准" }], lineStyle: { color: GREY } } },
          { type: "scatter", name: "信号", data: signalled, symbolSize: 14, itemStyle: { color: RED } },
          { type: "bar", name: "CUSUM", data: d.cusum, xAxisIndex: 1, yAxisIndex: 1, itemStyle: { color: AMBER },
            markLine: { silent: true, symbol: "none", data: [{ yAxis: 5, name: "h = 5" }], lineStyle: { color: RED } } }
        ]
      };
    }
  };

  function draw() {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var d = data(el), build = builders[el.getAttribute("data-chart")];
      if (!d || !build) { return; }
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(build(d));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
}());
