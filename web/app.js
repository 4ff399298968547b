// Trailwatch web UI: hash-routed views over the JSON API. Every value from the data is rendered as text
// (textContent / text nodes), never as HTML, because event fields are attacker-controlled.
'use strict';

const TOKEN_KEY = 'trailwatch-token';
const PRESETS = {
  '': 'all time',
  '1h': 'last hour',
  '24h': 'last 24 hours',
  '7d': 'last 7 days',
  '30d': 'last 30 days',
};
const RESOLUTIONS = ['true-positive', 'benign', 'false-positive', 'testing', 'duplicate', 'other'];
const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'];
const HOUR = 3600 * 1000;
/** Events per explorer page (each "Older events" adds one); `npm run bench` measures pages of this size. */
const EXPLORER_PAGE = 100;
const PRESET_MS = { '1h': HOUR, '24h': 24 * HOUR, '7d': 7 * 24 * HOUR, '30d': 30 * 24 * HOUR };

// The token arrives once in the fragment (never sent to the server in a URL) and is kept for the tab.
(function takeToken() {
  const m = /^#token=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + '#/overview');
  }
})();

/** Builds an element; string children become text nodes, so data is never parsed as HTML. */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null) continue;
    node.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
  return node;
}

function showError(message) {
  const box = document.getElementById('error');
  box.textContent = message || '';
  box.hidden = !message;
}

async function api(path, options) {
  const headers = { Accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = 'Bearer ' + token;
  const init = { headers };
  if (options && options.body !== undefined) {
    init.method = 'POST';
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  const res = await fetch(path, init);
  const data = await res.json().catch(() => ({ error: 'unreadable response' }));
  if (!res.ok) throw new Error(data.error || 'HTTP ' + res.status);
  return data;
}

const fmtTime = (iso) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');
const sev = (s) => el('span', { class: 'sev sev-' + (SEVERITIES.includes(s) ? s : 'info') }, s);
const hashLink = (view, params, text) =>
  el('a', { href: '#/' + view + '?' + new URLSearchParams(params) }, text);

/** The identity column: origin → acting identity. */
function identityText(actor) {
  const acting = actor.arn || actor.userName || actor.invokedBy || actor.type || '?';
  const origin = actor.origin && actor.origin.name;
  return origin && origin !== acting ? origin + ' → ' + acting : acting;
}

// Presets count back from the newest stored event, so an archive loaded long ago still shows data.
let newest = null;
async function newestTime() {
  if (newest === null)
    newest = Date.parse((await api('/api/overview')).stats.newestEventTime || '') || Date.now();
  return newest;
}

/** A duration in its two largest units, e.g. "2h 5m" (negative when ingest precedes the event). */
function fmtDuration(ms) {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.round(Math.abs(ms) / 1000);
  const parts = [];
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ]) {
    if (rest >= size || (unit === 's' && !parts.length)) parts.push(Math.floor(rest / size) + unit);
    rest %= size;
  }
  return sign + parts.slice(0, 2).join(' ');
}

function freshnessTable(rows) {
  return el(
    'table',
    { id: 'freshness-table' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ['Account', 'Newest event', 'Last ingest', 'Lag'].map((h) => el('th', {}, h)),
      ),
    ),
    el(
      'tbody',
      {},
      rows.map((r) =>
        el(
          'tr',
          { 'data-account': r.account },
          el('td', {}, hashLink('events', { account: r.account }, r.account)),
          el('td', {}, fmtTime(r.newestEvent)),
          el('td', {}, fmtTime(r.lastIngest)),
          el('td', { class: 'lag' }, fmtDuration(r.lagMs)),
        ),
      ),
    ),
  );
}

async function renderOverview(view) {
  const o = await api('/api/overview');
  const card = (title, ...body) => el('div', { class: 'card' }, el('h3', {}, title), ...body);
  const top = (title, items, param) =>
    card(
      title,
      items.length
        ? el(
            'ol',
            {},
            items.map((i) =>
              el(
                'li',
                {},
                hashLink('events', { [param]: i.value ?? '' }, i.value ?? '(none)'),
                ' (' + i.count + ')',
              ),
            ),
          )
        : el('p', { class: 'muted' }, 'none'),
    );
  view.append(
    el('h2', {}, 'Overview'),
    el(
      'p',
      { class: 'muted' },
      'Stored events from ' +
        fmtTime(o.stats.oldestEventTime) +
        ' to ' +
        fmtTime(o.stats.newestEventTime) +
        '; top values since ' +
        fmtTime(o.since) +
        '.',
    ),
    el(
      'div',
      { class: 'cards' },
      card(
        'Events stored',
        el('div', { class: 'num', 'data-testid': 'events-count' }, String(o.stats.events)),
      ),
      card(
        'Events in window',
        el('div', { class: 'num' }, String(o.window.events)),
        el('div', { class: 'muted' }, o.window.errors + ' failed'),
      ),
      card('Alerts', el('div', { class: 'num', 'data-testid': 'alerts-count' }, String(o.alerts.total))),
      card(
        'By severity',
        el(
          'ul',
          {},
          [...SEVERITIES]
            .reverse()
            .map((s) => el('li', {}, sev(s), ' ', String(o.alerts.bySeverity[s] || 0))),
        ),
      ),
      card(
        'By status',
        el(
          'ul',
          {},
          Object.entries(o.alerts.byStatus).map(([s, n]) => el('li', {}, s + ': ' + n)),
        ),
      ),
    ),
    el(
      'div',
      { class: 'cards' },
      card(
        'Top origins (alerts)',
        o.topOrigins.length
          ? el(
              'ol',
              {},
              o.topOrigins.map((i) =>
                el('li', {}, hashLink('events', { origin: i.id }, i.name), ' (' + i.count + ')'),
              ),
            )
          : el('p', { class: 'muted' }, 'none'),
      ),
      top('Top events', o.topEventNames, 'eventName'),
      top('Top source IPs', o.topSourceIps, 'sourceIp'),
      top('Accounts', o.accounts, 'account'),
      top('Regions', o.regions, 'region'),
      top('Error codes', o.errorCodes, 'errorCode'),
    ),
    el('h3', {}, 'Data freshness'),
    o.freshness.length ? freshnessTable(o.freshness) : el('p', { class: 'muted' }, 'no events stored'),
  );
}

const EVENT_FIELDS = [
  ['eventName', 'Event name'],
  ['eventSource', 'Source'],
  ['identityType', 'Identity type'],
  ['eventCategory', 'Category'],
  ['user', 'User'],
  ['origin', 'Origin'],
  ['accessKeyId', 'Access key'],
  ['sourceIp', 'Source IP'],
  ['account', 'Account'],
  ['region', 'Region'],
  ['errorCode', 'Error code'],
  ['resourceType', 'Resource type'],
  ['resourceName', 'Resource name'],
  ['eventId', 'Event ID'],
  ['text', 'Text'],
];

// A choice of a few values; the empty one means "any".
function selectField(name, label, values, params) {
  return el(
    'label',
    {},
    label,
    el(
      'select',
      { name },
      ['', ...values].map((v) =>
        el('option', { value: v, selected: (params.get(name) || '') === v }, v || 'any'),
      ),
    ),
  );
}

async function renderEvents(view, params) {
  const form = el(
    'form',
    { class: 'filters' },
    EVENT_FIELDS.map(([name, label]) =>
      el('label', {}, label, el('input', { name, value: params.get(name) || '', size: 14 })),
    ),
    selectField('outcome', 'Outcome', ['success', 'failure'], params),
    selectField('readOnly', 'Read-only', ['true', 'false'], params),
    el(
      'label',
      {},
      'Time',
      el(
        'select',
        { name: 'preset' },
        Object.entries(PRESETS).map(([v, t]) =>
          el('option', { value: v, selected: (params.get('preset') || '') === v }, t),
        ),
      ),
    ),
    // A custom range: ISO 8601 times or durations back from now (7d, 2h); a preset replaces From.
    ['since', 'until'].map((name) =>
      el(
        'label',
        {},
        name === 'since' ? 'From' : 'Until',
        el('input', {
          name,
          value: params.get(name) || '',
          size: 20,
          placeholder: name === 'since' ? '2024-05-01T00:00Z or 7d' : '2024-05-02T00:00Z',
        }),
      ),
    ),
    el('button', { type: 'submit' }, 'Search'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) next.set(k, String(v));
    location.hash = '#/events?' + next;
  });
  const detail = el('div', { id: 'event-detail' });
  view.append(el('h2', {}, 'Events'), form);
  const query = new URLSearchParams();
  for (const [k, v] of params) if (k !== 'preset' && v) query.set(k, v);
  const preset = params.get('preset');
  if (preset && PRESET_MS[preset])
    query.set('since', new Date((await newestTime()) - PRESET_MS[preset]).toISOString());
  const filters = new URLSearchParams(query);
  query.set('limit', String(EXPLORER_PAGE));
  // The table's fields only (the detail view fetches the whole event): a page reads far less.
  query.set('view', 'list');
  // The table first, then the counts: a filter's counts read every matching row, where its newest
  // page often needs only the newest rows, and the store answers one request at a time, so asked
  // together the page would wait for them.
  const { events, count, next } = await api('/api/events?' + query);
  const counts = Promise.all([
    api('/api/events/facets?' + filters),
    api('/api/events/histogram?' + filters + '&buckets=60'),
  ]);
  counts.catch(() => undefined); // reported below, once the table is shown
  const rowOf = (e) =>
    el(
      'tr',
      { class: 'clickable', onclick: () => showEvent(detail, e.eventId, e.recipientAccountId) },
      el('td', {}, fmtTime(e.eventTime)),
      el(
        'td',
        {},
        e.eventCategory === 'Insight' ? [el('span', { class: 'badge insight' }, 'Insight'), ' '] : null,
        e.eventName || '-',
      ),
      el('td', {}, e.eventCategory === 'Insight' ? '-' : identityText(e.actor)),
      el('td', {}, e.sourceIpAddress || '-'),
      el('td', { class: 'resource', title: e.resource || '' }, e.resource || '-'),
      el('td', {}, e.awsRegion || '-'),
      el('td', {}, e.recipientAccountId),
      el('td', { class: e.errorCode ? 'failure' : '' }, e.errorCode || 'success'),
    );
  const rows = events.map(rowOf);
  const pending = () => el('p', { class: 'muted counting' }, 'Counting…');
  const chart = el('div', { id: 'histogram', class: 'histogram' }, pending());
  const total = el('span', {}, count === EXPLORER_PAGE ? ' (first ' + EXPLORER_PAGE + '; counting…)' : '');
  view.append(
    chart,
    el(
      'p',
      { class: 'muted' },
      count + ' events',
      total,
      ' — export ',
      exportLink(filters, 'csv', 'CSV'),
      ', ',
      exportLink(filters, 'jsonl', 'JSON lines'),
      ', ',
      exportLink(filters, 'ocsf', 'OCSF'),
    ),
  );
  const table = el(
    'table',
    { id: 'events-table' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        [
          'Time',
          'Event',
          'Identity (origin → acting)',
          'Source IP',
          'Resource',
          'Region',
          'Account',
          'Outcome',
        ].map((h) => el('th', {}, h)),
      ),
    ),
    el('tbody', {}, rows),
  );
  // Keyset paging: each page continues after the last row shown, however deep.
  let cursor = next;
  const older = el('button', { id: 'older', type: 'button', hidden: !cursor }, 'Older events');
  older.addEventListener('click', async () => {
    older.disabled = true;
    try {
      showError('');
      const page = await api('/api/events?' + query + '&' + new URLSearchParams({ before: cursor }));
      table.tBodies[0].append(...page.events.map(rowOf));
      cursor = page.next;
      older.hidden = !cursor;
    } catch (err) {
      showError(err.message);
    } finally {
      older.disabled = false;
    }
  });
  const facetBox = el('aside', { id: 'facets', class: 'facets' }, pending());
  view.append(el('div', { class: 'explorer' }, facetBox, el('div', {}, table, older)), detail);
  const [facets, histogram] = await counts;
  chart.replaceWith(histogramChart(histogram));
  facetBox.replaceWith(facetList(params, facets));
  if (count === EXPLORER_PAGE)
    total.textContent = ' (first ' + EXPLORER_PAGE + ' of ' + facets.count + '; narrow the filters)';
}

// Facet fields of /api/events/facets and the search parameter each one filters by.
const FACETS = [
  ['eventName', 'eventName', 'Event name'],
  ['eventSource', 'eventSource', 'Event source'],
  ['identityType', 'identityType', 'Identity type'],
  ['eventCategory', 'eventCategory', 'Category'],
  ['recipientAccountId', 'account', 'Account'],
  ['awsRegion', 'region', 'Region'],
  ['sourceIpAddress', 'sourceIp', 'Source IP'],
  ['errorCode', 'errorCode', 'Error code'],
];

/** Top values with counts; a click adds the value as a filter (no error code means outcome=success). */
function facetList(params, summary) {
  const add = (param, value) => {
    const next = new URLSearchParams(params);
    if (param === 'errorCode' && value === null) {
      next.delete('errorCode');
      next.set('outcome', 'success');
    } else next.set(param, value ?? '');
    location.hash = '#/events?' + next;
  };
  return el(
    'aside',
    { id: 'facets', class: 'facets' },
    FACETS.map(([field, param, title]) => {
      const values = summary.facets[field] || [];
      return el(
        'section',
        { 'data-facet': field },
        el('h3', {}, title),
        values.length
          ? el(
              'ul',
              {},
              values.map((v) =>
                el(
                  'li',
                  {},
                  v.value === null && field !== 'errorCode'
                    ? el('span', { class: 'muted' }, '(none)')
                    : el(
                        'button',
                        {
                          type: 'button',
                          class: 'facet-value',
                          'data-param': param,
                          onclick: () => add(param, v.value),
                        },
                        v.value ?? '(success)',
                      ),
                  ' ',
                  el('span', { class: 'count' }, String(v.count)),
                ),
              ),
            )
          : el('p', { class: 'muted' }, 'none'),
      );
    }),
  );
}

/** Stacked bars, successes below failures; sizes are SVG attributes, colours come from app.css. */
function histogramChart(h) {
  const box = el('div', { id: 'histogram', class: 'histogram' });
  if (!h.buckets.length) {
    box.append(el('p', { class: 'muted' }, 'No events to chart.'));
    return box;
  }
  const barW = 10;
  const height = 80;
  const max = Math.max(1, ...h.buckets.map((b) => b.success + b.failure));
  const chart = svgEl('svg', {
    width: '100%',
    height: height,
    viewBox: '0 0 ' + h.buckets.length * barW + ' ' + height,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': 'events over time',
  });
  h.buckets.forEach((b, i) => {
    const okH = (b.success / max) * height;
    const failH = (b.failure / max) * height;
    const label = fmtTime(b.start) + ': ' + b.success + ' ok, ' + b.failure + ' failed';
    if (b.success)
      chart.append(
        svgEl(
          'rect',
          { class: 'bar bar-success', x: i * barW + 1, y: height - okH, width: barW - 2, height: okH },
          svgEl('title', {}, label),
        ),
      );
    if (b.failure)
      chart.append(
        svgEl(
          'rect',
          {
            class: 'bar bar-failure',
            x: i * barW + 1,
            y: height - okH - failH,
            width: barW - 2,
            height: failH,
          },
          svgEl('title', {}, label),
        ),
      );
  });
  box.append(
    chart,
    el(
      'p',
      { class: 'muted' },
      fmtTime(h.start) + ' → ' + fmtTime(h.end) + ', ' + Math.round(h.bucketMs / 60000) + ' min per bar; ',
      el('span', { class: 'key-success' }, 'success'),
      ' / ',
      el('span', { class: 'key-failure' }, 'failure'),
    ),
  );
  return box;
}

/** A download link; with a token the file is fetched with it, since a plain link cannot send headers. */
function exportLink(filters, format, text, path = '/api/events/export') {
  const href = path + '?' + filters + (String(filters) ? '&' : '') + 'format=' + format;
  return el(
    'a',
    {
      href,
      class: 'export',
      'data-format': format,
      download: '',
      onclick: async (ev) => {
        const token = sessionStorage.getItem(TOKEN_KEY);
        if (!token) return;
        ev.preventDefault();
        try {
          const res = await fetch(href, { headers: { Authorization: 'Bearer ' + token } });
          if (!res.ok) throw new Error('export failed: HTTP ' + res.status);
          const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') || '');
          const url = URL.createObjectURL(await res.blob());
          const a = el('a', { href: url, download: name ? name[1] : 'events.' + format });
          a.click();
          URL.revokeObjectURL(url);
        } catch (err) {
          showError(err.message);
        }
      },
    },
    text,
  );
}

const json = (value) => el('pre', {}, JSON.stringify(value, null, 2));

async function showEvent(detail, eventId, account) {
  const { event: e } = await api(
    '/api/events/' + encodeURIComponent(eventId) + '?' + new URLSearchParams({ account }),
  );
  const chain = (e.actor.chain || []).map((h) =>
    el(
      'li',
      {},
      (h.kind || '?') +
        ' → ' +
        (h.arn || h.roleArn || '?') +
        (h.issuedAt ? ' at ' + fmtTime(h.issuedAt) : '') +
        (h.sourceIpAddress ? ' from ' + h.sourceIpAddress : ''),
    ),
  );
  detail.replaceChildren(
    el(
      'div',
      { class: 'detail' },
      el(
        'h2',
        {},
        e.insight ? [el('span', { class: 'badge insight' }, 'Insight'), ' '] : null,
        (e.eventName || '?') + ' ',
        el('span', { class: 'muted' }, e.eventId),
      ),
      relatedLinks(e),
      e.insight ? insightSection(e) : whoWhatResult(e, chain),
      el('h3', {}, 'Raw record'),
      el('pre', { id: 'raw' }, JSON.stringify(e.raw || null, null, 2)),
    ),
  );
  detail.scrollIntoView();
}

/** An API call's who, what and result. */
function whoWhatResult(e, chain) {
  const a = e.actor;
  return [
    el('h3', {}, 'Who'),
    el(
      'p',
      {},
      'Acting: ' +
        (a.arn || a.userName || a.type || '?') +
        (a.accessKeyId ? ' (key ' + a.accessKeyId + ')' : ''),
    ),
    a.origin
      ? el(
          'p',
          {},
          'Origin: ' +
            a.origin.name +
            ' [' +
            a.origin.type +
            ' ' +
            a.origin.id +
            '] — ' +
            a.resolvedBy +
            ', ' +
            a.confidence +
            ' confidence',
        )
      : null,
    chain.length ? el('ol', { class: 'chain' }, chain) : null,
    el('p', {}, 'From ' + (e.sourceIpAddress || '?') + ' with ' + (e.userAgent || '?')),
    el('h3', {}, 'What'),
    el(
      'p',
      {},
      (e.eventSource || '?') +
        ' ' +
        (e.eventName || '?') +
        ' in ' +
        (e.awsRegion || '?') +
        ', account ' +
        e.recipientAccountId +
        ' at ' +
        fmtTime(e.eventTime),
    ),
    json(e.requestParameters),
    el('h3', {}, 'Result'),
    e.errorCode
      ? el('p', { class: 'failure' }, e.errorCode + ': ' + (e.errorMessage || ''))
      : json(e.responseElements),
  ];
}

const perMinute = (n) => (typeof n === 'number' ? Math.round(n * 100) / 100 + '/min' : '?');

/** A CloudTrail Insights event: what rate moved, against which baseline, and who contributed to it. */
function insightSection(e) {
  const i = e.insight;
  const minutes = (n) => (typeof n === 'number' ? n + ' min' : '?');
  const rows = i.attributions.flatMap((a) =>
    [...a.insight.map((v) => ['insight', v]), ...a.baseline.map((v) => ['baseline', v])].map(([period, v]) =>
      el(
        'tr',
        {},
        el('td', {}, a.attribute),
        el('td', {}, period),
        el('td', {}, v.value),
        el('td', {}, perMinute(v.average)),
      ),
    ),
  );
  return [
    el('h3', {}, 'Insight'),
    el(
      'dl',
      { id: 'insight', class: 'insight-details' },
      [
        ['State', i.state || '?'],
        ['Type', i.insightType || '?'],
        ['API', (i.eventSource || '?') + ' ' + (i.eventName || '?')],
        i.errorCode ? ['Error code', i.errorCode] : null,
        ['Insight average', perMinute(i.insightAverage) + ' over ' + minutes(i.insightDuration)],
        ['Baseline average', perMinute(i.baselineAverage) + ' over ' + minutes(i.baselineDuration)],
        [
          'Region',
          (e.awsRegion || '?') + ', account ' + e.recipientAccountId + ' at ' + fmtTime(e.eventTime),
        ],
      ]
        .filter(Boolean)
        .flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]),
    ),
    el('h3', {}, 'Attributions'),
    rows.length
      ? el(
          'table',
          { id: 'insight-attributions' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ['Attribute', 'Period', 'Value', 'Average'].map((h) => el('th', {}, h)),
            ),
          ),
          el('tbody', {}, rows),
        )
      : el('p', { class: 'muted' }, 'none'),
  ];
}

/** Links to the events of the same request, session (access key) and cross-account event. */
function relatedLinks(e) {
  const links = [
    e.requestId ? ['related-request', { requestId: e.requestId }, 'same request'] : null,
    e.actor.accessKeyId
      ? ['related-session', { accessKeyId: e.actor.accessKeyId }, 'same session (access key)']
      : null,
    e.sharedEventId ? ['related-shared', { sharedEventId: e.sharedEventId }, 'same sharedEventID'] : null,
  ].filter(Boolean);
  if (!links.length) return null;
  return el(
    'p',
    { class: 'related' },
    'Related: ',
    links.flatMap(([id, params, text], i) => {
      const link = hashLink('events', params, text);
      link.id = id;
      return i ? [', ', link] : [link];
    }),
  );
}

async function renderAlerts(view, params) {
  const status = params.get('status') || 'open,acknowledged';
  const minSeverity = params.get('minSeverity') || '';
  const form = el(
    'form',
    { class: 'filters' },
    el(
      'label',
      {},
      'Status',
      el(
        'select',
        { name: 'status' },
        [
          'open,acknowledged',
          'open',
          'acknowledged',
          'resolved',
          'suppressed',
          'open,acknowledged,resolved,suppressed',
        ].map((v) => el('option', { value: v, selected: v === status }, v.replace(/,/g, ', '))),
      ),
    ),
    selectField('minSeverity', 'Min severity', SEVERITIES, params),
    el('button', { type: 'submit' }, 'Filter'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) next.set(k, String(v));
    location.hash = '#/alerts?' + next;
  });
  const query = new URLSearchParams({ status, limit: '500' });
  if (minSeverity) query.set('minSeverity', minSeverity);
  if (params.get('rule')) query.set('rule', params.get('rule'));
  const { alerts } = await api('/api/alerts?' + query);
  const detail = el('div', { id: 'alert-detail' });
  view.append(
    el('h2', {}, 'Alerts'),
    form,
    el(
      'p',
      { class: 'muted' },
      alerts.length + ' alerts — export ',
      exportLink(query, 'jsonl', 'JSON lines', '/api/alerts/export'),
      ', ',
      exportLink(query, 'ocsf', 'OCSF', '/api/alerts/export'),
    ),
    el(
      'table',
      { id: 'alerts-table' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['Severity', 'Status', 'Title', 'Origin', 'Account', 'Events', 'Last seen'].map((h) =>
            el('th', {}, h),
          ),
        ),
      ),
      el(
        'tbody',
        {},
        alerts.map((a) =>
          el(
            'tr',
            { class: 'clickable', 'data-id': a.id, onclick: () => showAlert(detail, a.id) },
            el('td', {}, sev(a.severity)),
            el('td', { class: 'status' }, a.status),
            el('td', {}, a.title),
            el('td', {}, a.actor.origin.name),
            el('td', {}, a.account),
            el('td', {}, String(a.count)),
            el('td', {}, fmtTime(a.lastSeen)),
          ),
        ),
      ),
    ),
    detail,
  );
  if (params.get('id')) await showAlert(detail, params.get('id'));
}

async function showAlert(detail, id) {
  const { alert: a, history, events } = await api('/api/alerts/' + encodeURIComponent(id));
  const act = async (action, body) => {
    try {
      showError('');
      const { alert: changed } = await api('/api/alerts/' + encodeURIComponent(a.id) + '/' + action, {
        body,
      });
      const row = document.querySelector(
        '#alerts-table tr[data-id="' + CSS.escape(changed.id) + '"] .status',
      );
      if (row) row.textContent = changed.status;
      await showAlert(detail, changed.id);
    } catch (err) {
      showError(err.message);
    }
  };
  const reason = el(
    'select',
    { name: 'reason' },
    RESOLUTIONS.map((r) => el('option', { value: r }, r)),
  );
  const assignee = el('input', {
    id: 'assign-to',
    'aria-label': 'Assign to',
    placeholder: 'assignee',
    value: a.assignee || '',
    size: 14,
  });
  const comment = el('input', {
    id: 'comment-text',
    'aria-label': 'Comment',
    placeholder: 'comment',
    size: 30,
  });
  detail.replaceChildren(
    el(
      'div',
      { class: 'detail' },
      el('h2', {}, sev(a.severity), ' ', a.title),
      el(
        'p',
        {},
        'Status: ',
        el('strong', { id: 'alert-status' }, a.status),
        a.resolution ? ' (' + a.resolution + ')' : '',
        a.assignee ? ', assigned to ' : '',
        a.assignee ? el('span', { id: 'alert-assignee' }, a.assignee) : null,
      ),
      el(
        'p',
        { class: 'muted' },
        'Rule ' +
          a.ruleId +
          ' (' +
          a.ruleTitle +
          '); ' +
          a.count +
          ' events ' +
          fmtTime(a.firstSeen) +
          ' → ' +
          fmtTime(a.lastSeen) +
          '; origin ' +
          a.actor.origin.name,
      ),
      el(
        'div',
        { class: 'actions' },
        el('button', { id: 'ack', onclick: () => act('ack', {}) }, 'Acknowledge'),
        reason,
        el('button', { id: 'resolve', onclick: () => act('resolve', { reason: reason.value }) }, 'Resolve'),
        el('button', { id: 'reopen', onclick: () => act('reopen', {}) }, 'Reopen'),
      ),
      el(
        'div',
        { class: 'actions' },
        assignee,
        el(
          'button',
          {
            id: 'assign',
            onclick: () => assignee.value.trim() && act('assign', { to: assignee.value.trim() }),
          },
          'Assign',
        ),
        comment,
        el(
          'button',
          {
            id: 'comment',
            onclick: () => comment.value.trim() && act('comment', { comment: comment.value.trim() }),
          },
          'Comment',
        ),
      ),
      suppressForm(a),
      el('h3', {}, 'Runbook'),
      el('pre', {}, a.runbook || '(none)'),
      el('h3', {}, 'History'),
      el(
        'ul',
        { id: 'alert-history' },
        history.map((h) =>
          el(
            'li',
            {},
            fmtTime(h.at) +
              ' ' +
              h.actor +
              ' ' +
              h.action +
              (h.toStatus && h.toStatus !== h.fromStatus ? ' → ' + h.toStatus : '') +
              (h.detail ? ': ' + h.detail : ''),
          ),
        ),
      ),
      el('h3', {}, 'First events'),
      el(
        'ul',
        {},
        events.map((e) =>
          el(
            'li',
            {},
            fmtTime(e.eventTime) +
              ' ' +
              (e.eventName || '?') +
              ' by ' +
              identityText(e.actor) +
              ' from ' +
              (e.sourceIpAddress || '?'),
          ),
        ),
      ),
    ),
  );
}

/**
 * "Suppress similar": alerts of this rule for this account and acting identity, this one too. With
 * `serve` alone the server applies it before answering; beside --watch, the watcher's next turn does.
 */
function suppressForm(a) {
  const reason = el('input', { name: 'reason', id: 'suppress-reason', required: true, size: 30 });
  const days = el('input', { name: 'expiresDays', id: 'suppress-days', type: 'number', min: 1, size: 5 });
  const result = el('span', { id: 'suppress-result', class: 'muted' });
  const form = el(
    'form',
    { class: 'suppress', id: 'suppress-form' },
    el('h3', {}, 'Suppress similar'),
    el(
      'p',
      { class: 'muted' },
      'Rule ' + a.ruleId + ', account ' + a.account + (a.actor.arn ? ', actor ' + a.actor.arn : ''),
    ),
    el('label', {}, 'Reason ', reason),
    el('label', {}, ' Expires after (days, optional) ', days),
    ' ',
    el('button', { type: 'submit', id: 'suppress' }, 'Suppress'),
    ' ',
    result,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError('');
    const match = { account: a.account };
    if (a.actor.arn) match['actor.arn'] = a.actor.arn;
    const body = { ruleId: a.ruleId, match, reason: reason.value.trim() };
    if (days.value) body.expiresDays = Number(days.value);
    try {
      const { suppression, applied } = await api('/api/suppressions', { body });
      result.textContent =
        'Added ' +
        suppression.id +
        (applied
          ? '; the open alerts it covers are suppressed'
          : '; it applies when the watcher next evaluates');
      if (applied) {
        const { alert: now } = await api('/api/alerts/' + encodeURIComponent(a.id));
        const status = document.getElementById('alert-status');
        if (status) status.textContent = now.status;
        const row = document.querySelector('#alerts-table tr[data-id="' + CSS.escape(a.id) + '"] .status');
        if (row) row.textContent = now.status;
      }
    } catch (err) {
      showError(err.message);
    }
  });
  return form;
}

async function renderIdentity(view, params) {
  const q = params.get('q') || '';
  const input = el('input', {
    name: 'q',
    value: q,
    size: 40,
    placeholder: 'access key, ARN, user or session name',
  });
  const form = el('form', { class: 'filters' }, input, el('button', { type: 'submit' }, 'Look up'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = '#/identity?' + new URLSearchParams({ q: input.value });
  });
  view.append(el('h2', {}, 'Identity'), form);
  if (!q) return;
  const { profiles } = await api('/api/who?' + new URLSearchParams({ q }));
  if (!profiles.length) view.append(el('p', { class: 'muted' }, 'No identity matches.'));
  const facet = (list) =>
    (list || []).map((f) => (f.value ?? '(none)') + ' (' + f.count + ')').join(', ') || '-';
  for (const p of profiles) {
    const a = p.activity;
    view.append(
      el(
        'div',
        { class: 'detail' },
        el('h3', {}, p.origin.name + ' ', el('span', { class: 'muted' }, p.origin.type + ' ' + p.origin.id)),
        el(
          'p',
          {},
          'Found by ' +
            p.resolvedBy +
            ', ' +
            p.confidence +
            ' confidence' +
            (p.detail ? ' (' + p.detail + ')' : ''),
        ),
        el(
          'p',
          {},
          a.count + ' events, ' + a.errors + ' failed',
          a.count
            ? ', ' +
                fmtTime(new Date(a.firstSeen).toISOString()) +
                ' → ' +
                fmtTime(new Date(a.lastSeen).toISOString())
            : '',
          ' — ',
          hashLink('events', { origin: p.origin.id }, 'show events'),
        ),
        el(
          'ul',
          {},
          [
            ['Accounts', a.facets.recipientAccountId],
            ['Regions', a.facets.awsRegion],
            ['Source IPs', a.facets.sourceIpAddress],
            ['Services', a.facets.eventSource],
            ['Errors', (a.facets.errorCode || []).filter((f) => f.value !== null)],
          ].map(([t, l]) => el('li', {}, t + ': ' + facet(l))),
        ),
        el('h3', {}, 'Alerts (' + p.alerts.length + ')'),
        identityAlerts(p.alerts),
        el('h3', {}, 'Chain graph'),
        chainGraph(p.origin, p.sessions),
        el('h3', {}, 'Sessions (' + p.sessions.length + ')'),
        el(
          'ul',
          { class: 'sessions' },
          p.sessions.map((s) => sessionChain(p.origin, s)),
        ),
      ),
    );
  }
}

const msTime = (ms) => (typeof ms === 'number' ? fmtTime(new Date(ms).toISOString()) : '-');

/** The alerts whose origin is this identity; a row opens the alert in the alerts view. */
function identityAlerts(alerts) {
  if (!alerts.length) return el('p', { class: 'muted' }, 'No alerts.');
  const open = (id) => {
    location.hash =
      '#/alerts?' + new URLSearchParams({ status: 'open,acknowledged,resolved,suppressed', id });
  };
  return el(
    'table',
    { id: 'identity-alerts' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ['Severity', 'Status', 'Title', 'Last seen'].map((h) => el('th', {}, h)),
      ),
    ),
    el(
      'tbody',
      {},
      alerts.map((a) =>
        el(
          'tr',
          { class: 'clickable', 'data-id': a.id, onclick: () => open(a.id) },
          el('td', {}, sev(a.severity)),
          el('td', { class: 'status' }, a.status),
          el('td', {}, a.title),
          el('td', {}, fmtTime(a.lastSeen)),
        ),
      ),
    ),
  );
}

/** The ARN a hop of a resolution chain acts as, and the role's name (its last path segment). */
const hopArn = (h) => h.roleArn || h.arn || '?';
const roleName = (arn) => (arn.includes('/') ? arn.slice(arn.lastIndexOf('/') + 1) : arn);

/** "role@account (session)" for one hop of a resolution chain. */
function hopText(h) {
  return roleName(hopArn(h)) + '@' + (h.accountId || '?') + ' (' + (h.sessionName || '?') + ')';
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element; text only ever goes in as text nodes. */
function svgEl(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  for (const c of children.flat()) {
    if (c === undefined || c === null) continue;
    node.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
  return node;
}

/**
 * The identity's sessions drawn as a graph: the origin on the left, each role (per account) it
 * reached as a node placed in the column of its shortest distance from the origin, and one arrow per
 * hop labelled with how many sessions took it. A node links to this identity's events in that role.
 */
function chainGraph(origin, sessions) {
  const nodes = new Map([['origin', { id: 'origin', label: origin.name, sub: origin.type, depth: 0 }]]);
  const edges = new Map();
  for (const { credential: c } of sessions) {
    let prev = 'origin';
    c.resolution.chain.forEach((h, i) => {
      const arn = hopArn(h);
      const id = arn + '|' + (h.accountId || '?');
      let n = nodes.get(id);
      if (!n) {
        n = { id, arn, label: roleName(arn), sub: h.accountId || '?', depth: i + 1, account: h.accountId };
        nodes.set(id, n);
      }
      n.depth = Math.min(n.depth, i + 1);
      const e = prev + '\u0000' + id;
      edges.set(e, { from: prev, to: id, sessions: (edges.get(e)?.sessions || 0) + 1 });
      prev = id;
    });
  }
  if (nodes.size === 1)
    return el('p', { class: 'muted' }, 'No sessions: the identity used only its own credentials.');
  const columns = [];
  for (const n of nodes.values()) {
    (columns[n.depth] ||= []).push(n);
    n.row = columns[n.depth].length - 1;
  }
  const W = 250,
    H = 46,
    GAPX = 70,
    GAPY = 18,
    PAD = 8;
  const pos = (n) => ({ x: PAD + n.depth * (W + GAPX), y: PAD + n.row * (H + GAPY) });
  const width = PAD * 2 + columns.length * (W + GAPX) - GAPX;
  const height = PAD * 2 + Math.max(...columns.map((c) => (c ? c.length : 0))) * (H + GAPY) - GAPY;
  const cut = (t, max) => (t.length > max ? t.slice(0, max - 1) + '…' : t);
  const svg = svgEl(
    'svg',
    { class: 'chain-graph', width, height, viewBox: '0 0 ' + width + ' ' + height, role: 'img' },
    svgEl('title', {}, 'Role chain graph of ' + origin.name),
    svgEl(
      'defs',
      {},
      svgEl(
        'marker',
        {
          id: 'arrow',
          viewBox: '0 0 10 10',
          refX: 10,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: 'auto',
        },
        svgEl('path', { d: 'M0,0 L10,5 L0,10 z', class: 'chain-arrow' }),
      ),
    ),
  );
  for (const e of edges.values()) {
    const a = pos(nodes.get(e.from));
    const b = pos(nodes.get(e.to));
    const x1 = a.x + W,
      y1 = a.y + H / 2,
      x2 = b.x,
      y2 = b.y + H / 2;
    // Back edges (a role reached again from deeper in a chain) curve below the boxes.
    const d =
      x2 > x1
        ? 'M' +
          x1 +
          ',' +
          y1 +
          ' C' +
          (x1 + GAPX / 2) +
          ',' +
          y1 +
          ' ' +
          (x2 - GAPX / 2) +
          ',' +
          y2 +
          ' ' +
          x2 +
          ',' +
          y2
        : 'M' +
          (a.x + W / 2) +
          ',' +
          (a.y + H) +
          ' C' +
          (a.x + W / 2) +
          ',' +
          height +
          ' ' +
          (b.x + W / 2) +
          ',' +
          height +
          ' ' +
          (b.x + W / 2) +
          ',' +
          (b.y + H);
    svg.append(
      svgEl(
        'g',
        { class: 'chain-edge', 'data-from': e.from, 'data-to': e.to },
        svgEl('path', { d, 'marker-end': 'url(#arrow)' }),
        svgEl(
          'text',
          { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4, 'text-anchor': 'middle' },
          String(e.sessions),
        ),
      ),
    );
  }
  for (const n of nodes.values()) {
    const { x, y } = pos(n);
    const box = svgEl(
      'g',
      { class: 'chain-node' + (n.id === 'origin' ? ' origin' : ''), 'data-id': n.id },
      svgEl('title', {}, n.arn || origin.id),
      svgEl('rect', { x, y, width: W, height: H, rx: 6 }),
      svgEl('text', { x: x + 8, y: y + 19, class: 'chain-label' }, cut(n.label, 30)),
      svgEl('text', { x: x + 8, y: y + 36, class: 'chain-sub' }, cut(n.sub, 40)),
    );
    const filter = { origin: origin.id };
    if (n.account) Object.assign(filter, { user: n.label, account: n.account });
    svg.append(svgEl('a', { href: '#/events?' + new URLSearchParams(filter) }, box));
  }
  return el('div', { class: 'chain-graph-box' }, svg);
}

/** One session as the chain of hops from its origin to the role session that holds the key. */
function sessionChain(origin, { credential: c, events }) {
  const line = el('span', { class: 'chain-line' }, origin.name);
  const hops = c.resolution.chain;
  for (const h of hops) line.append(' → ', hopText(h));
  return el(
    'li',
    { class: 'session', 'data-key': c.accessKeyId },
    line,
    ' ',
    el('span', { class: 'muted' }, '(' + c.accessKeyId + ', ' + events + ' events) '),
    hashLink('events', { accessKeyId: c.accessKeyId }, 'events of this session'),
    el(
      'ol',
      { class: 'chain' },
      hops.map((h) =>
        el('li', {}, hopText(h) + ' at ' + msTime(h.issuedAt) + ' from ' + (h.sourceIpAddress || '?')),
      ),
    ),
  );
}

async function renderRules(view) {
  const { rules, alertsSince } = await api('/api/rules');
  view.append(
    el('h2', {}, 'Rules'),
    el('p', { class: 'muted' }, rules.length + ' rules; alerts counted since ' + fmtTime(alertsSince) + '.'),
    el(
      'table',
      { id: 'rules-table' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['Rule', 'Title', 'Status', 'Enabled', 'Severity', 'Type', 'ATT&CK', 'Alerts (7 days)'].map((h) =>
            el('th', {}, h),
          ),
        ),
      ),
      el(
        'tbody',
        {},
        rules.map((r) =>
          el(
            'tr',
            { 'data-id': r.id },
            el('td', {}, el('code', {}, r.id)),
            el('td', {}, r.title),
            el('td', {}, r.status),
            el('td', { class: 'enabled' }, r.enabled ? 'yes' : 'no'),
            el('td', {}, sev(r.severity)),
            el('td', {}, r.type),
            el('td', {}, [...(r.tactics || []), ...(r.techniques || [])].join(', ') || '-'),
            el(
              'td',
              { class: 'alerts-7d' },
              r.alerts7d
                ? hashLink(
                    'alerts',
                    { status: 'open,acknowledged,resolved,suppressed', rule: r.id },
                    String(r.alerts7d),
                  )
                : '0',
            ),
          ),
        ),
      ),
    ),
  );
}

const VIEWS = {
  overview: renderOverview,
  events: renderEvents,
  alerts: renderAlerts,
  rules: renderRules,
  identity: renderIdentity,
};

// Each route renders into its own container: one still waiting for the API when the next route
// starts (a quick click, a hash set twice) then writes into a detached element, not over the new
// page. `data-ready` and `data-route` say which route's page is complete.
let routes = 0;
async function route() {
  const serial = ++routes;
  const hash = location.hash;
  const m = /^#\/(\w+)\??(.*)$/.exec(hash);
  const name = m && VIEWS[m[1]] ? m[1] : 'overview';
  const params = new URLSearchParams(m ? m[2] : '');
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.view === name);
  const view = document.getElementById('view');
  const page = document.createElement('div');
  view.replaceChildren(page);
  delete view.dataset.ready;
  delete view.dataset.route;
  showError('');
  try {
    await VIEWS[name](page, params);
    if (serial !== routes) return;
    view.dataset.ready = name;
    view.dataset.route = hash;
  } catch (err) {
    if (serial === routes) showError(err.message);
  }
}

window.addEventListener('hashchange', route);
window.addEventListener('DOMContentLoaded', route);
