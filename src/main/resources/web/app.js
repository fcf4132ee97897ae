// The settings page: plain DOM, no framework. Every call goes to the admin API with the session
// cookie; state-changing calls send Content-Type: application/json (the server's CSRF rule).
'use strict';

const OBJECT_TYPES = ['CONTACT', 'LEAD'];
const DIRECTIONS = { INTERCOM_TO_SALESFORCE: 'Intercom → Salesforce', SALESFORCE_TO_INTERCOM: 'Salesforce → Intercom' };
const ACTIVE = ['STAGING', 'DIFFING', 'WRITING', 'WAITING_FOR_CAPACITY'];

const $ = (id) => document.getElementById(id);
const fmt = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US'));

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

async function api(method, path, body) {
  const options = { method, headers: { 'X-Requested-With': 'fetch', Accept: 'application/json' }, credentials: 'same-origin' };
  if (method !== 'GET') {
    options.headers['Content-Type'] = 'application/json';
    if (body !== undefined) options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  if (response.status === 401) {
    window.location.assign('/login');
    throw new Error('Authentication required');
  }
  let json = null;
  const text = await response.text();
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = { error: text }; }
  return { status: response.status, ok: response.ok, body: json };
}

function problemsOf(answer) {
  const b = answer.body || {};
  const list = Array.isArray(b.problems) && b.problems.length ? b.problems : [b.error || ('HTTP ' + answer.status)];
  return list;
}

/* ---------- confirmation modal (saving stops a running bulk sync) ---------- */

let modalResolve = null;
function runText(run) {
  if (!run) return 'A bulk sync is running.';
  return 'Bulk sync #' + run.id + ' is running (' + (run.phase || run.status) + ', ' + fmt(run.processed) + ' of '
    + fmt(run.total) + ' records, ' + (run.percent === null || run.percent === undefined ? '?' : run.percent.toFixed(1)) + ' %). ';
}
function confirmStop(run) {
  $('modal-text').textContent = runText(run) + 'Saving now stops it; you can start it again afterwards.';
  $('modal').hidden = false;
  $('modal-cancel').focus();
  return new Promise((resolve) => { modalResolve = resolve; });
}
function closeModal(answer) {
  $('modal').hidden = true;
  if (modalResolve) { const r = modalResolve; modalResolve = null; r(answer); }
}

async function activeRun() {
  const answer = await api('GET', '/api/bulk-sync/current');
  if (!answer.ok || !answer.body || !answer.body.run) return null;
  return ACTIVE.includes(answer.body.run.status) ? answer.body.run : null;
}

/* ---------- 1. mappings ---------- */

const mappingState = { saved: [], rows: [], schemas: null };
let validateTimer = null;

function schemaOptions(kind, objectType) {
  const s = mappingState.schemas;
  if (!s) return [];
  if (kind === 'intercom') {
    return s.intercom.map((a) => ({ value: a.name, label: a.name + ' (' + a.dataType + (a.apiWritable ? '' : ', read-only') + ')' }));
  }
  return (s.salesforce[objectType] || []).map((f) => ({
    value: f.name,
    label: f.name + ' (' + f.type + (f.length ? ' ' + f.length : '') + (f.updateable ? '' : ', read-only')
      + (f.picklistValues && f.picklistValues.length ? ': ' + f.picklistValues.slice(0, 5).join(', ') + (f.picklistValues.length > 5 ? '…' : '') : '') + ')',
  }));
}

function select(id, label, options, value, onchange) {
  const s = el('select', { id, 'aria-label': label, onchange });
  s.append(el('option', { value: '', text: '— choose —' }));
  let found = false;
  for (const o of options) {
    s.append(el('option', { value: o.value, text: o.label }));
    found = found || o.value === value;
  }
  if (value && !found) s.append(el('option', { value, text: value + ' (not in the schema)' }));
  s.value = value || '';
  return s;
}

function renderMappings() {
  const body = $('mapping-rows');
  body.replaceChildren();
  if (!mappingState.rows.length) {
    body.append(el('tr', {}, el('td', { colspan: 5, text: 'No mappings yet. Add one.' })));
  }
  mappingState.rows.forEach((row, i) => {
    const changed = () => { markDirty(); scheduleValidation(); };
    const tr = el('tr', { 'data-row': i, id: 'map-row-' + i });
    tr.append(
      el('td', { 'data-label': 'Object type' }, select('map-object-' + i, 'Object type of mapping ' + (i + 1),
        OBJECT_TYPES.map((t) => ({ value: t, label: t })), row.objectType, (e) => { row.objectType = e.target.value; renderMappings(); changed(); })),
      el('td', { 'data-label': 'Intercom attribute' }, select('map-intercom-' + i, 'Intercom attribute of mapping ' + (i + 1),
        schemaOptions('intercom'), row.intercomAttribute, (e) => { row.intercomAttribute = e.target.value; changed(); })),
      el('td', { 'data-label': 'Salesforce field' }, select('map-salesforce-' + i, 'Salesforce field of mapping ' + (i + 1),
        schemaOptions('salesforce', row.objectType), row.salesforceField, (e) => { row.salesforceField = e.target.value; changed(); })),
      el('td', { 'data-label': 'Direction' }, select('map-direction-' + i, 'Direction of mapping ' + (i + 1),
        Object.entries(DIRECTIONS).map(([v, l]) => ({ value: v, label: l })), row.direction, (e) => { row.direction = e.target.value; changed(); })),
      el('td', { class: 'row-actions' }, el('button', { type: 'button', id: 'map-remove-' + i, 'aria-label': 'Remove mapping ' + (i + 1), text: 'Remove',
        onclick: () => { mappingState.rows.splice(i, 1); renderMappings(); changed(); } })),
    );
    body.append(tr, el('tr', { class: 'row-problem', id: 'map-problem-' + i, hidden: true }, el('td', { colspan: 5 })));
  });
  markProblems();
}

/** Shows each row's own problems under it, in place (re-rendering would take the focus away). */
function markProblems() {
  mappingState.rows.forEach((row, i) => {
    const tr = $('map-row-' + i);
    const problem = $('map-problem-' + i);
    if (!tr || !problem) return;
    tr.classList.toggle('has-problem', !!row.problem);
    problem.firstChild.textContent = row.problem || '';
    problem.hidden = !row.problem;
  });
}

function markDirty() {
  $('mapping-status').textContent = 'Unsaved changes.';
}

/** A mapping as the API's problems name it (AttributeMapping.describe). */
function describe(m) {
  const type = m.objectType.toLowerCase();
  return m.direction === 'INTERCOM_TO_SALESFORCE'
    ? type + ': Intercom ' + m.intercomAttribute + ' → Salesforce ' + m.salesforceField
    : type + ': Salesforce ' + m.salesforceField + ' → Intercom ' + m.intercomAttribute;
}

function complete(m) {
  return m.objectType && m.intercomAttribute && m.salesforceField && m.direction;
}

function showProblems(problems) {
  const box = $('mapping-problems');
  // each problem under its row when it names one (the API says "<mapping>: <problem>"), all of them in the list
  for (const row of mappingState.rows) {
    const prefix = complete(row) ? describe(row) + ': ' : null;
    const own = prefix ? problems.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length)) : [];
    row.problem = own.length ? own.join(' ') : null;
  }
  markProblems();
  box.replaceChildren();
  if (!problems.length) { box.hidden = true; return; }
  box.append(el('p', { text: 'The mappings are not valid:' }), el('ul', {}, ...problems.map((p) => el('li', { text: p }))));
  box.hidden = false;
}

function scheduleValidation() {
  clearTimeout(validateTimer);
  validateTimer = setTimeout(validateMappings, 300);
}

async function validateMappings() {
  const rows = mappingState.rows.filter(complete);
  if (rows.length !== mappingState.rows.length) {
    showProblems([]);
    return false;
  }
  const answer = await api('POST', '/api/mappings/validate', rows.map(strip));
  // 409: a server that guards every /api/mappings call during a bulk run; saving validates again anyway
  if (answer.ok || answer.status === 409) { showProblems([]); return true; }
  showProblems(problemsOf(answer));
  return false;
}

function strip(m) {
  return { objectType: m.objectType, intercomAttribute: m.intercomAttribute, salesforceField: m.salesforceField, direction: m.direction };
}

async function loadMappings() {
  const [mappings, schemas] = await Promise.all([api('GET', '/api/mappings'), api('GET', '/api/schemas')]);
  if (schemas.ok) mappingState.schemas = schemas.body;
  else $('mapping-status').textContent = (schemas.body && schemas.body.error) || 'The live schemas could not be read.';
  mappingState.saved = (mappings.body && mappings.body.mappings) || [];
  mappingState.rows = mappingState.saved.map((m) => ({ ...m }));
  renderMappings();
  showProblems([]);
}

async function saveMappings() {
  const status = $('mapping-status');
  if (mappingState.rows.some((r) => !complete(r))) {
    status.textContent = 'Choose an object type, both attributes and a direction in every row.';
    return;
  }
  status.textContent = 'Checking…';
  if (!(await validateMappings())) { status.textContent = 'Not saved: fix the problems shown.'; return; }
  const byId = new Map(mappingState.saved.map((m) => [m.id, m]));
  const keep = new Set(mappingState.rows.filter((r) => r.id !== undefined && r.id !== null).map((r) => r.id));
  const changes = [];
  for (const m of mappingState.saved) if (!keep.has(m.id)) changes.push({ method: 'DELETE', path: '/api/mappings/' + m.id });
  for (const r of mappingState.rows) {
    if (r.id !== undefined && r.id !== null) {
      const before = byId.get(r.id);
      if (JSON.stringify(strip(before)) !== JSON.stringify(strip(r))) changes.push({ method: 'PUT', path: '/api/mappings/' + r.id, body: strip(r) });
    } else {
      changes.push({ method: 'POST', path: '/api/mappings', body: strip(r) });
    }
  }
  if (!changes.length) { status.textContent = 'Nothing to save.'; return; }
  let confirm = false;
  const run = await activeRun();
  if (run) {
    if (!(await confirmStop(run))) { status.textContent = 'Not saved; the bulk sync goes on.'; return; }
    confirm = true;
  }
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i];
    let answer = await api(c.method, c.path + (confirm ? '?confirm=true' : ''), c.body);
    if (answer.status === 409 && answer.body && answer.body.requiresConfirmation) {
      if (!(await confirmStop(answer.body.run))) { status.textContent = 'Not saved; the bulk sync goes on.'; return; }
      confirm = true;
      answer = await api(c.method, c.path + '?confirm=true', c.body);
    }
    if (!answer.ok) {
      showProblems(problemsOf(answer));
      status.textContent = 'Saving stopped at a refused change; the rows above show what is stored now.';
      await loadMappings();
      showProblems(problemsOf(answer));
      return;
    }
  }
  await loadMappings();
  status.textContent = 'Saved.' + (confirm ? ' The bulk sync was stopped.' : '');
  refreshBulk();
}

/* ---------- 2. API usage ---------- */

let thresholds = { lowerThresholdPercent: 40, upperThresholdPercent: 80, allocation: null };

function setWidth(id, part, whole) {
  const pct = whole > 0 ? Math.max(0, Math.min(100, (100 * part) / whole)) : 0;
  $(id).style.width = pct + '%';
  $(id).style.minWidth = part > 0 ? '3px' : '0'; // a few calls out of 100,000 still show
  $(id).dataset.value = String(part);
}

async function refreshUsage() {
  const answer = await api('GET', '/api/salesforce-usage');
  if (!answer.ok) return;
  const u = answer.body;
  const limit = u.limit || 0;
  const own = u.ownUsed || 0;
  const others = u.othersUsed || 0;
  const remaining = u.remaining === null || u.remaining === undefined ? Math.max(0, limit - own - others) : u.remaining;
  setWidth('usage-seg-own', own, limit);
  setWidth('usage-seg-others', others, limit);
  setWidth('usage-seg-remaining', remaining, limit);
  const pct = (n) => (limit ? ' (' + ((100 * n) / limit).toFixed(1) + ' %)' : '');
  $('usage-own').textContent = fmt(own) + pct(own);
  $('usage-others').textContent = fmt(others) + pct(others);
  $('usage-remaining').textContent = fmt(remaining) + pct(remaining);
  $('usage-limit').textContent = u.limit === null ? 'not reported yet' : fmt(u.limit);
  $('usage-allocation').textContent = u.allocation === null || u.allocation === undefined ? 'no limit' : fmt(u.allocation);
  $('usage-bar').setAttribute('aria-label', 'Salesforce API requests in 24 hours: ' + fmt(own) + ' by this service, '
    + fmt(others) + ' by others, ' + fmt(remaining) + ' remaining of ' + fmt(u.limit));
  $('usage-tier').textContent = u.tier;
  $('usage-allows').textContent = u.allows && u.allows.length ? 'allows ' + u.allows.join(', ') : '';
  $('usage-observed').textContent = u.observedAt ? '· as of ' + new Date(u.observedAt).toLocaleTimeString() : '';
  for (const tr of document.querySelectorAll('#tier-table tbody tr')) tr.classList.toggle('current', tr.dataset.tier === u.tier);
  // shown only when Salesforce's /limits reports the allocation
  const delivery = u.eventDelivery;
  $('event-delivery').hidden = !delivery;
  if (delivery) {
    $('event-delivery-used').textContent = fmt(delivery.used) + (delivery.max ? ' (' + ((100 * delivery.used) / delivery.max).toFixed(1) + ' %)' : '');
    $('event-delivery-max').textContent = fmt(delivery.max);
    $('event-delivery-remaining').textContent = fmt(delivery.remaining);
  }
}

function showThresholds() {
  const lo = thresholds.lowerThresholdPercent;
  const hi = thresholds.upperThresholdPercent;
  $('tier-all-range').textContent = '0–' + lo + ' %';
  $('tier-nobulk-range').textContent = lo + '–' + hi + ' %';
  $('tier-inbox-range').textContent = hi + '–100 %';
}

async function loadSettings() {
  const answer = await api('GET', '/api/settings');
  if (answer.ok && answer.body) thresholds = answer.body;
  if (answer.ok && answer.body) showAlerts(answer.body.alerts);
  $('setting-allocation').value = thresholds.allocation === null || thresholds.allocation === undefined ? '' : thresholds.allocation;
  $('setting-lower').value = thresholds.lowerThresholdPercent;
  $('setting-upper').value = thresholds.upperThresholdPercent;
  $('settings-status').textContent = answer.ok ? '' : (answer.body && answer.body.error) || 'The settings could not be read.';
  showThresholds();
}

async function saveSettings(event) {
  event.preventDefault();
  const number = (id) => ($(id).value.trim() === '' ? null : Number($(id).value));
  const body = { lowerThresholdPercent: number('setting-lower'), upperThresholdPercent: number('setting-upper'), allocation: number('setting-allocation') };
  const status = $('settings-status');
  let answer = await api('PUT', '/api/settings', body);
  if (answer.status === 409 && answer.body && answer.body.requiresConfirmation) {
    if (!(await confirmStop(answer.body.run))) { status.textContent = 'Not saved; the bulk sync goes on.'; return; }
    answer = await api('PUT', '/api/settings?confirm=true', body);
  }
  if (answer.ok) {
    thresholds = answer.body || body;
    showThresholds();
    status.textContent = 'Saved.';
    refreshUsage();
  } else {
    status.textContent = problemsOf(answer).join(' ');
  }
}

/* ---------- alerts ---------- */

const ALERT_NUMBERS = { 'alert-errors': 'syncErrorsPerHour', 'alert-lag': 'eventSyncLagSeconds', 'alert-breaker': 'circuitOpenSeconds', 'alert-quiet': 'quietPeriodMinutes' };

function showAlerts(alerts) {
  if (!alerts) return;
  $('alert-enabled').checked = alerts.enabled;
  $('alert-recipients').value = (alerts.recipients || []).join(', ');
  $('alert-webhook').value = alerts.webhookUrl || '';
  for (const [id, key] of Object.entries(ALERT_NUMBERS)) $(id).value = alerts[key];
}

async function saveAlerts(event) {
  event.preventDefault();
  const alerts = {
    enabled: $('alert-enabled').checked,
    recipients: $('alert-recipients').value.split(/[,;\s]+/).map((s) => s.trim()).filter((s) => s !== ''),
    webhookUrl: $('alert-webhook').value.trim() === '' ? null : $('alert-webhook').value.trim(),
  };
  // sent as typed: the API names what is not a whole number
  for (const [id, key] of Object.entries(ALERT_NUMBERS)) {
    const v = $(id).value.trim();
    alerts[key] = v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v;
  }
  const answer = await api('PUT', '/api/settings', { alerts });
  const problems = $('alerts-problems');
  if (answer.ok) {
    showAlerts(answer.body && answer.body.alerts);
    problems.hidden = true;
    $('alerts-status').textContent = 'Saved.';
  } else {
    problems.replaceChildren(el('ul', {}, ...problemsOf(answer).map((p) => el('li', { text: p }))));
    problems.hidden = false;
    $('alerts-status').textContent = 'Not saved: fix the problems shown.';
  }
}

/* ---------- 3. bulk sync ---------- */

function duration(seconds) {
  if (seconds === null || seconds === undefined) return '?';
  const s = Math.round(seconds);
  return s >= 3600 ? Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min'
    : s >= 60 ? Math.floor(s / 60) + ' min ' + (s % 60) + ' s' : s + ' s';
}

/** What the run's current phase has done of what it has to do (see the API's run.progress). */
function phaseCounts(run) {
  const p = run.progress || {};
  const of = (done, toDo) => fmt(done) + ' of ' + (toDo === null || toDo === undefined ? '?' : fmt(toDo));
  if (run.phase === 'STAGING') {
    return 'read ' + of(p.salesforceStaged, p.salesforceToStage) + ' Salesforce records and '
      + of(p.intercomStaged, p.intercomToStage) + ' Intercom contacts';
  }
  if (run.phase === 'DIFFING') {
    return p.pairsToDiff === null || p.pairsToDiff === undefined
      ? 'matching records (step ' + p.matchingSteps + ' of ' + p.matchingStepsTotal + ')'
      : 'compared ' + of(p.pairsDiffed, p.pairsToDiff) + ' pairs';
  }
  return 'written ' + of(p.writesDone, p.writesToDo) + ' record updates';
}

function showRun(run) {
  const fill = $('bulk-progress-fill');
  // the API's percent as it is: the bar, its value and the text show the number every replica answers
  const percent = run && typeof run.percent === 'number' ? run.percent : 0;
  fill.style.width = percent + '%';
  $('bulk-progress').setAttribute('aria-valuenow', String(percent));
  $('bulk-progress').dataset.status = run ? run.status : '';
  if (!run) { $('bulk-status').textContent = 'No bulk sync has run yet.'; return; }
  const active = ACTIVE.includes(run.status);
  const parts = [(run.kind === 'PREVIEW' ? 'Preview #' : 'Run #') + run.id + ': ' + run.status + (run.phase && run.phase !== run.status ? ' (' + run.phase + ')' : ''),
    percent.toFixed(1) + ' %', active ? phaseCounts(run) : fmt(run.processed) + ' of ' + fmt(run.total) + ' records',
    'updated ' + fmt(run.updatedInSalesforce) + ' in Salesforce, ' + fmt(run.updatedInIntercom) + ' in Intercom',
    fmt(run.unchanged) + ' unchanged', fmt(run.failed) + ' failed'];
  if (active) parts.push(Math.round(run.recordsPerSecond || 0) + ' records/s', 'about ' + duration(run.etaSeconds) + ' left');
  if (run.stopReason) parts.push('stopped: ' + run.stopReason);
  if (run.failureMessage) parts.push(run.failureMessage);
  $('bulk-status').textContent = parts.join(' · ');
}

let bulkTimer = null;
async function refreshBulk() {
  clearTimeout(bulkTimer);
  let active = false;
  try {
    const current = await api('GET', '/api/bulk-sync/current');
    if (!current.ok) {
      $('bulk-start').disabled = true;
      $('bulk-reason').textContent = (current.body && current.body.error) || 'The bulk sync state could not be read.';
      return;
    }
    const c = current.body || {};
    const run = c.run || null;
    active = !!run && ACTIVE.includes(run.status);
    $('bulk-start').disabled = !c.canStart;
    $('bulk-preview').disabled = !c.canStart;
    $('bulk-stop').disabled = !active;
    if (run && run.kind === 'PREVIEW') previewState.id = run.id;
    $('bulk-reason').textContent = c.canStart ? '' : (c.cannotStartReason || '');
    const history = await api('GET', '/api/bulk-sync/runs?limit=20');
    const runs = (history.body && history.body.runs) || [];
    showRun(run || runs[0] || null);
    const rows = $('bulk-history-rows');
    rows.replaceChildren();
    if (!runs.length) rows.append(el('tr', {}, el('td', { colspan: 6, text: 'No runs yet.' })));
    for (const r of runs) {
      rows.append(el('tr', { 'data-run': r.id },
        el('td', { 'data-label': 'Run', text: '#' + r.id }),
        el('td', { 'data-label': 'Started', text: r.startedAt ? new Date(r.startedAt).toLocaleString() : '–' }),
        el('td', { 'data-label': 'Outcome', class: 'outcome-' + r.status, text: r.status + (r.stopReason ? ' (' + r.stopReason + ')' : '') }),
        el('td', { 'data-label': 'Records', text: fmt(r.processed) + ' / ' + fmt(r.total) }),
        el('td', { 'data-label': 'Updated SF / IC', text: fmt(r.updatedInSalesforce) + ' / ' + fmt(r.updatedInIntercom) }),
        el('td', { 'data-label': 'Failed', text: fmt(r.failed) })));
    }
    if (previewState.id !== null) await refreshPreview(c.canStart);
  } finally {
    bulkTimer = setTimeout(refreshBulk, active ? 1000 : 5000);
  }
}

/* the preview this page started or found running (GET /api/bulk-sync/preview/{id}) */
const previewState = { id: null, drawn: null };

function sampleText(s) {
  const value = (v) => (v === null || v === undefined ? '(empty)' : v);
  return value(s.before) + ' → ' + value(s.after);
}

function showPreviewDirection(d) {
  const rows = d.fields.map((f) => el('tr', { 'data-field': f.objectType + ' ' + f.field },
    el('td', { 'data-label': 'Object', text: f.objectType }),
    el('td', { 'data-label': 'Field', text: f.field + (f.sourceField ? ' ← ' + f.sourceField : '') }),
    el('td', { 'data-label': 'Records', class: 'preview-field-records', text: fmt(f.records) }),
    el('td', { 'data-label': 'Examples' }, el('details', {},
      el('summary', { text: f.samples.length + (f.records > f.samples.length ? ' of ' + fmt(f.records) : '') + ' shown' }),
      el('ol', { class: 'preview-samples' }, ...f.samples.map((s) => el('li', {},
        el('span', { text: sampleText(s) + ' ' }),
        el('span', { class: 'preview-ids', text: '(' + s.salesforceId + ' / ' + s.intercomId + ')' }))))))));
  return el('div', { class: 'preview-direction', 'data-direction': d.direction },
    el('h4', { id: 'preview-records-' + d.direction, text: DIRECTIONS[d.direction] + ': ' + fmt(d.records) + ' records to update' }),
    d.fields.length ? el('div', { class: 'table-wrap' }, el('table', { class: 'preview-fields' },
      el('thead', {}, el('tr', {}, ...['Object', 'Field', 'Records', 'Examples (before → after)'].map((h) =>
        el('th', { scope: 'col', text: h })))),
      el('tbody', {}, ...rows))) : el('p', { class: 'hint', text: 'Nothing to write in this direction.' }));
}

async function refreshPreview(canStart) {
  const answer = await api('GET', '/api/bulk-sync/preview/' + previewState.id);
  if (!answer.ok) { $('preview').hidden = true; previewState.id = null; return; }
  const p = answer.body.preview;
  const f = answer.body.figures;
  $('preview').hidden = false;
  $('preview-title').textContent = 'Preview #' + p.id;
  $('preview').dataset.status = p.status;
  $('preview-status').textContent = p.status === 'COMPLETED' ? 'Completed ' + new Date(p.finishedAt).toLocaleString() + '.'
    : ACTIVE.includes(p.status) ? p.status + ' · ' + p.percent.toFixed(1) + ' % · ' + phaseCounts(p)
      : p.status + (p.stopReason ? ' (' + p.stopReason + ')' : '') + (p.failureMessage ? ': ' + p.failureMessage : '');
  $('preview-result').hidden = !f;
  $('bulk-start-from-preview').disabled = !f || !canStart;
  if (!f) return;
  $('preview-pairs').textContent = fmt(f.pairsInCommon);
  $('preview-ambiguous').textContent = fmt(f.ambiguousMatches);
  $('preview-unchanged').textContent = fmt(f.unchanged);
  $('preview-failing').textContent = fmt(f.failing);
  const path = { COLLECTIONS: 'Collections of 200', INGEST_JOBS: 'Bulk API ingest jobs', NONE: 'nothing to write' };
  $('preview-sf-calls').textContent = fmt(f.cost.salesforceCalls) + ' (' + fmt(f.cost.salesforceReadCalls) + ' to read, '
    + fmt(f.cost.salesforceWriteCalls) + ' to write: ' + (path[f.cost.salesforceWritePath] || f.cost.salesforceWritePath) + ')';
  $('preview-ic-requests').textContent = fmt(f.cost.intercomRequests) + ' (' + fmt(f.cost.intercomReads) + ' to read, '
    + fmt(f.cost.intercomWrites) + ' to write)';
  $('preview-duration').textContent = 'about ' + duration(f.duration.expectedSeconds) + ' (reading and comparing '
    + duration(f.duration.stagingAndDiffSeconds) + ', Intercom writes ' + duration(f.duration.intercomWriteSeconds)
    + ': rate-limit floor ' + duration(f.duration.intercomFloorSeconds) + ' at ' + fmt(f.duration.intercomLimitPerWindow)
    + ' per 10 s, ' + (f.duration.intercomLatencyFrom === 'NONE'
      ? 'no write timed yet: the floor alone, slow answers make it longer)'
      : Math.round(f.duration.intercomLatencyMillis) + ' ms a write)');
  // a completed preview's figures do not change: drawn once, so that the samples a reader opened stay open
  if (previewState.drawn !== p.id) {
    $('preview-directions').replaceChildren(...f.directions.map(showPreviewDirection));
    previewState.drawn = p.id;
  }
}

async function startPreview() {
  $('bulk-preview').disabled = true;
  const answer = await api('POST', '/api/bulk-sync/preview');
  $('bulk-reason').textContent = answer.ok ? 'Preview started: nothing is written.' : problemsOf(answer).join(' ');
  if (answer.ok) previewState.id = answer.body.preview.id;
  refreshBulk();
}

async function startFromPreview() {
  $('bulk-start-from-preview').disabled = true;
  const answer = await api('POST', '/api/bulk-sync', { previewId: previewState.id });
  $('bulk-reason').textContent = answer.ok ? 'Started from preview #' + previewState.id + '.' : problemsOf(answer).join(' ');
  refreshBulk();
}

async function startBulk() {
  $('bulk-start').disabled = true;
  const answer = await api('POST', '/api/bulk-sync');
  $('bulk-reason').textContent = answer.ok ? 'Started.' : problemsOf(answer).join(' ');
  refreshBulk();
}

async function stopBulk() {
  $('bulk-stop').disabled = true;
  const answer = await api('POST', '/api/bulk-sync/current/stop');
  $('bulk-reason').textContent = answer.ok ? 'Stop requested.' : problemsOf(answer).join(' ');
  refreshBulk();
}

/* ---------- 4. sync errors ---------- */

const errorState = { page: 0, size: 50, total: 0, rows: [], openId: null };

function filterQuery() {
  const q = new URLSearchParams();
  for (const [name, id] of [['direction', 'filter-direction'], ['objectType', 'filter-object'], ['syncType', 'filter-sync-type'], ['text', 'filter-text']]) {
    const v = $(id).value.trim();
    if (v) q.set(name, v);
  }
  return q;
}

function recordText(e) {
  const ids = [e.salesforceId && 'Salesforce ' + e.salesforceId, e.intercomId && 'Intercom ' + e.intercomId].filter(Boolean);
  return e.objectType + (ids.length ? ' · ' + ids.join(' · ') : '');
}

async function loadErrors() {
  const q = filterQuery();
  q.set('page', errorState.page);
  q.set('size', errorState.size);
  const answer = await api('GET', '/api/sync-errors?' + q);
  const body = $('error-rows');
  body.replaceChildren();
  if (!answer.ok) {
    $('errors-status').textContent = problemsOf(answer).join(' ');
    return;
  }
  errorState.rows = answer.body.errors;
  errorState.total = answer.body.total;
  if (!errorState.rows.length) body.append(el('tr', {}, el('td', { colspan: 5, text: 'No sync errors.' })));
  for (const e of errorState.rows) {
    body.append(el('tr', { 'data-error': e.id, class: 'clickable', title: e.message, onclick: (ev) => { if (ev.target.tagName !== 'BUTTON') openDetails(e.id); } },
      el('td', { 'data-label': 'Time', text: new Date(e.occurredAt).toLocaleString() }),
      el('td', { 'data-label': 'Sync type', text: e.syncType + ' · ' + (e.direction === 'INTERCOM_TO_SALESFORCE' ? 'IC → SF' : 'SF → IC') }),
      el('td', { 'data-label': 'Record', text: recordText(e) }),
      el('td', { 'data-label': 'Cause', class: 'cause' }, el('strong', { text: e.errorCode || '' }), ' ', e.message || ''),
      el('td', { class: 'row-actions' },
        el('button', { type: 'button', class: 'details-button', 'aria-label': 'Details of sync error ' + e.id, text: 'Details', onclick: () => openDetails(e.id) }),
        el('button', { type: 'button', class: 'retry-button', 'aria-label': 'Retry sync error ' + e.id, text: 'Retry', onclick: () => retryOne(e.id) }))));
  }
  const pages = Math.max(1, Math.ceil(errorState.total / errorState.size));
  $('errors-page').textContent = 'Page ' + (errorState.page + 1) + ' of ' + pages + ' · ' + fmt(errorState.total) + ' errors';
  $('errors-prev').disabled = errorState.page === 0;
  $('errors-next').disabled = errorState.page + 1 >= pages;
}

async function openDetails(id) {
  const answer = await api('GET', '/api/sync-errors/' + id);
  if (!answer.ok) { $('errors-status').textContent = problemsOf(answer).join(' '); loadErrors(); return; }
  const e = answer.body;
  errorState.openId = id;
  const fields = $('details-fields');
  fields.replaceChildren();
  const add = (label, value) => { if (value !== null && value !== undefined && value !== '') fields.append(el('dt', { text: label }), el('dd', { text: String(value) })); };
  add('Error', e.errorCode);
  add('Message', e.message);
  add('Direction', DIRECTIONS[e.direction] || e.direction);
  add('Sync type', e.syncType);
  add('Object type', e.objectType);
  add('Salesforce id', e.salesforceId);
  add('Intercom id', e.intercomId);
  add('Attributes', Array.isArray(e.attributes) ? e.attributes.join(', ') : e.attributes);
  add('Attempts', e.attempts);
  add('First seen', e.firstOccurredAt && new Date(e.firstOccurredAt).toLocaleString());
  add('Last seen', e.occurredAt && new Date(e.occurredAt).toLocaleString());
  let details = e.details;
  if (typeof details === 'string') { try { details = JSON.parse(details); } catch (x) { /* shown as text */ } }
  $('details-remote').textContent = details === null || details === undefined ? '(none)' : (typeof details === 'string' ? details : JSON.stringify(details, null, 2));
  $('details').hidden = false;
  $('details-close').focus();
}

async function retryOne(id) {
  const status = $('errors-status');
  status.textContent = 'Retrying error ' + id + '…';
  const answer = await api('POST', '/api/sync-errors/' + id + '/retry');
  if (!answer.ok) { status.textContent = problemsOf(answer).join(' '); return; }
  if (answer.body.resolved) {
    status.textContent = 'Error ' + id + ' resolved: the record is in sync.';
    if (errorState.openId === id) { $('details').hidden = true; errorState.openId = null; }
  } else {
    status.textContent = 'Error ' + id + ' still fails: ' + (answer.body.errorCode || '') + ' ' + (answer.body.message || answer.body.note || '');
    if (errorState.openId === id) openDetails(id);
  }
  loadErrors();
}

async function retryAll() {
  const status = $('errors-status');
  status.textContent = 'Retrying every error the filter shows…';
  const q = filterQuery();
  const answer = await api('POST', '/api/sync-errors/retry' + (q.toString() ? '?' + q : ''));
  status.textContent = answer.ok
    ? 'Retried ' + answer.body.retried + ': ' + answer.body.resolved + ' resolved, ' + answer.body.stillFailing + ' still failing.'
    : problemsOf(answer).join(' ');
  errorState.page = 0;
  loadErrors();
}

/* ---------- wiring ---------- */

document.addEventListener('DOMContentLoaded', () => {
  $('mapping-add').addEventListener('click', () => {
    mappingState.rows.push({ objectType: 'CONTACT', intercomAttribute: '', salesforceField: '', direction: 'SALESFORCE_TO_INTERCOM' });
    renderMappings();
    markDirty();
    $('map-intercom-' + (mappingState.rows.length - 1)).focus();
  });
  $('mapping-save').addEventListener('click', saveMappings);
  $('mapping-reset').addEventListener('click', async () => { await loadMappings(); $('mapping-status').textContent = ''; });
  $('modal-confirm').addEventListener('click', () => closeModal(true));
  $('modal-cancel').addEventListener('click', () => closeModal(false));
  $('details-close').addEventListener('click', () => { $('details').hidden = true; errorState.openId = null; });
  $('details-retry').addEventListener('click', () => errorState.openId !== null && retryOne(errorState.openId));
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    if (!$('modal').hidden) closeModal(false);
    if (!$('details').hidden) { $('details').hidden = true; errorState.openId = null; }
  });
  $('settings-form').addEventListener('submit', saveSettings);
  $('alerts-form').addEventListener('submit', saveAlerts);
  $('bulk-start').addEventListener('click', startBulk);
  $('bulk-stop').addEventListener('click', stopBulk);
  $('bulk-preview').addEventListener('click', startPreview);
  $('bulk-start-from-preview').addEventListener('click', startFromPreview);
  $('error-filter').addEventListener('submit', (e) => { e.preventDefault(); errorState.page = 0; loadErrors(); });
  $('errors-retry-all').addEventListener('click', retryAll);
  $('errors-prev').addEventListener('click', () => { errorState.page = Math.max(0, errorState.page - 1); loadErrors(); });
  $('errors-next').addEventListener('click', () => { errorState.page += 1; loadErrors(); });

  loadMappings();
  loadSettings();
  refreshUsage();
  setInterval(refreshUsage, 5000);
  refreshBulk();
  loadErrors();
});

/* ---------- change history (GET /api/history) ---------- */

const historyState = { key: null, value: null, nextBefore: null };

function historyValue(v) {
  return v === null || v === undefined || v === '' ? '(empty)' : v;
}

function historyRow(c) {
  const toSalesforce = c.direction === 'INTERCOM_TO_SALESFORCE';
  const field = el('td', { 'data-label': 'Field' }, el('strong', { text: c.field }),
    c.sourceField ? el('span', { class: 'hint', text: ' from ' + c.sourceField }) : null);
  const change = el('td', { 'data-label': 'Change', class: 'history-change' },
    c.oldValue === null || c.oldValue === undefined
      ? el('span', { class: 'history-unknown', title: 'The value before was empty or not known to the service', text: '(empty or not known)' })
      : el('span', { class: 'history-old', text: historyValue(c.oldValue) }),
    ' → ', el('span', { class: 'history-new', text: historyValue(c.newValue) }));
  return el('tr', { 'data-change': c.id },
    el('td', { 'data-label': 'Time', text: new Date(c.changedAt).toLocaleString() }),
    field, change,
    el('td', { 'data-label': 'Direction', text: (toSalesforce ? 'IC → SF' : 'SF → IC') + ' · ' + c.objectType }),
    el('td', { 'data-label': 'Sync', text: c.syncType + (c.bulkRunId ? ' · run ' + c.bulkRunId : '') }));
}

async function loadHistory(more) {
  const q = new URLSearchParams();
  q.set(historyState.key, historyState.value);
  q.set('limit', '50');
  if (more && historyState.nextBefore) q.set('before', historyState.nextBefore);
  const answer = await api('GET', '/api/history?' + q);
  const body = $('history-rows');
  if (!more) body.replaceChildren();
  if (!answer.ok) {
    $('history-status').textContent = problemsOf(answer).join(' ');
    $('history-more').hidden = true;
    return;
  }
  const changes = answer.body.changes;
  if (!more && !changes.length) body.append(el('tr', {}, el('td', { colspan: 5, text: 'Nothing written for this person.' })));
  for (const c of changes) body.append(historyRow(c));
  historyState.nextBefore = answer.body.nextBefore || null;
  $('history-more').hidden = !historyState.nextBefore;
  const first = changes[0];
  $('history-status').textContent = first && !more
    ? 'Salesforce ' + first.salesforceId + ' · Intercom ' + first.intercomId + (first.email ? ' · ' + first.email : '') : '';
}

document.addEventListener('DOMContentLoaded', () => {
  $('history-search').addEventListener('submit', (e) => {
    e.preventDefault();
    historyState.key = $('history-key').value;
    historyState.value = $('history-value').value.trim();
    historyState.nextBefore = null;
    loadHistory(false);
  });
  $('history-more').addEventListener('click', () => loadHistory(true));
});
