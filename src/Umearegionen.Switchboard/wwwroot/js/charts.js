// The manager's charts (Chart.js): calls per quarter hour today, from the service's record of the day
// (GET /api/statistics/today), and calls per municipality today.
export function liveCharts(dayCanvas, barCanvas) {
  const time = t => new Date(t).toLocaleTimeString('sv-SE', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Stockholm' });
  const font = { size: 13 };
  const day = new Chart(dayCanvas, {
    type: 'bar',
    data: {
      labels: [],
      datasets: [
        { label: 'Samtal', data: [], backgroundColor: '#0b5394' },
        { label: 'Besvarade', data: [], backgroundColor: '#3d85c6' },
      ],
    },
    options: {
      animation: false, maintainAspectRatio: false,
      plugins: { legend: { labels: { font, color: '#1b1b1b' } } },
      scales: {
        x: { ticks: { color: '#4a4a4a', maxTicksLimit: 12, font, autoSkip: true, maxRotation: 0 } },
        y: { beginAtZero: true, ticks: { precision: 0, color: '#1b1b1b', font }, title: { display: true, text: 'Samtal per kvart', color: '#1b1b1b' } },
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
    showDay(today) {
      day.data.labels = today.intervals.map(i => time(i.start));
      day.data.datasets[0].data = today.intervals.map(i => i.calls);
      day.data.datasets[1].data = today.intervals.map(i => i.answered);
      day.update('none');
    },
    add(view, name) {
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
