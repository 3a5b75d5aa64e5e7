import type {
  AuditEntry,
  AuditPage,
  ConsumptionState,
  DeadLetter,
  DeadLetterGroup,
  DeadLetterJob,
  DeadLetterPage,
  FieldError,
} from '@stockstream/contracts';
import { productIdOf } from '@stockstream/inventory-core';
import type { ConsumerGroupState, DeadLetterStats } from '@stockstream/inventory-core';
import { traceIdOf } from '@stockstream/platform';

/** Escapes text for HTML content and attribute values: every value shown comes from the stream. */
export function escape(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d2430; background: #f5f6f8; }
header { background: #1d2430; color: #fff; padding: 12px 24px; display: flex; justify-content: space-between; align-items: center; }
header h1 { font-size: 18px; margin: 0; }
main { padding: 16px 24px; }
section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 12px 16px; margin-bottom: 16px; }
h2 { font-size: 15px; margin: 0 0 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eceef2; vertical-align: top; }
th { font-weight: 600; color: #555; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { border: 1px solid #dde1e7; border-radius: 6px; padding: 8px 12px; min-width: 130px; background: #fafbfc; }
.card b { display: block; font-size: 22px; }
.muted { color: #6b7280; }
.error { color: #b42318; max-width: 360px; overflow-wrap: anywhere; }
form.inline { display: inline; }
button { font: inherit; padding: 2px 10px; border-radius: 4px; border: 1px solid #9aa3af; background: #fff; cursor: pointer; }
button.danger { border-color: #b42318; color: #b42318; }
pre { background: #f0f2f5; padding: 12px; overflow: auto; }
.notice { background: #ecfdf3; border: 1px solid #abefc6; padding: 8px 12px; border-radius: 6px; margin-bottom: 16px; }
`;

export function layout(title: string, body: string, options: { refreshSeconds?: number; signedIn?: { csrf: string } } = {}): string {
  const refresh = options.refreshSeconds ? `<meta http-equiv="refresh" content="${options.refreshSeconds}">` : '';
  const signOut = options.signedIn
    ? `<form class="inline" method="post" action="/admin/sign-out"><input type="hidden" name="csrf" value="${escape(options.signedIn.csrf)}"><button>Sign out</button></form>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${refresh}
<title>${escape(title)} · stockstream</title><style>${STYLE}</style></head>
<body><header><h1>stockstream · dead letters</h1>${signOut}</header><main>${body}</main></body></html>`;
}

export function disabledPage(): string {
  return layout(
    'Admin disabled',
    `<section><h2>Admin is disabled</h2><p>Set <code>ADMIN_API_KEYS</code> (<code>name:key,…</code>) or <code>ADMIN_API_KEY</code> (keys of at least 16 characters) on inventory-api to enable this page and <code>/admin/dlq</code>.</p></section>`,
  );
}

export function signInPage(problem?: string): string {
  return layout(
    'Sign in',
    `<section><h2>Sign in</h2>
${problem ? `<p class="error">${escape(problem)}</p>` : ''}
<form method="post" action="/admin/session">
<label>Admin API key <input type="password" name="apiKey" autocomplete="current-password" required autofocus></label>
<button type="submit">Sign in</button></form></section>`,
  );
}

/** An error of the page, as a page. */
export function errorPage(status: number, title: string, detail: string, errors: FieldError[]): string {
  const fields = errors.map((error) => `<li><code>${escape(error.path)}</code>: ${escape(error.message)}</li>`).join('');
  return layout(
    title,
    `<section><h2>${status} · ${escape(title)}</h2><p>${escape(detail)}</p>${fields ? `<ul>${fields}</ul>` : ''}<p><a href="/admin">Back to the dead letters</a></p></section>`,
  );
}

const age = (seconds: number | null) =>
  seconds === null
    ? '–'
    : seconds < 120
      ? `${seconds} s`
      : seconds < 7200
        ? `${Math.round(seconds / 60)} min`
        : `${Math.round(seconds / 3600)} h`;

const button = (action: string, csrf: string, label: string, extra = '', className = '') =>
  `<form class="inline" method="post" action="${escape(action)}"><input type="hidden" name="csrf" value="${escape(csrf)}">${extra}<button${className ? ` class="${className}"` : ''}>${escape(label)}</button></form>`;

export interface IndexView {
  stats: DeadLetterStats;
  groups: DeadLetterGroup[];
  page: DeadLetterPage;
  filter: { reason?: string | undefined; cause?: string | undefined };
  group: ConsumerGroupState | undefined;
  groupName: string;
  consumption: ConsumptionState;
  perMinute: { minute: string; count: number }[];
  jobs: DeadLetterJob[];
  audit: AuditEntry[];
  csrf: string;
  notice: string | undefined;
  refreshSeconds: number;
}

/** Whether the workers consume, with the button that changes it. */
function consumptionSection({ paused, reason, by, at }: ConsumptionState, csrf: string): string {
  const state = paused
    ? `<p data-testid="consumption"><b>Paused</b> since ${escape(at ?? '?')} by ${escape(by ?? '?')}${reason ? `: ${escape(reason)}` : ''}. The workers hold what is pending.</p>
${button('/admin/resume', csrf, 'Resume consumption')}`
    : `<p data-testid="consumption"><b>Running</b>: the workers read the product stream.</p>
${button('/admin/pause', csrf, 'Pause consumption', '<input name="reason" placeholder="why (optional)" maxlength="500"> ', 'danger')}`;
  return `<section><h2>Consumption</h2>${state}</section>`;
}

/** Dead letters per minute over the last hour: bars in an SVG drawn here, no script. */
export function perMinuteChart(perMinute: { minute: string; count: number }[]): string {
  const width = 600;
  const height = 80;
  const most = Math.max(1, ...perMinute.map(({ count }) => count));
  const bar = width / Math.max(1, perMinute.length);
  const bars = perMinute
    .map(({ minute, count }, i) => {
      const h = count === 0 ? 0 : Math.max(2, Math.round((count / most) * (height - 14)));
      return `<rect x="${(i * bar).toFixed(1)}" y="${height - h}" width="${Math.max(1, bar - 1).toFixed(1)}" height="${h}" fill="#b42318"><title>${escape(minute.slice(11, 16))} UTC: ${count}</title></rect>`;
    })
    .join('');
  const total = perMinute.reduce((sum, { count }) => sum + count, 0);
  return `<svg data-testid="chart" role="img" aria-label="${total} dead letters in the last hour, at most ${most} a minute" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">
<line x1="0" y1="${height - 0.5}" x2="${width}" y2="${height - 0.5}" stroke="#9aa3af"/><text x="2" y="10" font-size="10" fill="#6b7280">${most}/min</text>${bars}</svg>
<p class="muted">Dead letters per minute, last 60 minutes: ${total} in all.</p>`;
}

function groupsSection(groups: DeadLetterGroup[], jobs: DeadLetterJob[], csrf: string): string {
  if (groups.length === 0) return '';
  const running = new Set(jobs.filter((job) => job.status === 'running').map((job) => job.cause));
  const rows = groups
    .map((group) => {
      const types = Object.entries(group.types)
        .map(([type, count]) => `${escape(type)} ${count}`)
        .join(', ');
      const actions = running.has(group.id)
        ? '<span class="muted">job running</span>'
        : `${button(`/admin/groups/${group.id}/replay`, csrf, `Replay ${group.count}`)} ${button(`/admin/groups/${group.id}/purge`, csrf, `Purge ${group.count}`, '', 'danger')}`;
      return `<tr data-testid="group"><td><a href="/admin?cause=${escape(group.id)}">${escape(group.id)}</a></td><td><b>${group.count}</b></td><td>${escape(group.reason)}</td>
<td class="error">${escape(group.fingerprint)}</td><td>${types}</td><td>${escape(group.firstSeen)}<br>${escape(group.lastSeen)}</td><td>${actions}</td></tr>`;
    })
    .join('');
  return `<section><h2>Causes <span class="muted">(largest first)</span></h2>
<table><thead><tr><th>cause</th><th>letters</th><th>reason</th><th>error (ids, numbers and quoted values taken out)</th><th>types</th><th>first / last</th><th></th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function jobsSection(jobs: DeadLetterJob[]): string {
  if (jobs.length === 0) return '';
  const rows = jobs
    .map(
      (
        job,
      ) => `<tr data-testid="job"><td>${escape(job.kind)} of <a href="/admin?cause=${escape(job.cause)}">${escape(job.cause)}</a></td><td data-testid="job-status">${escape(job.status)}</td>
<td><progress max="${Math.max(1, job.total)}" value="${job.processed}"></progress> ${job.processed} of ${job.total}</td><td>${job.succeeded} ${job.kind === 'purge' ? 'purged' : 'replayed'}, ${job.skipped} skipped</td>
<td>${escape(job.actor)}</td><td>${escape(job.startedAt)}</td><td class="error">${escape(job.error ?? '')}</td></tr>`,
    )
    .join('');
  return `<section><h2>Jobs</h2><table><thead><tr><th>job</th><th>status</th><th>progress</th><th>result</th><th>by</th><th>started</th><th></th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

export function auditRows(entries: AuditEntry[]): string {
  const rows = entries
    .map(
      (
        entry,
      ) => `<tr data-testid="audit"><td>${escape(entry.at)}</td><td>${escape(entry.actor)}</td><td>${escape(entry.action)}</td><td>${escape(entry.target ?? '')}</td>
<td>${entry.count ?? ''}</td><td>${escape(entry.outcome)}</td><td>${escape(entry.detail ?? '')}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>when</th><th>who</th><th>action</th><th>target</th><th>count</th><th>outcome</th><th>detail</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function lettersQuery(filter: IndexView['filter'], cursor?: string): string {
  const params = new URLSearchParams();
  if (filter.reason) params.set('reason', filter.reason);
  if (filter.cause) params.set('cause', filter.cause);
  if (cursor) params.set('cursor', cursor);
  const query = params.toString();
  return `/admin${query ? `?${query}` : ''}`;
}

export function indexPage(view: IndexView): string {
  const { stats, groups, page, filter, group, groupName, consumption, perMinute, jobs, audit, csrf, notice, refreshSeconds } = view;
  const reasons = Object.entries(stats.byReason);
  const cards = [
    `<div class="card" data-testid="total">dead letters<b>${stats.total}</b><span class="muted">oldest ${age(stats.oldestAgeSeconds)}</span></div>`,
    ...reasons.map(([name, count]) => `<div class="card">${escape(name)}<b>${count}</b></div>`),
  ].join('');
  const rows = page.items
    .map(
      (letter) => `<tr>
<td><a href="/admin/letters/${escape(letter.id)}">${escape(letter.id)}</a></td><td>${escape(letter.eventId ?? '–')}</td><td>${escape(letter.type ?? '–')}</td>
<td>${escape(productIdOf(letter) ?? '–')}</td><td>${escape(letter.reason)}</td><td class="error">${escape(letter.error)}</td>
<td>${letter.deliveries}</td><td>${escape(letter.failedAt)}</td>
<td>${button(`/admin/letters/${letter.id}/replay`, csrf, 'Replay')} ${button(`/admin/letters/${letter.id}/purge`, csrf, 'Purge', '', 'danger')}</td></tr>`,
    )
    .join('');
  const reasonFilter = [undefined, ...reasons.map(([name]) => name)]
    .map((name) =>
      name === filter.reason && !filter.cause
        ? `<b>${escape(name ?? 'all')}</b>`
        : `<a href="${escape(lettersQuery({ reason: name }))}">${escape(name ?? 'all')}</a>`,
    )
    .join(' · ');
  const showing = filter.cause ? `cause <b>${escape(filter.cause)}</b> · <a href="/admin">all</a>` : reasonFilter;
  const next = page.nextCursor ? `<p><a data-testid="older" href="${escape(lettersQuery(filter, page.nextCursor))}">Older →</a></p>` : '';
  const consumers = (group?.consumers ?? [])
    .map((consumer) => `<tr><td>${escape(consumer.name)}</td><td>${consumer.pending}</td><td>${age(consumer.idleSeconds)}</td></tr>`)
    .join('');
  const groupSection = group
    ? `<div class="cards"><div class="card">lag<b>${group.lag ?? '–'}</b></div><div class="card">pending<b>${group.pending}</b></div>
<div class="card">oldest pending<b>${age(group.oldestPendingIdleSeconds)}</b></div><div class="card">workers seen<b>${group.consumers.length}</b></div></div>
<table><thead><tr><th>consumer</th><th>pending</th><th>idle</th></tr></thead><tbody>${consumers}</tbody></table>`
    : '<p class="muted">The group does not exist yet (no worker has started).</p>';
  return layout(
    'Dead letters',
    `${notice ? `<div class="notice" role="status">${escape(notice)}</div>` : ''}
${consumptionSection(consumption, csrf)}
<section><h2>Dead letters</h2><div class="cards">${cards}</div>${perMinuteChart(perMinute)}</section>
${groupsSection(groups, jobs, csrf)}
${jobsSection(jobs)}
<section><h2>Entries <span class="muted">(newest first · ${showing})</span></h2>
${page.items.length === 0 ? '<p class="muted" data-testid="empty">No dead letters.</p>' : `<table><thead><tr><th>stream id</th><th>event id</th><th>type</th><th>product</th><th>reason</th><th>error</th><th>attempts</th><th>when</th><th></th></tr></thead><tbody>${rows}</tbody></table>`}${next}</section>
<section><h2>Consumer group ${escape(groupName)}</h2>${groupSection}</section>
<section><h2>Recent admin actions <span class="muted">(<a href="/admin/actions">all</a>)</span></h2>${auditRows(audit)}</section>
<p class="muted">Refreshes every ${refreshSeconds} s.</p>`,
    { refreshSeconds, signedIn: { csrf } },
  );
}

export function auditPage(page: AuditPage, csrf: string): string {
  const next = page.nextCursor ? `<p><a data-testid="older" href="/admin/actions?cursor=${escape(page.nextCursor)}">Older →</a></p>` : '';
  return layout(
    'Audit',
    `<p><a href="/admin">← dead letters</a></p><section><h2>Admin actions <span class="muted">(newest first)</span></h2>${auditRows(page.items)}${next}</section>`,
    { signedIn: { csrf } },
  );
}

/** The letter's trace id (from its event's traceparent), a link when a trace UI is configured. */
function traceCell(letter: DeadLetter, traceUiUrl: string | undefined): string {
  const traceparent = typeof letter.original.traceparent === 'string' ? letter.original.traceparent : undefined;
  const traceId = traceIdOf(traceparent);
  if (!traceId) return '<span class="muted">none (tracing was off)</span>';
  return traceUiUrl
    ? `<a data-testid="trace" href="${escape(traceUiUrl.replace('{traceId}', traceId))}">${traceId}</a>`
    : `<code data-testid="trace">${traceId}</code>`;
}

export function letterPage(letter: DeadLetter, csrf: string, traceUiUrl?: string): string {
  return layout(
    `Dead letter ${letter.id}`,
    `<p><a href="/admin">← all dead letters</a></p>
<section><h2>Dead letter ${escape(letter.id)}</h2>
<table><tbody>
<tr><th>original entry</th><td>${escape(letter.originalId)} in ${escape(letter.originalStream)}</td></tr>
<tr><th>reason</th><td>${escape(letter.reason)}</td></tr><tr><th>error</th><td class="error">${escape(letter.error)}</td></tr>
<tr><th>attempts</th><td>${letter.deliveries}</td></tr><tr><th>when</th><td>${escape(letter.failedAt)}</td></tr>
<tr><th>consumer</th><td>${escape(letter.consumer)} (group ${escape(letter.group)})</td></tr>
<tr><th>trace</th><td>${traceCell(letter, traceUiUrl)}</td></tr></tbody></table>
<p>${button(`/admin/letters/${letter.id}/replay`, csrf, 'Replay')} ${button(`/admin/letters/${letter.id}/purge`, csrf, 'Purge', '', 'danger')}</p></section>
<section><h2>The original event</h2><pre>${escape(JSON.stringify(letter.original, null, 2))}</pre></section>`,
    { signedIn: { csrf } },
  );
}

export function confirmPurgePage(letter: DeadLetter, csrf: string): string {
  return layout(
    'Purge?',
    `<section><h2>Purge dead letter ${escape(letter.id)}?</h2>
<p>Its event (${escape(letter.type ?? 'unknown type')}, ${escape(letter.eventId ?? 'no id')}) is deleted for good; it cannot be replayed after.</p>
${button(`/admin/letters/${letter.id}/purge`, csrf, 'Yes, purge it', '<input type="hidden" name="confirmed" value="yes">', 'danger')}
<a href="/admin">Cancel</a></section>`,
    { signedIn: { csrf } },
  );
}

export function confirmGroupPurgePage(group: DeadLetterGroup, csrf: string): string {
  return layout(
    'Purge the group?',
    `<section><h2>Purge all ${group.count} dead letters of cause ${escape(group.id)}?</h2>
<p>${escape(group.reason)}: <span class="error">${escape(group.fingerprint)}</span></p>
<p>Their events are deleted for good; they cannot be replayed after.</p>
${button(`/admin/groups/${group.id}/purge`, csrf, `Yes, purge ${group.count}`, '<input type="hidden" name="confirmed" value="yes">', 'danger')}
<a href="/admin">Cancel</a></section>`,
    { signedIn: { csrf } },
  );
}
