// Draws the figures described in <script type="application/json" id="chart-data"> with plotly.
(function () {
  var el = document.getElementById("chart-data");
  if (!el || !window.Plotly) { return; }
  JSON.parse(el.textContent).forEach(function (fig) {
    window.Plotly.newPlot(fig.id, fig.data, fig.layout, {displaylogo: false, responsive: true});
  });
})();
