// board-charts.js - the board's two charts: the completion funnel (per step,
// how many learners finished it) and the learners active each week. Bars in
// inline SVG, the numbers in words as the chart's description.

import { t, formatDate } from './i18n.js';
import { h } from './dom.js';

function svg(tag, attrs, ...children) {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

// Draws a chart into the figure `target`. bars: [{value, label, short,
// attrs}]; each bar is `width` wide in a `height` tall box; `labelled` bars
// show their value above and `short` below.
function chart(target, id, title, bars, width, height, labelled) {
  const top = Math.max(1, ...bars.map((bar) => bar.value));
  const marks = bars.flatMap((bar, i) => {
    const tall = (bar.value / top) * (height - (labelled ? 40 : 4));
    const x = i * width;
    return [svg('rect', { x: x + width / 8, y: height - (labelled ? 22 : 0) - tall, width: width * 3 / 4, height: tall, class: 'bar', 'data-count': bar.value, ...bar.attrs }, svg('title', {}, bar.label)),
      ...(labelled ? [svg('text', { x: x + width / 2, y: height - 26 - tall, 'text-anchor': 'middle' }, String(bar.value)),
        svg('text', { x: x + width / 2, y: height - 4, 'text-anchor': 'middle' }, bar.short)] : [])];
  });
  target.replaceChildren(h('figcaption', { text: title }),
    svg('svg', { viewBox: `0 0 ${bars.length * width} ${height}`, role: 'img', 'aria-labelledby': `${id}-t ${id}-d`, preserveAspectRatio: labelled ? 'xMinYMid meet' : 'none' },
      svg('title', { id: `${id}-t` }, title), svg('desc', { id: `${id}-d` }, bars.map((bar) => bar.label).join('; ')), ...marks));
}

// The charts' part of the page: the two figures, drawn from the board's
// state. Both follow the pushes at most once a second (funnelSoon, weeksSoon).
export function boardCharts(board) {
  const funnel = h('figure', { id: 'board-funnel', class: 'chart' });
  const weeks = h('figure', { id: 'board-weeks', class: 'chart' });
  let timer = 0;
  let weeksTimer = 0;
  const total = () => board.learners.size;
  const drawFunnel = () => chart(funnel, 'funnel', t('board.funnel', { total: total() }), board.steps.filter((step) => !step.retired).map((step) => ({
    value: board.counts.get(step.id).done, attrs: { 'data-step': step.id },
    label: t('board.funnel.line', { step: board.titles.get(step.id), count: board.counts.get(step.id).done, total: total() }) })), 10, 100, false);
  const drawWeeks = (list) => chart(weeks, 'weeks', t('board.weeks'), list.map((week) => {
    const short = formatDate(Date.parse(`${week.week}T00:00:00Z`), { day: 'numeric', month: 'short', timeZone: 'UTC' });
    return { value: week.active, short, attrs: { 'data-week': week.week }, label: t('board.weeks.line', { week: short, count: week.active }) };
  }), 60, 140, true);
  return {
    funnel, weeks, drawFunnel, drawWeeks,
    funnelSoon: () => { timer ||= setTimeout(() => { timer = 0; drawFunnel(); }, 1000); },
    weeksSoon: () => { weeksTimer ||= setTimeout(() => { weeksTimer = 0; drawWeeks(board.weeks); }, 1000); },
    stop: () => { clearTimeout(timer); clearTimeout(weeksTimer); },
  };
}
