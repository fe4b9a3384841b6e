// goalctl ui: the pages. Hash routes (#/tree, #/goal/ID, ...); each page renders its data
// view from goalctl ui's JSON, and its forms once. Server-sent events refresh the data view
// (and the sync status) whenever the replica changes, without a reload.
'use strict';

const App = {session: null, status: null, formsRoute: null, refreshing: false, again: false};

const LEVELS = [['company', 'company'], ['business-line', 'business line'], ['team', 'team'], ['individual', 'individual']];
const ROLES = [['RACI_ROLE_RESPONSIBLE', 'R: responsible'], ['RACI_ROLE_ACCOUNTABLE', 'A: accountable'],
               ['RACI_ROLE_CONSULTED', 'C: consulted'], ['RACI_ROLE_INFORMED', 'I: informed']];
const ROLE_WORDS = ['role', 'accountable', 'responsible', 'consulted', 'informed'];
const STATUSES = ['todo', 'doing', 'done', 'blocked'];

function route() {
  const [path, query] = (location.hash.replace(/^#/, '') || '/tree').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return {page: parts[0] || 'tree', arg: parts.slice(1).join('/'), query: new URLSearchParams(query || '')};
}

function link(hash, text, cls) {
  return h('a', {href: '#' + hash, class: cls}, text);
}

function goalLink(id) {
  return link('/goal/' + encodeURIComponent(id), id, 'goal-link');
}

function indent(depth) {
  const span = h('span', {class: 'indent'});
  span.style.paddingLeft = `${depth * 1.6}em`;  // CSSOM: allowed by the page's CSP
  return span;
}

function bandBadge(band) {
  return h('span', {class: 'band ' + bandClass(band), 'data-band': band || 'no target'}, band || 'no target');
}

function table(headers, rows, attrs) {
  return h('table', attrs || {}, h('thead', {}, h('tr', {}, headers.map(t => h('th', {}, t)))),
           h('tbody', {}, rows));
}

function goalOptions(goals, blank) {
  return (blank ? [['', blank]] : []).concat(goals.map(g => [g.id, g.id]));
}

async function goalsList() {
  const tree = await Api.get('/api/tree');
  return tree.goals;
}

// --- pages: each returns {view: async () => Node, forms: async () => Node|null} ----------

const Pages = {};

Pages.tree = (r) => ({
  title: 'Cascade',
  async view() {
    const period = r.query.get('period') || '';
    const data = await Api.get('/api/tree?period=' + encodeURIComponent(period));
    const rows = data.goals.map(g => h('tr', {class: 'goal-row depth-' + g.depth, 'data-goal': g.id},
      h('td', {class: 'goal-cell'}, indent(g.depth), goalLink(g.id),
        h('div', {class: 'statement'}, g.statement)),
      h('td', {}, g.level), h('td', {}, g.owner || '-'),
      h('td', {class: 'actual'}, fmt(g.progress.actual), g.progress.fraction !== undefined ? ` (${pct(g.progress.fraction)})` : '',
        g.progress.source && g.progress.source !== 'check-ins' ? h('div', {class: 'source'}, g.progress.source) : null),
      h('td', {}, progressBar(g.progress)),
      h('td', {}, bandBadge(g.progress.band)),
      h('td', {class: 'checks'}, g.failedChecks.map(c => h('div', {class: 'failed-check'},
        `✗ ${c.what}: ${fmt(c.actual)} against ${fmt(c.expected)}`)))));
    return h('div', {},
      h('form', {class: 'inline', id: 'period-form', onsubmit: (ev) => {
        ev.preventDefault();
        const p = ev.target.period.value.trim();
        location.hash = '#/tree' + (p ? '?period=' + encodeURIComponent(p) : '');
      }}, h('label', {}, 'Progress over period ', h('input', {name: 'period', value: period, placeholder: '2026-Q1 (blank: the year)'})),
        h('button', {type: 'submit'}, 'Show')),
      table(['goal', 'level', 'owner', 'actual', 'against floor / base / stretch', 'band', 'failed checks'], rows,
            {class: 'tree', id: 'tree-table'}));
  },
  async forms() {
    const goals = await goalsList();
    return makeForm({id: 'create-goal', title: 'Create a goal', submit: 'Create goal', fields: [
      {name: 'goalId', label: 'id', words: ['goal_id', 'identifier', 'already exists']},
      {name: 'statement', label: 'statement (a result)', words: ['statement']},
      {name: 'parentId', label: 'supports', type: 'select', options: goalOptions(goals, '(none: company goal)'), words: ['parent']},
      {name: 'level', label: 'level', type: 'select', options: LEVELS, value: 'team', words: ['level']},
      {name: 'owner', label: 'owner', words: ['owner']},
      {name: 'why', label: 'why', words: ['why']},
    ], send: v => Api.post('/api/edit', {payload: {goalCreated: {
      goalId: v.goalId, statement: v.statement, parentId: v.parentId, owner: v.owner, why: v.why,
      level: 'GOAL_LEVEL_' + v.level.toUpperCase().replace('-', '_')}}})});
  },
});

function detailsTable(g) {
  const d = g.details;
  const rows = [
    ['statement', g.statement], ['why', g.why], ['owner', g.owner], ['level', g.level], ['supports', g.parent || '-'],
    ['kind', d.kind], ['metric', [d.metric.name, d.metric.unit && `(${d.metric.unit})`].filter(Boolean).join(' ')],
    ['definition', d.metric.definition], ['baseline', fmt(d.baseline)], ['reference', d.reference],
    ['direction', d.direction || 'increase'], ['aggregation', d.aggregation || 'cumulative'], ['certainty', d.certainty],
    ['dates', `${d.start || '?'} .. ${d.due || '?'}`], ['roll-up', [d.rollup, d.rollupReason].filter(Boolean).join(': ')],
    ['weight', fmt(d.weight)],
  ];
  return table(['field', 'value'], rows.map(([k, v]) => h('tr', {'data-field': k}, h('th', {}, k), h('td', {}, v || '-'))),
               {class: 'details'});
}

function targetsText(t) {
  return ['floor', 'base', 'stretch'].filter(k => t[k] !== undefined).map(k => `${k} ${fmt(t[k])}`).join(', ') || '-';
}

function blameTable(blame) {
  return table(['field', 'value', 'who', 'made', 'accepted', 'seq', 'why / approved by'], blame.map(b => {
    const cr = b.changeRequest;
    return h('tr', {class: 'blame-row', 'data-field': b.field},
      h('td', {}, b.field), h('td', {class: 'value'}, b.value), h('td', {class: 'who'}, b.change.by),
      h('td', {}, b.change.made), h('td', {}, b.change.accepted), h('td', {}, String(b.change.seq)),
      h('td', {class: 'why'}, cr ? h('div', {class: 'cr'},
        h('div', {}, `change request ${cr.id}, opened by `, h('b', {}, cr.opened.by), `: ${cr.reason}`),
        cr.evidence.length ? h('div', {class: 'evidence'}, 'evidence: ' + cr.evidence.join('; ')) : null,
        cr.decided ? h('div', {class: 'approved-by'}, `${cr.status} by `, h('b', {}, cr.decided.by),
                       ` at ${cr.decided.accepted}`, cr.decisionNote ? ` (${cr.decisionNote})` : '') : null) : ''));
  }), {class: 'blame', id: 'blame-table'});
}

Pages.goal = (r) => ({
  title: 'Goal ' + r.arg,
  async view() {
    const g = await Api.get('/api/goal?id=' + encodeURIComponent(r.arg));
    const p = g.progress;
    return h('div', {class: 'goal-page', 'data-goal': g.id},
      h('h2', {}, g.id, ' ', bandBadge(p.band), g.archived ? h('span', {class: 'archived'}, ' archived') : null),
      h('p', {class: 'statement'}, g.statement),
      h('div', {class: 'summary'}, `actual ${fmt(p.actual)} ${pct(p.fraction)} `, progressBar(p),
        ` targets: ${targetsText(g.targets)}`,
        JSON.stringify(g.originalTargets) !== JSON.stringify(g.targets) ? h('span', {class: 'original'}, ` (first set: ${targetsText(g.originalTargets)})`) : null),
      g.failedChecks.length ? h('div', {class: 'failed-checks'}, g.failedChecks.map(c =>
        h('div', {class: 'failed-check'}, `✗ ${c.what}: ${fmt(c.actual)} against ${fmt(c.expected)}`))) : null,
      h('section', {}, h('h3', {}, 'SMART+'), detailsTable(g)),
      h('section', {}, h('h3', {}, 'Targets by period: plan against actual'),
        table(['period', 'plan', 'actual', 'variance', 'first planned'], g.periods.map(v =>
          h('tr', {class: 'period-row', 'data-period': v.period}, h('td', {}, v.period), h('td', {class: 'plan'}, fmt(v.plan)),
            h('td', {class: 'actual'}, fmt(v.actual)), h('td', {class: v.variance < 0 ? 'neg' : 'pos'}, fmt(v.variance)),
            h('td', {}, v.original !== undefined ? fmt(v.original) : ''))), {class: 'periods'})),
      h('section', {}, h('h3', {}, 'Check-ins'),
        table(['value', 'period', 'confidence', 'note', 'by', 'made', 'sync'], g.checkIns.map(c =>
          h('tr', {class: 'checkin', 'data-status': c.status, 'data-event': c.eventId},
            h('td', {}, fmt(c.value)), h('td', {}, c.period || '-'), h('td', {}, pct(c.confidence)), h('td', {}, c.note),
            h('td', {}, c.by), h('td', {}, c.made),
            h('td', {}, h('span', {class: 'sync-badge ' + c.status}, c.status === 'pending' ? 'pending' : `synced, seq ${c.seq}`)))),
          {class: 'checkins', id: 'checkins'})),
      h('section', {}, h('h3', {}, 'Tasks'),
        table(['task', 'title', 'dates', 'status', 'owners', 'after', 'deliverable / acceptance'], g.tasks.map(t =>
          h('tr', {'data-task': t.id}, h('td', {}, t.id), h('td', {}, t.title), h('td', {}, `${t.start || '?'} .. ${t.due || '?'}`),
            h('td', {}, t.status), h('td', {}, t.owners.join(', ')), h('td', {}, t.dependsOn.map(d => d.task).join(', ')),
            h('td', {}, [t.deliverable, t.acceptance].filter(Boolean).join(' / ')))))),
      h('section', {}, h('h3', {}, 'RACI'),
        h('ul', {class: 'raci-list'}, g.raci.map(e => h('li', {}, `${e.person}: ${e.role}`)),
          g.tasks.flatMap(t => t.raci.map(e => h('li', {}, `${t.id}: ${e.person}: ${e.role}`))))),
      h('section', {}, h('h3', {}, 'Allocations'),
        h('ul', {}, g.resources.people.map(a => h('li', {}, `${a.person} ${fmt(a.fte)} FTE in ${a.period}${a.task ? ' on ' + a.task : ''}${a.skills ? ' (' + a.skills + ')' : ''}`)),
          g.resources.budgets.map(b => h('li', {}, `${fmt(b.amount)} ${b.currency} ${b.category}${b.task ? ' on ' + b.task : ''}`)),
          g.resources.timeBlocks.map(t => h('li', {}, `${t.person}: weekday ${t.weekday} ${t.start}-${t.end} ${t.purpose}`)))),
      g.children.length ? h('section', {}, h('h3', {}, 'Supported by'),
        h('ul', {}, g.children.map(c => h('li', {}, goalLink(c.id), ' ', c.statement)))) : null,
      g.changeRequests.length ? h('section', {}, h('h3', {}, 'Change requests'), crTable(g.changeRequests, false)) : null,
      h('section', {}, h('h3', {}, 'Blame: who set each field, when, why, approved by whom'), blameTable(g.blame)),
      h('section', {}, h('h3', {}, 'History'), historyTable(g.history)));
  },
  async forms() {
    const goal = r.arg;
    const g = await Api.get('/api/goal?id=' + encodeURIComponent(goal));
    return h('div', {class: 'forms'},
      makeForm({id: 'checkin-form', title: 'Check in', submit: 'Check in', fields: [
        {name: 'value', label: 'value', type: 'number', words: ['value']},
        {name: 'period', label: 'period', placeholder: '2026-Q2, 2026-04, 2026-W15', words: ['period']},
        {name: 'confidence', label: 'confidence (0-1)', type: 'number', words: ['confidence']},
        {name: 'note', label: 'note', words: ['note']},
      ], send: v => Api.post('/api/edit', {payload: {checkInRecorded: {goalId: goal, value: number(v.value),
        period: v.period, confidence: number(v.confidence), note: v.note}}})}),
      makeForm({id: 'targets-form', title: 'Set targets', submit: 'Set targets', fields: [
        {name: 'floor', label: 'floor', type: 'number', words: ['floor']},
        {name: 'base', label: 'base', type: 'number', words: ['base']},
        {name: 'stretch', label: 'stretch', type: 'number', words: ['stretch']},
        {name: 'periods', label: 'period targets', placeholder: '2026-Q4=12, 2026-Q3=17', words: ['period']},
        {name: 'reason', label: 'reason (a change becomes a change request)', words: ['reason']},
        {name: 'evidence', label: 'evidence (one a line)', type: 'textarea', words: ['evidence']},
        {name: 'direct', label: 'set directly (managers)', type: 'checkbox'},
      ], send: v => Api.post('/api/targets', {goal, floor: number(v.floor), base: number(v.base),
        stretch: number(v.stretch), periods: periodTargets(v.periods), reason: v.reason,
        evidence: lines(v.evidence), direct: v.direct})}),
      raciForm('raci-form', [[goal, goal]], g.tasks));
  },
});

function raciForm(id, goalChoices, tasks) {
  return makeForm({id, title: 'Assign RACI', submit: 'Assign', fields: [
    {name: 'goalId', label: 'goal', type: 'select', options: goalChoices},
    {name: 'taskId', label: 'task', type: tasks ? 'select' : 'text',
     options: tasks ? [['', '(the goal itself)']].concat(tasks.map(t => [t.id, t.id])) : null,
     placeholder: '(blank: the goal itself)', words: ['task']},
    {name: 'role', label: 'role', type: 'select', options: ROLES, words: ROLE_WORDS},
    {name: 'person', label: 'person', words: ['person']},
  ], send: v => Api.post('/api/edit', {payload: {raciAssigned: {goalId: v.goalId, taskId: v.taskId,
    person: v.person, role: v.role}}})});
}

function historyTable(events) {
  return table(['seq', 'what', 'by', 'made', 'accepted', 'detail'], events.map(e =>
    h('tr', {class: 'event ' + e.status, 'data-seq': e.seq},
      h('td', {}, e.status === 'pending' ? 'pending' : String(e.seq)), h('td', {}, e.type), h('td', {}, e.by),
      h('td', {}, e.made), h('td', {}, e.accepted), h('td', {class: 'payload'}, JSON.stringify(Object.values(e.payload)[0] || {})))),
    {class: 'history'});
}

Pages.gantt = (r) => ({
  title: 'Gantt',
  async view() {
    const today = r.query.get('today') || '';
    const data = await Api.get('/api/gantt' + (today ? '?today=' + encodeURIComponent(today) : ''));
    const picker = h('form', {class: 'inline', onsubmit: (ev) => {
      ev.preventDefault();
      const t = ev.target.today.value;
      location.hash = '#/gantt' + (t ? '?today=' + t : '');
    }}, h('label', {}, 'Judge lateness as of ', h('input', {type: 'date', name: 'today', value: data.today})),
      h('button', {type: 'submit'}, 'Show'));
    if (!data.bars.length) return h('div', {}, picker, h('p', {}, 'No tasks with due dates yet.'));
    return h('div', {}, picker, h('div', {class: 'chart-scroll'}, ganttChart(data)),
      h('p', {class: 'legend'}, h('span', {class: 'key done'}, 'done'), h('span', {class: 'key doing'}, 'doing'),
        h('span', {class: 'key todo'}, 'todo'), h('span', {class: 'key late'}, 'late'), h('span', {class: 'key ahead'}, 'ahead'),
        ' arrows: finish-to-start dependencies; dashed line: today'));
  },
});

async function moveTask(card, goal, task, status) {
  const result = await Api.post('/api/edit', {payload: {taskStatusSet: {goalId: goal, taskId: task,
    status: 'TASK_STATUS_' + status.toUpperCase()}}});
  if (!result.ok) {
    card.querySelector('.field-error').textContent = result.body.error;
    return;
  }
  // The card moves to its column now, not when the list loses the focus.
  card.querySelector('select.move').blur();
  refresh();
}

Pages.kanban = () => ({
  title: 'Kanban',
  async view() {
    const data = await Api.get('/api/kanban');
    const columns = STATUSES.map(s => {
      const col = h('div', {class: 'column', 'data-status': s},
        h('h3', {}, `${s} (${data.columns[s].length})`),
        data.columns[s].map(c => {
          const card = h('div', {class: 'card', draggable: 'true', 'data-key': `${c.goal}/${c.task}`},
            h('div', {class: 'card-title'}, c.title), h('div', {class: 'card-meta'}, `${c.goal}/${c.task}`, c.due ? ` due ${c.due}` : ''),
            h('div', {class: 'card-meta'}, c.owners.join(', ')),
            h('select', {class: 'move', 'aria-label': 'move to', onchange: (ev) => moveTask(card, c.goal, c.task, ev.target.value)},
              STATUSES.map(x => h('option', {value: x, selected: x === s}, x))),
            h('span', {class: 'field-error', role: 'alert'}));
          card.addEventListener('dragstart', (ev) => ev.dataTransfer.setData('text/plain', JSON.stringify(c)));
          return card;
        }));
      col.addEventListener('dragover', (ev) => ev.preventDefault());
      col.addEventListener('drop', (ev) => {
        ev.preventDefault();
        const c = JSON.parse(ev.dataTransfer.getData('text/plain'));
        const card = document.querySelector(`.card[data-key="${CSS.escape(c.goal + '/' + c.task)}"]`);
        moveTask(card, c.goal, c.task, s);
      });
      return col;
    });
    return h('div', {class: 'kanban'}, columns);
  },
});

Pages.raci = () => ({
  title: 'RACI',
  async view() {
    const data = await Api.get('/api/raci');
    return table(['', ...data.people, 'check'], data.rows.map(r =>
      h('tr', {class: 'raci-row' + (r.flag ? ' flagged' : ''), 'data-item': r.task ? `${r.goal}/${r.task}` : r.goal},
        h('th', {}, r.task ? h('span', {class: 'task-item'}, `${r.goal}/${r.task}`) : goalLink(r.goal)),
        data.people.map(p => h('td', {class: 'role'}, r.roles[p] || '·')),
        h('td', {class: 'flag'}, r.flag ? '⚠ ' + r.flag : ''))), {class: 'raci', id: 'raci-table'});
  },
  async forms() {
    const goals = await goalsList();
    return raciForm('raci-form', goalOptions(goals), null);
  },
});

Pages.dashboard = (r) => ({
  title: 'Dashboard',
  async view() {
    const data = await Api.get('/api/dashboard?goal=' + encodeURIComponent(r.arg || ''));
    const top = data.progress[0];
    return h('div', {class: 'dashboard'},
      h('form', {class: 'inline', onsubmit: (ev) => ev.preventDefault()},
        h('label', {}, 'Goal ', h('select', {onchange: (ev) => { location.hash = '#/dashboard/' + encodeURIComponent(ev.target.value); }},
          data.goals.map(g => h('option', {value: g.id, selected: g.id === data.goal}, g.id))))),
      h('h2', {}, data.goal, ' ', bandBadge(top.band)), h('p', {}, data.statement),
      h('div', {class: 'tiles'},
        h('div', {class: 'tile'}, h('div', {class: 'big'}, fmt(top.actual)), `actual ${pct(top.fraction)}`),
        h('div', {class: 'tile'}, h('div', {class: 'big', id: 'completion'}, pct(data.completionRate)),
          `tasks done: ${data.tasksDone} of ${data.tasksDue} due by ${data.today}`),
        h('div', {class: 'tile'}, h('div', {class: 'big'}, String(data.checks.filter(c => !c.ok).length)), 'failed checks')),
      data.periods.length ? burnUpChart(data.periods, 'Burn-up: ' + data.goal) : h('p', {}, 'No period targets: no burn-up.'),
      table(['period', 'plan', 'actual', 'variance'], data.periods.map(v => h('tr', {},
        h('td', {}, v.period), h('td', {}, fmt(v.plan)), h('td', {}, fmt(v.actual)), h('td', {class: v.variance < 0 ? 'neg' : 'pos'}, fmt(v.variance))))),
      h('h3', {}, 'The subtree'),
      table(['goal', 'actual', 'band', 'source'], data.progress.map(p => h('tr', {'data-goal': p.goal},
        h('td', {}, goalLink(p.goal)), h('td', {}, `${fmt(p.actual)} ${pct(p.fraction)}`), h('td', {}, bandBadge(p.band)), h('td', {}, p.source)))),
      h('h3', {}, 'At risk'),
      data.atRisk.length ? h('ul', {id: 'at-risk'}, data.atRisk.map(a => h('li', {class: 'failed-check', 'data-goal': a.goal},
        `${a.goal} (${a.band}${a.confidence !== undefined ? ', confidence ' + pct(a.confidence) : ''}, owner ${a.owner || '-'})`)))
        : h('p', {}, 'none'),
      h('h3', {}, 'Breakdown checks'),
      h('ul', {}, data.checks.map(c => h('li', {class: c.ok ? 'ok' : 'failed-check'}, `${c.ok ? '✓' : '✗'} ${c.goal}: ${c.what}: ${fmt(c.actual)} against ${fmt(c.expected)}`))),
      data.overallocations.length ? h('div', {}, h('h3', {}, 'Over-allocated'),
        h('ul', {}, data.overallocations.map(o => h('li', {class: 'failed-check'}, `${o.person} in ${o.period}: ${fmt(o.fte)} FTE`)))) : null);
  },
});

Pages.reviews = () => ({
  title: 'Reviews',
  async view() {
    const data = await Api.get('/api/reviews');
    return table(['period', 'kind', 'goal', 'completion', 'progress', 'deviation', 'decision', 'change requests', 'notes', 'by'],
      data.reviews.map(v => h('tr', {class: 'review', 'data-review': v.id},
        h('td', {}, v.period), h('td', {}, v.kind), h('td', {}, goalLink(v.goal)),
        h('td', {}, `${pct(v.completionRate)} (${v.tasksDone}/${v.tasksDue})`),
        h('td', {}, v.band ? [fmt(v.actual), ' ', bandBadge(v.band)] : '-'),
        h('td', {}, [v.deviationCause, v.deviation].filter(Boolean).join(': ')), h('td', {}, v.decision),
        h('td', {}, v.changeRequests.join(', ')), h('td', {}, v.notes), h('td', {}, v.recorded.by))), {class: 'reviews'});
  },
  async forms() {
    const goals = await goalsList();
    return makeForm({id: 'review-form', title: 'Record a review', submit: 'Record review', fields: [
      {name: 'goalId', label: 'goal', type: 'select', options: goalOptions(goals)},
      {name: 'kind', label: 'kind', type: 'select', options: [['weekly', 'weekly'], ['monthly', 'monthly'], ['quarterly', 'quarterly']], words: ['kind']},
      {name: 'period', label: 'period', placeholder: '2026-Q2', words: ['period']},
      {name: 'cause', label: 'deviation cause', type: 'select', options: [['', '(none)'], ['execution', 'execution'],
        ['unreasonable-target', 'unreasonable target'], ['resources', 'resources'], ['external', 'external']], words: ['cause']},
      {name: 'deviation', label: 'deviation', words: ['deviation']},
      {name: 'decision', label: 'decision', type: 'select', options: [['', '(choose)'], ['keep', 'keep'], ['adjust', 'adjust'], ['escalate', 'escalate']], words: ['decision']},
      {name: 'crs', label: 'change requests (ids, comma-separated)', words: ['change request']},
      {name: 'notes', label: 'notes', words: ['notes']},
    ], send: v => Api.post('/api/edit', {payload: {reviewRecorded: {goalId: v.goalId,
      kind: 'REVIEW_KIND_' + v.kind.toUpperCase(), period: v.period,
      deviationCause: v.cause ? 'DEVIATION_CAUSE_' + v.cause.toUpperCase().replace('-', '_') : undefined,
      deviationNote: v.deviation, decision: v.decision ? 'REVIEW_DECISION_' + v.decision.toUpperCase() : undefined,
      changeRequestIds: v.crs.split(',').map(s => s.trim()).filter(Boolean), notes: v.notes}}})});
  },
});

function proposed(cr) {
  return [targetsText(cr.targets) === '-' ? '' : targetsText(cr.targets),
          ...Object.entries(cr.periods).map(([p, v]) => `${p} ${fmt(v)}`)].filter(Boolean).join(', ');
}

function decideControls(cr) {
  const note = h('input', {name: 'note', placeholder: 'note / reason', 'aria-label': 'note'});
  const error = h('span', {class: 'field-error', role: 'alert'});
  const decide = async (approve) => {
    error.textContent = '';
    const body = approve ? {changeRequestApproved: {changeRequestId: cr.id, note: note.value}}
                         : {changeRequestRejected: {changeRequestId: cr.id, reason: note.value}};
    const result = await Api.post('/api/edit', {payload: body});
    if (!result.ok) error.textContent = result.body.error;
  };
  return h('div', {class: 'decide'}, note,
    h('button', {type: 'button', class: 'approve', onclick: () => decide(true)}, 'Approve'),
    h('button', {type: 'button', class: 'reject', onclick: () => decide(false)}, 'Reject'), error);
}

function crTable(crs, controls) {
  return table(['id', 'goal', 'status', 'proposed', 'replaced', 'reason', 'evidence', 'opened by', 'decided by', ''],
    crs.map(cr => h('tr', {class: 'cr-row', 'data-cr': cr.id, 'data-status': cr.status},
      h('td', {}, cr.id), h('td', {}, goalLink(cr.goal)), h('td', {class: 'cr-status'}, cr.status),
      h('td', {}, proposed(cr)), h('td', {}, cr.decided && cr.periodsBefore ? proposed({targets: cr.targetsBefore, periods: cr.periodsBefore}) : ''),
      h('td', {}, cr.reason), h('td', {}, cr.evidence.join('; ')), h('td', {}, cr.opened.by),
      h('td', {class: 'decided-by'}, cr.decided ? `${cr.decided.by}${cr.decisionNote ? ': ' + cr.decisionNote : ''}` : ''),
      h('td', {}, controls && cr.status === 'open' ? decideControls(cr) : ''))), {class: 'crs', id: 'cr-table'});
}

Pages.crs = () => ({
  title: 'Change requests',
  async view() {
    const data = await Api.get('/api/crs');
    return data.changeRequests.length ? crTable(data.changeRequests, true) : h('p', {}, 'No change requests.');
  },
  async forms() {
    const goals = await goalsList();
    return makeForm({id: 'cr-form', title: 'Open a change request', submit: 'Open change request', fields: [
      {name: 'goalId', label: 'goal', type: 'select', options: goalOptions(goals)},
      {name: 'periods', label: 'period targets', placeholder: '2026-Q4=12', words: ['period']},
      {name: 'floor', label: 'floor', type: 'number', words: ['floor']},
      {name: 'base', label: 'base', type: 'number', words: ['base']},
      {name: 'stretch', label: 'stretch', type: 'number', words: ['stretch']},
      {name: 'reason', label: 'reason', words: ['reason']},
      {name: 'evidence', label: 'evidence (one a line)', type: 'textarea', words: ['evidence']},
    ], send: v => {
      const targets = {floor: number(v.floor), base: number(v.base), stretch: number(v.stretch)};
      const periods = Object.entries(periodTargets(v.periods)).map(([period, target]) => ({period, target}));
      return Api.post('/api/edit', {payload: {changeRequestOpened: {goalId: v.goalId, targets,
        periodTargets: periods, reason: v.reason, evidence: lines(v.evidence)}}});
    }});
  },
});

function resolveControls(c) {
  const form = makeForm({id: 'resolve-' + c.id, submit: 'Resolve', fields: [
    {name: 'resolution', label: 'resolution', words: ['resolution']},
    {name: 'keep', label: 'keep the losing value', type: 'checkbox'},
  ], send: v => Api.post('/api/edit', {payload: {conflictResolved: {conflictId: c.id, resolution: v.resolution,
    keepLosingValue: v.keep}}})});
  form.classList.add('compact');
  return form;
}

Pages.conflicts = () => ({
  title: 'Conflicts',
  async view() {
    const data = await Api.get('/api/conflicts');
    if (!data.conflicts.length) return h('p', {}, 'No conflicts: no concurrent edit has lost.');
    return table(['id', 'kind', 'goal.field', 'kept', 'lost', 'resolution'], data.conflicts.map(c =>
      h('tr', {class: 'conflict' + (c.resolved ? ' resolved' : ''), 'data-conflict': c.id},
        h('td', {}, c.id), h('td', {}, c.kind), h('td', {}, `${c.goal}.${c.field}`),
        h('td', {}, `"${c.winningValue}" (${c.winner.by})`), h('td', {}, `"${c.losingValue}" (${c.loser.by})`),
        h('td', {}, c.resolved ? `${c.resolution} (${c.resolvedBy.by})` : resolveControls(c)))), {class: 'conflicts'});
  },
});

Pages.asof = (r) => ({
  title: 'As of',
  async view() {
    const at = r.arg || '';
    const all = r.query.get('all') === '1';
    const picker = h('form', {class: 'inline', id: 'asof-form', onsubmit: (ev) => {
      ev.preventDefault();
      location.hash = '#/asof/' + encodeURIComponent(ev.target.at.value.trim()) + (ev.target.all.checked ? '?all=1' : '');
    }}, h('label', {}, 'The plan as of seq or date ', h('input', {name: 'at', value: at, placeholder: '10 or 2026-03-31'})),
      h('label', {}, h('input', {type: 'checkbox', name: 'all', checked: all}), ' show unchanged fields'),
      h('button', {type: 'submit'}, 'Compare with today'));
    if (!at) return picker;
    const data = await Api.get('/api/asof?at=' + encodeURIComponent(at));
    const items = data.items.filter(i => all || i.status !== 'same');
    return h('div', {}, picker,
      h('p', {}, `As of seq ${data.seq} beside today (seq ${data.nowSeq}): ${data.items.filter(i => i.status !== 'same').length} of ${data.items.length} items differ.`),
      items.map(i => {
        const rows = table(['field', `as of seq ${data.seq}`, 'today'], i.fields.filter(f => all || f.changed).map(f =>
          h('tr', {class: 'diff-row' + (f.changed ? ' changed' : ''), 'data-field': f.field},
            h('td', {}, f.field), h('td', {class: 'then'}, f.then ?? '—'), h('td', {class: 'now'}, f.now ?? '—'))));
        // A whole item added or removed: every field differs; folded, so changes stand out.
        const whole = i.status === 'added' || i.status === 'removed';
        return h('section', {class: 'asof-item ' + i.status, 'data-item': i.id, 'data-kind': i.kind},
          h('h3', {}, `${i.kind} ${i.id} `, h('span', {class: 'diff-status'}, i.status)),
          whole && !all ? h('details', {}, h('summary', {}, `${i.fields.length} fields`), rows) : rows);
      }));
  },
});

// --- frame: navigation, status, refresh ------------------------------------------------

function statusBar(st) {
  const bar = document.getElementById('sync');
  bar.textContent = '';
  const pending = st.pending.length;
  bar.appendChild(h('span', {class: 'seq'}, `seq ${st.confirmedSeq}`));
  bar.appendChild(h('span', {class: 'pending-count' + (pending ? ' waiting' : ''), 'data-pending': pending},
    pending ? `${pending} edit${pending > 1 ? 's' : ''} waiting to sync` : 'all edits synced'));
  bar.appendChild(h('span', {class: st.live ? 'live' : 'offline'}, st.live ? 'live' : 'offline only'));
  const box = document.getElementById('rejected');
  box.textContent = '';
  for (const r of st.rejected) {
    box.appendChild(h('div', {class: 'rejected-edit', 'data-event': r.eventId},
      `The server refused ${r.type} on ${r.goal}: ${r.reason} `,
      h('button', {type: 'button', onclick: async () => { await Api.post('/api/dismiss', {eventId: r.eventId}); refresh(); }}, 'Dismiss')));
  }
  for (const s of st.stale) {
    box.appendChild(h('div', {class: 'rejected-edit stale'}, `A pending edit no longer applies: ${s.reason}`));
  }
}

function currentPage() {
  const r = route();
  const make = Pages[r.page] || Pages.tree;
  return {r, page: make(r), key: location.hash};
}

async function renderView(page) {
  const view = document.getElementById('view');
  try {
    const node = await page.view();
    view.textContent = '';
    view.appendChild(node);
    view.removeAttribute('data-error');
  } catch (e) {
    view.textContent = '';
    view.setAttribute('data-error', e.message);
    view.appendChild(h('p', {class: 'page-error', role: 'alert'}, e.message));
  }
}

async function render() {
  const {r, page, key} = currentPage();
  document.title = `goalsync: ${page.title}`;
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.getAttribute('data-page') === r.page);
  }
  if (App.formsRoute !== key) {
    App.formsRoute = key;
    const forms = document.getElementById('forms');
    forms.textContent = '';
    if (page.forms) {
      try {
        forms.appendChild(await page.forms());
      } catch (e) {
        forms.appendChild(h('p', {class: 'page-error'}, e.message));
      }
    }
  }
  await renderView(page);
}

// Refreshes the status and the data view (not the forms: what is being typed stays). While
// the user is in a field of the view, waits until they leave it.
async function refresh() {
  if (App.refreshing) {
    App.again = true;
    return;
  }
  App.refreshing = true;
  try {
    const st = await Api.get('/api/status');
    statusBar(st);
    const active = document.activeElement;
    if (active && document.getElementById('view').contains(active) && active.matches('input, textarea, select')) {
      active.addEventListener('blur', () => refresh(), {once: true});
    } else {
      await renderView(currentPage().page);
    }
    App.version = st.version;
    document.body.setAttribute('data-version', String(st.version));
  } catch (e) {
    document.getElementById('sync').textContent = 'goalctl ui does not answer: ' + e.message;
  } finally {
    App.refreshing = false;
    if (App.again) {
      App.again = false;
      refresh();
    }
  }
}

async function start() {
  App.session = await Api.get('/api/session');
  Api.csrf = App.session.csrf;
  document.getElementById('who').textContent =
    `${App.session.workspace} as ${App.session.actor}` + (App.session.server ? ` · ${App.session.server}` : '');
  window.addEventListener('hashchange', () => render());
  await render();
  await refresh();
  const events = new EventSource('/api/events');
  // Each message names the replica's version; the one already shown needs no refresh.
  events.addEventListener('plan', (ev) => {
    const version = JSON.parse(ev.data).version;
    if (version !== App.version) refresh();
  });
}

start();
