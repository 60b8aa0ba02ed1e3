// The manager's charts (Chart.js): queue length and service level over the day, kept in this browser per day,
// and calls per municipality today.
const MAX_POINTS = 2000;
const dayKey = () => `switchboard.live.${new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Stockholm' })}`;

export function liveCharts(dayCanvas, barCanvas) {
  let points = JSON.parse(localStorage.getItem(dayKey()) ?? '[]');
  const time = t => new Date(t).toLocaleTimeString('sv-SE', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Stockholm' });
  const font = { size: 13 };
  // Minutes on the axis, seconds as well while the curve covers less than ten minutes.
  const seconds = t => new Date(t).toLocaleTimeString('sv-SE', { timeZone: 'Europe/Stockholm' });
  const tick = value => points.length > 1 && Date.parse(points.at(-1).t) - Date.parse(points[0].t) < 600000 ? seconds(value) : time(value);
  const day = new Chart(dayCanvas, {
    type: 'line',
    data: {
      datasets: [
        { label: 'I kö', data: points.map(p => ({ x: Date.parse(p.t), y: p.q })), borderColor: '#0b5394', backgroundColor: '#0b5394', yAxisID: 'queue', stepped: true, pointRadius: 0 },
        { label: 'Servicenivå %', data: points.map(p => ({ x: Date.parse(p.t), y: p.sl })), borderColor: '#0f6b2f', backgroundColor: '#0f6b2f', yAxisID: 'level', pointRadius: 0, borderDash: [6, 3] },
      ],
    },
    options: {
      animation: false, maintainAspectRatio: false, interaction: { mode: 'nearest', axis: 'x', intersect: false },
      plugins: { legend: { labels: { font, color: '#1b1b1b' } }, tooltip: { callbacks: { title: items => items.length ? time(items[0].parsed.x) : '' } } },
      scales: {
        x: { type: 'linear', bounds: 'data', ticks: { color: '#4a4a4a', maxTicksLimit: 8, font, callback: value => tick(value) } },
        queue: { position: 'left', beginAtZero: true, ticks: { precision: 0, color: '#0b5394', font }, title: { display: true, text: 'Samtal i kö', color: '#0b5394' } },
        level: { position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false }, ticks: { color: '#0f6b2f', font }, title: { display: true, text: 'Servicenivå %', color: '#0f6b2f' } },
      },
    },
  });
  const bars = new Chart(barCanvas, {
    type: 'bar',
    data: { labels: [], datasets: [{ label: 'Samtal idag', data: [], backgroundColor: '#0b5394' }] },
    options: {
      animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0, color: '#4a4a4a', font } }, x: { ticks: { color: '#1b1b1b', font } } },
    },
  });

  return {
    add(view, name) {
      const point = { t: view.at, q: view.queueLength, sl: view.serviceLevelToday === null ? null : Math.round(view.serviceLevelToday * 1000) / 10 };
      const last = points.at(-1);
      const changed = !last || last.q !== point.q || last.sl !== point.sl;
      if (changed || new Date(point.t) - new Date(last.t) > 60000) {
        points.push(point);
        if (points.length > MAX_POINTS) points = points.filter((_, i) => i % 2 === 0);
        try { localStorage.setItem(dayKey(), JSON.stringify(points)); } catch { /* storage full: the chart still shows this session */ }
        day.data.datasets[0].data = points.map(p => ({ x: Date.parse(p.t), y: p.q }));
        day.data.datasets[1].data = points.map(p => ({ x: Date.parse(p.t), y: p.sl }));
        day.update('none');
      }
      const counts = [...view.callsPerMunicipalityToday].sort((a, b) => b.calls - a.calls);
      bars.data.labels = counts.map(c => name(c.municipalityCode));
      bars.data.datasets[0].data = counts.map(c => c.calls);
      bars.update('none');
    },
    destroy() { day.destroy(); bars.destroy(); },
  };
}

// The statistics view's chart: offered and answered calls per group as bars, the service level as a line.
export function statisticsChart(canvas) {
  const font = { size: 13 };
  const chart = new Chart(canvas, {
    type: 'bar',
    data: {
      labels: [],
      datasets: [
        { label: 'Erbjudna', data: [], backgroundColor: '#0b5394', yAxisID: 'calls', order: 2 },
        { label: 'Besvarade', data: [], backgroundColor: '#3d85c6', yAxisID: 'calls', order: 2 },
        { label: 'Servicenivå %', data: [], type: 'line', borderColor: '#0f6b2f', backgroundColor: '#0f6b2f', yAxisID: 'level', order: 1, spanGaps: true },
      ],
    },
    options: {
      animation: false, maintainAspectRatio: false,
      plugins: { legend: { labels: { font, color: '#1b1b1b' } } },
      scales: {
        x: { ticks: { color: '#1b1b1b', font, autoSkip: true, maxRotation: 45 } },
        calls: { position: 'left', beginAtZero: true, ticks: { precision: 0, color: '#1b1b1b', font }, title: { display: true, text: 'Samtal', color: '#1b1b1b' } },
        level: { position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false }, ticks: { color: '#0f6b2f', font }, title: { display: true, text: 'Servicenivå %', color: '#0f6b2f' } },
      },
    },
  });
  return {
    show(labels, offered, answered, serviceLevel) {
      chart.data.labels = labels;
      chart.data.datasets[0].data = offered;
      chart.data.datasets[1].data = answered;
      chart.data.datasets[2].data = serviceLevel;
      chart.update('none');
    },
    destroy() { chart.destroy(); },
  };
}
