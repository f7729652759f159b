// The operator console: plain DOM over the admin API (no framework, no build step). Every value
// that comes from the API or the page's URL (appids and names come from merchants) reaches the page
// through textContent or a property, never as markup; the page's CSP requires Trusted Types, so an
// innerHTML-style sink would refuse a string anyway.

const API = document.querySelector('meta[name="op-admin-api"]')?.getAttribute('content') ?? '';
const view = /** @type {HTMLElement} */ (document.getElementById('view'));
const title = /** @type {HTMLElement} */ (document.getElementById('title'));
const notice = /** @type {HTMLElement} */ (document.getElementById('notice'));

const STATUSES = ['active', 'revoked', 'reauthorization_required', 'no_api_permission'];
const STATUS_LABELS = {
  active: ['Active', 'ok'],
  revoked: ['Revoked', 'off'],
  reauthorization_required: ['Re-authorization required', 'bad'],
  no_api_permission: ['No API permission', 'warn'],
};
const FILTERS = [
  'status',
  'platform',
  'component',
  'expiringWithinMinutes',
  'lastRenewalFailed',
  'appIdPrefix',
  'limit',
];

/** An answer of the admin API that is not a 2xx. */
class ApiError extends Error {
  /** @param {number} status @param {string} message @param {unknown} code */
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * An element: `props` are set as properties (`text` as textContent, `on` as listeners), so no
 * value is ever parsed as HTML.
 * @param {string} tag
 * @param {Record<string, any>} [props]
 * @param {Array<Node | string | null | undefined | false>} children
 */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (name === 'text') node.textContent = String(value);
    else if (name === 'on') for (const [type, fn] of Object.entries(value)) node.addEventListener(type, fn);
    else if (name === 'class') node.className = value;
    else if (name.startsWith('aria-') || name.startsWith('data-') || name === 'role' || name === 'for')
      node.setAttribute(name, String(value));
    else /** @type {any} */ (node)[name] = value;
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

/**
 * Calls the admin API. State-changing calls carry the header the API's CSRF check asks for.
 * @param {string} path @param {{ method?: string, body?: unknown }} [init]
 */
async function api(path, init = {}) {
  const method = init.method ?? 'GET';
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (method !== 'GET') headers['x-requested-with'] = 'nest-open-platform-console';
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(API + path, {
    method,
    headers,
    credentials: 'same-origin',
    cache: 'no-store',
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  let data;
  try {
    data = await res.json();
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const message = typeof data?.message === 'string' ? data.message : res.statusText || 'request failed';
    throw new ApiError(res.status, message, data?.code);
  }
  return data;
}

/** @param {string} text @param {boolean} [error] */
function say(text, error = false) {
  notice.textContent = text;
  notice.className = error ? 'error' : '';
}

/** @param {unknown} err */
function sayError(err) {
  if (err instanceof ApiError)
    say(`The admin API answered ${err.status}${err.code ? ` ${err.code}` : ''}: ${err.message}`, true);
  else say(`The request failed: ${err instanceof Error ? err.message : String(err)}`, true);
}

/** A time as `YYYY-MM-DD hh:mm:ss UTC` and how far it is from now. @param {number | undefined} ms */
function when(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return el('span', { class: 'sub', text: '—' });
  const iso = new Date(ms).toISOString();
  return el(
    'time',
    { dateTime: iso },
    `${iso.slice(0, 19).replace('T', ' ')} UTC`,
    el('span', { class: 'sub', text: relative(ms - Date.now()) }),
  );
}

/** @param {number} diff */
function relative(diff) {
  const abs = Math.abs(diff);
  const text =
    abs < 60_000
      ? `${Math.round(abs / 1000)} s`
      : abs < 3_600_000
        ? `${Math.round(abs / 60_000)} min`
        : abs < 172_800_000
          ? `${(abs / 3_600_000).toFixed(1)} h`
          : `${Math.round(abs / 86_400_000)} days`;
  return diff >= 0 ? `in ${text}` : `${text} ago`;
}

/** @param {string} text @param {'ok' | 'off' | 'bad' | 'warn'} kind */
function badge(text, kind) {
  return el('span', { class: `badge ${kind}`, text });
}

/** @param {string} status */
function statusBadge(status) {
  const [label, kind] = STATUS_LABELS[/** @type {keyof typeof STATUS_LABELS} */ (status)] ?? [status, 'warn'];
  return badge(label, /** @type {any} */ (kind));
}

/** A table in a focusable scrolling region (keyboard users can scroll it). */
function table(label, headings, rows, caption) {
  return el(
    'div',
    { class: 'scroll', role: 'region', 'aria-label': label, tabIndex: 0 },
    el(
      'table',
      {},
      caption ? el('caption', { text: caption }) : null,
      el('thead', {}, el('tr', {}, ...headings.map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, ...rows),
    ),
  );
}

/** @param {string} componentAppId @param {string} authorizerAppId */
function authorizerHref(componentAppId, authorizerAppId) {
  return `#/authorizer/${encodeURIComponent(componentAppId)}/${encodeURIComponent(authorizerAppId)}`;
}

function setTitle(text) {
  title.textContent = text;
  document.title = `${text} · Open platform console`;
}

/** @param {string} section */
function markSection(section) {
  for (const a of document.querySelectorAll('nav a[data-section]')) {
    if (a.getAttribute('data-section') === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// ---- components ----

async function showComponents() {
  markSection('components');
  setTitle('Components');
  const { components } = await api('/components');
  const linkArea = el('div');
  const rows = components.map((c) => {
    const t = c.ticket;
    const ticket = !t.held ? badge('No ticket', 'bad') : t.usable ? badge('Usable', 'ok') : badge('Expired', 'bad');
    const token = c.componentToken.valid ? badge('Valid', 'ok') : badge('Not cached', 'off');
    const counts = c.authorizers;
    const failure = c.lastRenewalFailure;
    const syncButton = el('button', {
      type: 'button',
      text: 'Sync from platform',
      'aria-label': `Sync from platform (${c.componentAppId})`,
      on: { click: () => syncComponent(c.componentAppId, syncButton) },
    });
    const linkButton = el('button', {
      type: 'button',
      text: 'Authorization link',
      'aria-label': `Authorization link (${c.componentAppId})`,
      on: { click: () => createLink(c.componentAppId, undefined, linkArea, linkButton) },
    });
    return el(
      'tr',
      {},
      el(
        'th',
        { scope: 'row' },
        el('span', { class: 'mono', text: c.componentAppId }),
        el('span', { class: 'sub', text: c.platform }),
      ),
      el(
        'td',
        {},
        ticket,
        t.ageMs !== undefined
          ? el('span', { class: 'sub', text: `age ${relative(t.ageMs).replace('in ', '')}` })
          : null,
      ),
      el('td', {}, when(t.receivedAt)),
      el('td', {}, when(t.expiresAt)),
      el('td', {}, token, c.componentToken.valid ? when(c.componentToken.expiresAt) : null),
      el(
        'td',
        {},
        el('a', {
          href: `#/authorizers?component=${encodeURIComponent(c.componentAppId)}`,
          text: `${counts.total} in total`,
        }),
        el('span', {
          class: 'sub',
          text: `${counts.active ?? 0} active · ${counts.revoked ?? 0} revoked · ${counts.reauthorization_required ?? 0} need re-authorization`,
        }),
      ),
      el(
        'td',
        {},
        failure
          ? el(
              'span',
              {},
              badge(`Failed: ${failure.code}`, 'bad'),
              el('span', { class: 'sub', text: failure.message }),
              when(failure.at),
            )
          : el('span', { class: 'sub', text: 'none' }),
      ),
      el('td', {}, el('div', { class: 'actions' }, syncButton, linkButton)),
    );
  });
  view.replaceChildren(
    components.length === 0
      ? el('p', { class: 'empty', text: 'No component is configured.' })
      : table(
          'Components',
          [
            'Component',
            'Ticket',
            'Last ticket push',
            'Ticket expires',
            'Component token',
            'Authorizers',
            'Last renewal failure',
            'Actions',
          ],
          rows,
          'Component tokens are never shown, only whether one is valid and when it expires.',
        ),
    linkArea,
  );
}

/** @param {string} componentAppId @param {HTMLButtonElement} button */
async function syncComponent(componentAppId, button) {
  button.disabled = true;
  say(`Syncing ${componentAppId} from the platform…`);
  try {
    const r = await api(`/components/${encodeURIComponent(componentAppId)}/sync`, { method: 'POST' });
    say(`Synced ${componentAppId}: ${r.total} authorizers on the platform, ${r.restored} restored here.`);
  } catch (err) {
    sayError(err);
  } finally {
    button.disabled = false;
  }
}

/**
 * Creates an authorization link and shows it as a copyable URL and a QR code.
 * @param {string} componentAppId @param {string | undefined} bizAppId @param {HTMLElement} area
 * @param {HTMLButtonElement} button
 */
async function createLink(componentAppId, bizAppId, area, button) {
  button.disabled = true;
  try {
    const link = await api(`/components/${encodeURIComponent(componentAppId)}/authorization-link`, {
      method: 'POST',
      body: bizAppId ? { bizAppId } : {},
    });
    const input = el('input', { id: 'link-url', type: 'text', readOnly: true, value: link.url, class: 'mono' });
    const copy = el('button', {
      type: 'button',
      text: 'Copy link',
      on: {
        click: async () => {
          try {
            await navigator.clipboard.writeText(input.value);
          } catch {
            input.select(); // no clipboard access: leave it selected for Ctrl-C
          }
          say('The link is copied. Send it to the merchant: each visit starts a fresh authorization.');
        },
      },
    });
    const qr =
      typeof link.qrSvg === 'string' && link.qrSvg.startsWith('<svg')
        ? el('img', {
            src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(link.qrSvg)}`,
            alt: 'QR code of the authorization link',
            id: 'link-qr',
          })
        : null;
    area.replaceChildren(
      el('h2', {
        text: bizAppId ? `Re-authorization link for ${bizAppId}` : `Authorization link for ${componentAppId}`,
      }),
      el(
        'div',
        { class: 'link-panel' },
        el(
          'div',
          {},
          el('div', { class: 'field' }, el('label', { for: 'link-url', text: 'Link to send to the merchant' }), input),
          el('div', { class: 'actions' }, copy),
          el('p', { class: 'sub', text: 'The link holds no code and does not expire.' }),
        ),
        qr,
      ),
    );
    say('Authorization link created.');
  } catch (err) {
    sayError(err);
  } finally {
    button.disabled = false;
  }
}

// ---- authorizers ----

/** @param {URLSearchParams} params */
async function showAuthorizers(params) {
  markSection('authorizers');
  setTitle('Authorizers');
  const form = filterForm(params);
  view.replaceChildren(form, el('p', { class: 'empty', text: 'Loading…' }));
  // One round trip for the page, whatever the filters: the API pages on the server.
  let page;
  try {
    page = await api(`/authorizers?${params.toString()}`);
  } catch (err) {
    // Keep the form: the operator corrects the filter the API refused.
    view.replaceChildren(form, el('p', { class: 'empty', text: 'No authorizer can be shown for these filters.' }));
    return sayError(err);
  }
  const rows = page.items.map((a) =>
    el(
      'tr',
      {},
      el(
        'th',
        { scope: 'row' },
        el('a', { class: 'mono', href: authorizerHref(a.componentAppId, a.authorizerAppId), text: a.authorizerAppId }),
      ),
      el('td', { class: 'mono', text: a.componentAppId }),
      el('td', { text: a.platform }),
      el('td', {}, statusBadge(a.status)),
      el('td', {}, when(a.accessTokenExpiresAt)),
      el('td', {}, when(a.refreshTokenExpiresAt)),
      el('td', {}, when(a.authorizedAt)),
    ),
  );
  const pager = el('div', { class: 'pager' });
  if (params.has('cursor')) {
    const first = new URLSearchParams(params);
    first.delete('cursor');
    pager.append(el('a', { href: `#/authorizers?${first.toString()}`, text: 'First page' }));
  }
  if (page.nextCursor) {
    const next = new URLSearchParams(params);
    next.set('cursor', page.nextCursor);
    pager.append(
      el('button', {
        type: 'button',
        text: 'Next page',
        on: { click: () => (location.hash = `#/authorizers?${next.toString()}`) },
      }),
    );
  }
  view.replaceChildren(
    form,
    rows.length === 0
      ? el('p', {
          class: 'empty',
          // A page examines a bounded number of records: with a rare filter it may hold none yet.
          text: page.nextCursor
            ? `None of the ${page.scanned} records examined for this page matches; the next page goes on searching.`
            : 'No authorizer matches these filters.',
        })
      : table(
          'Authorizers',
          [
            'Authorizer',
            'Component',
            'Platform',
            'Status',
            'Access token expires',
            'Refresh token expires',
            'Authorized',
          ],
          rows,
          `${rows.length} shown of ${page.scanned} examined${page.nextCursor ? '; more on the next page' : ''}. Order: component, then appid.`,
        ),
    pager,
  );
}

/** The filter form, filled from the page's URL; submitting it changes the URL. @param {URLSearchParams} params */
function filterForm(params) {
  /** @param {string} id @param {string} label @param {HTMLElement} control */
  const field = (id, label, control) => el('div', { class: 'field' }, el('label', { for: id, text: label }), control);
  /** @param {string} name @param {Array<[string, string]>} options */
  const select = (name, options) => {
    const s = el('select', { id: `f-${name}`, name }, ...options.map(([value, text]) => el('option', { value, text })));
    s.value = params.get(name) ?? '';
    if (s.value !== (params.get(name) ?? '')) s.value = '';
    return s;
  };
  /** @param {string} name @param {Record<string, any>} props */
  const input = (name, props) => el('input', { id: `f-${name}`, name, value: params.get(name) ?? '', ...props });
  const form = el(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter authorizers' },
    field('f-status', 'Status', select('status', [['', 'Any'], ...STATUSES.map((s) => [s, STATUS_LABELS[s][0]])])),
    field(
      'f-platform',
      'Platform',
      select('platform', [
        ['', 'Any'],
        ['wechat', 'WeChat'],
        ['douyin', 'Douyin'],
      ]),
    ),
    field(
      'f-component',
      'Component appid',
      input('component', { type: 'text', autocomplete: 'off', spellcheck: false }),
    ),
    field(
      'f-appIdPrefix',
      'Appid starts with',
      input('appIdPrefix', { type: 'text', autocomplete: 'off', spellcheck: false }),
    ),
    field(
      'f-expiringWithinMinutes',
      'Token expires within (minutes)',
      input('expiringWithinMinutes', { type: 'number', min: 0, max: 10080, inputMode: 'numeric' }),
    ),
    field(
      'f-lastRenewalFailed',
      'Last renewal',
      select('lastRenewalFailed', [
        ['', 'Any'],
        ['true', 'Failed'],
        ['false', 'Did not fail'],
      ]),
    ),
    field(
      'f-limit',
      'Per page',
      select('limit', [
        ['', '50'],
        ['25', '25'],
        ['100', '100'],
        ['200', '200'],
      ]),
    ),
    el(
      'div',
      { class: 'actions' },
      el('button', { type: 'submit', class: 'primary', text: 'Apply filters' }),
      el('a', { href: '#/authorizers', text: 'Clear' }),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const name of FILTERS) {
      const value = /** @type {HTMLInputElement} */ (form.elements.namedItem(name))?.value.trim();
      if (value) next.set(name, value);
    }
    const hash = `#/authorizers?${next.toString()}`;
    if (location.hash === hash) void route();
    else location.hash = hash;
  });
  return form;
}

// ---- one authorizer ----

/** @param {string} componentAppId @param {string} authorizerAppId */
async function showAuthorizer(componentAppId, authorizerAppId) {
  markSection('authorizers');
  setTitle(`Authorizer ${authorizerAppId}`);
  view.replaceChildren(el('p', { class: 'empty', text: 'Loading…' }));
  const path = `/components/${encodeURIComponent(componentAppId)}/authorizers/${encodeURIComponent(authorizerAppId)}`;
  const { authorizer: a, history } = await api(path);
  const linkArea = el('div');
  const act = (label, cls, run) => {
    const b = el('button', { type: 'button', class: cls, text: label });
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        await run(b);
      } catch (err) {
        sayError(err);
      } finally {
        b.disabled = false;
      }
    });
    return b;
  };
  const renew = act('Renew now', 'primary', async () => {
    say(`Renewing the access token of ${authorizerAppId}…`);
    const r = await api(`${path}/renew`, { method: 'POST' });
    await showAuthorizer(componentAppId, authorizerAppId);
    const iso = new Date(r.accessTokenExpiresAt).toISOString().slice(0, 19).replace('T', ' ');
    say(`Renewed: the access token of ${authorizerAppId} now expires at ${iso} UTC.`);
  });
  renew.id = 'renew';
  if (a.status !== 'active') {
    renew.disabled = true;
    renew.title = 'Only an active authorizer has a token to renew';
  }
  const revoke = act('Revoke locally…', 'danger', async () => {
    const ok = window.confirm(
      `Mark ${authorizerAppId} revoked here? Its tokens are dropped and it leaves the renewal schedule. The platform is not told; the merchant must authorize again.`,
    );
    if (!ok) return say('Nothing changed.');
    await api(`${path}/revoke`, { method: 'POST' });
    await showAuthorizer(componentAppId, authorizerAppId);
    say(`${authorizerAppId} is marked revoked here.`);
  });
  revoke.id = 'revoke';
  const sync = act('Sync component', '', async (b) => syncComponent(componentAppId, b));
  const link = act('Create re-authorization link', '', async (b) =>
    createLink(componentAppId, authorizerAppId, linkArea, b),
  );
  link.id = 'create-link';
  const facts = [
    ['Status', statusBadge(a.status)],
    ['Component', el('span', { class: 'mono', text: a.componentAppId })],
    ['Platform', a.platform],
    ['Permissions', a.permissions.length ? a.permissions.join(', ') : 'none'],
    ['Access token expires', el('span', { id: 'access-expiry' }, when(a.accessTokenExpiresAt))],
    ['Refresh token expires', when(a.refreshTokenExpiresAt)],
    ['Authorized', when(a.authorizedAt)],
    ['Record updated', when(a.updatedAt)],
  ];
  const entries = [...history]
    .reverse()
    .map((e) =>
      el('tr', {}, el('td', {}, when(e.at)), el('td', {}, historyKind(e.kind)), el('td', { text: historyDetail(e) })),
    );
  view.replaceChildren(
    el(
      'p',
      {},
      el('a', {
        href: `#/authorizers?component=${encodeURIComponent(a.componentAppId)}`,
        text: '← Authorizers of this component',
      }),
    ),
    el(
      'section',
      { 'aria-labelledby': 'facts-h' },
      el('h2', { id: 'facts-h', text: 'Facts' }),
      el('dl', { class: 'facts' }, ...facts.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', {}, v)])),
    ),
    el(
      'section',
      { 'aria-labelledby': 'actions-h' },
      el('h2', { id: 'actions-h', text: 'Actions' }),
      el('div', { class: 'actions' }, renew, sync, link, revoke),
      linkArea,
    ),
    el(
      'section',
      { 'aria-labelledby': 'history-h' },
      el('h2', { id: 'history-h', text: 'History' }),
      entries.length
        ? table('History', ['When', 'What', 'Details'], entries, 'Newest first.')
        : el('p', { class: 'empty', text: 'No history recorded yet.' }),
    ),
  );
}

/** @param {string} kind */
function historyKind(kind) {
  const kinds = { failed: 'bad', reauthorization_required: 'bad', revoked: 'off', admin: 'warn' };
  return badge(kind.replaceAll('_', ' '), /** @type {any} */ (kinds)[kind] ?? 'ok');
}

/** @param {any} e */
function historyDetail(e) {
  if (e.kind === 'admin') return `${e.action ?? ''} by ${e.actor ?? 'unknown'}: ${e.outcome ?? ''}`;
  if (e.error) return `${e.error.code}: ${e.error.message}`;
  if (typeof e.expiresAt === 'number')
    return `new token expires ${new Date(e.expiresAt).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  return '';
}

// ---- routing ----

/** Renders the view the hash names: `#/components`, `#/authorizers?…`, `#/authorizer/{component}/{appid}`. */
async function route() {
  const hash = location.hash || '#/components';
  const at = hash.indexOf('?');
  const path = at < 0 ? hash.slice(1) : hash.slice(1, at);
  const query = at < 0 ? '' : hash.slice(at + 1);
  const parts = path.split('/').filter(Boolean);
  try {
    if (parts[0] === 'authorizers') return await showAuthorizers(new URLSearchParams(query));
    if (parts[0] === 'authorizer' && parts.length === 3) {
      let component, appId;
      try {
        component = decodeURIComponent(parts[1]);
        appId = decodeURIComponent(parts[2]);
      } catch {
        throw new Error('the address of this page is malformed');
      }
      return await showAuthorizer(component, appId);
    }
    return await showComponents();
  } catch (err) {
    view.replaceChildren(el('p', { class: 'empty', text: 'This page could not be loaded.' }));
    sayError(err);
  }
}

window.addEventListener('hashchange', () => {
  say('');
  void route().then(() => title.focus());
});
void route();
