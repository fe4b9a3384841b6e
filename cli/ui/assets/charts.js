// goalctl ui: the charts, drawn as SVG from the pages' JSON (no library).
'use strict';

const SVG_NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, ...kids) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  }
  for (const kid of kids) {
    if (kid === null || kid === undefined) continue;
    el.appendChild(typeof kid === 'string' ? document.createTextNode(kid) : kid);
  }
  return el;
}

function dayNumber(text) {  // days since the epoch of a YYYY-MM-DD date (UTC)
  const [y, m, d] = text.split('-').map(Number);
  return Math.round(Date.UTC(y, m - 1, d) / 86400000);
}

function dayText(n) {
  return new Date(n * 86400000).toISOString().slice(0, 10);
}

// A progress bar against floor / base / stretch: the actual as a bar, the targets as ticks.
function progressBar(progress) {
  const t = progress.targets || {};
  const actual = progress.actual;
  const marks = [['F', t.floor], ['B', t.base], ['S', t.stretch]].filter(m => m[1] !== undefined);
  const max = Math.max(1, actual || 0, ...marks.map(m => m[1])) * 1.1;
  const w = 180, x = v => 4 + (w - 8) * (v / max);
  const g = svg('svg', {width: w, height: 26, class: 'pbar', role: 'img',
                        'aria-label': `actual ${actual ?? '-'}`});
  g.appendChild(svg('rect', {x: 4, y: 6, width: w - 8, height: 10, rx: 3, class: 'pbar-track'}));
  if (actual !== null && actual !== undefined) {
    g.appendChild(svg('rect', {x: 4, y: 6, width: Math.max(1, x(actual) - 4), height: 10, rx: 3,
                               class: 'pbar-fill ' + bandClass(progress.band)}));
  }
  for (const [label, v] of marks) {
    g.appendChild(svg('line', {x1: x(v), x2: x(v), y1: 2, y2: 20, class: 'pbar-mark'}));
    g.appendChild(svg('text', {x: x(v) - 3, y: 26, class: 'pbar-label'}, label));
  }
  return g;
}

function bandClass(band) {
  return 'band-' + String(band || 'none').replace(/\s+/g, '-');
}

// The Gantt chart: one row per task, months on the axis, today as a dashed line, dependencies
// as arrows from the end of a task to the start of the one waiting for it.
function ganttChart(data) {
  const bars = data.bars;
  const label = 300, width = 720, row = 30, top = 44;
  let first = Math.min(...bars.map(b => dayNumber(b.start)));
  let last = Math.max(...bars.map(b => dayNumber(b.due)));
  const today = dayNumber(data.today);
  const days = Math.max(1, last - first + 1);
  const x = d => label + width * ((d - first) / days);
  const height = top + row * bars.length + 24;
  const root = svg('svg', {width: label + width + 90, height, class: 'gantt', id: 'gantt-svg'});
  root.appendChild(svg('defs', {}, svg('marker', {id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5,
                                                  markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse'},
                                          svg('path', {d: 'M 0 0 L 10 5 L 0 10 z', class: 'dep-head'}))));
  // Month lines.
  const start = new Date(first * 86400000);
  for (let m = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1)); ;
       m = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1))) {
    const d = Math.max(first, Math.round(m.getTime() / 86400000));
    if (d > last) break;
    root.appendChild(svg('line', {x1: x(d), x2: x(d), y1: top - 12, y2: height - 12, class: 'grid'}));
    root.appendChild(svg('text', {x: x(d) + 3, y: top - 18, class: 'axis'}, dayText(d).slice(0, 7)));
  }
  const where = new Map();
  bars.forEach((b, i) => where.set(b.key, {i, b}));
  bars.forEach((b, i) => {
    const y = top + row * i;
    const g = svg('g', {class: 'task ' + (b.late ? 'late' : b.ahead ? 'ahead' : b.status),
                        'data-key': b.key, 'data-status': b.status});
    g.appendChild(svg('text', {x: 4, y: y + 15, class: 'task-label'}, `${b.key}  ${b.title}`));
    const s = dayNumber(b.start), e = dayNumber(b.due);
    if (b.milestone) {
      const cx = x(e);
      g.appendChild(svg('polygon', {points: `${cx},${y + 2} ${cx + 9},${y + 11} ${cx},${y + 20} ${cx - 9},${y + 11}`,
                                    class: 'bar'}));
    } else {
      g.appendChild(svg('rect', {x: x(s), y: y + 3, width: Math.max(3, x(e + 1) - x(s)), height: 16, rx: 3,
                                 class: 'bar'}));
    }
    const mark = b.late ? 'LATE' : b.ahead ? 'ahead' : b.status;
    g.appendChild(svg('text', {x: x(e + 1) + 8, y: y + 15, class: 'mark'}, mark));
    g.appendChild(svg('title', {}, `${b.title}: ${b.start} .. ${b.due}, ${mark}`));
    root.appendChild(g);
  });
  for (const b of bars) {
    for (const dep of b.dependsOn) {
      const from = where.get(dep), to = where.get(b.key);
      if (!from || !to) continue;
      const x1 = x(dayNumber(from.b.due) + 1), y1 = top + row * from.i + 11;
      const x2 = x(dayNumber(to.b.start)), y2 = top + row * to.i + 11;
      const mid = Math.max(x1 + 8, Math.min(x2 - 8, x1 + 8));
      root.appendChild(svg('path', {d: `M ${x1} ${y1} H ${mid} V ${y2} H ${x2}`, class: 'dep',
                                    'marker-end': 'url(#arrow)', 'data-from': dep, 'data-to': b.key}));
    }
  }
  if (today >= first && today <= last) {
    root.appendChild(svg('line', {x1: x(today), x2: x(today), y1: top - 12, y2: height - 12, class: 'today'}));
    root.appendChild(svg('text', {x: x(today) + 3, y: height - 2, class: 'today-label'}, 'today'));
  }
  return root;
}

// Burn-up: cumulative plan against cumulative actual, period by period.
function burnUpChart(periods, title) {
  const left = 60, width = 560, top = 40, height = 240;
  let plan = 0, actual = 0, max = 1;
  const points = [{plan: 0, actual: 0, period: ''}];
  for (const p of periods) {
    plan += p.plan;
    actual += p.actual;
    max = Math.max(max, plan, actual);
    points.push({plan, actual, period: p.period});
  }
  const n = Math.max(1, periods.length);
  const x = i => left + width * (i / n), y = v => top + height - height * (v / max);
  const root = svg('svg', {width: left + width + 40, height: top + height + 60, class: 'burnup'});
  root.appendChild(svg('text', {x: left, y: 20, class: 'chart-title'}, title));
  root.appendChild(svg('line', {x1: left, y1: top + height, x2: left + width, y2: top + height, class: 'axis-line'}));
  root.appendChild(svg('line', {x1: left, y1: top, x2: left, y2: top + height, class: 'axis-line'}));
  root.appendChild(svg('text', {x: 4, y: y(max) + 4, class: 'axis'}, String(max)));
  points.forEach((p, i) => {
    if (i > 0) root.appendChild(svg('text', {x: x(i), y: top + height + 18, class: 'axis', 'text-anchor': 'middle'}, p.period));
  });
  const line = key => points.map((p, i) => `${x(i).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
  root.appendChild(svg('polyline', {points: line('plan'), class: 'plan-line'}));
  root.appendChild(svg('polyline', {points: line('actual'), class: 'actual-line'}));
  root.appendChild(svg('text', {x: left + 10, y: top + height + 40, class: 'legend-plan'}, 'plan (cumulative)'));
  root.appendChild(svg('text', {x: left + 170, y: top + height + 40, class: 'legend-actual'}, 'actual (cumulative)'));
  return root;
}
