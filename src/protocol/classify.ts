/**
 * URL → kind: what a captured call is, from its method and URL alone (bodies may be absent or drift).
 * The kinds are the ones listed in docs/architecture.md; `other` keeps everything else, labelled.
 */

export const KINDS = [
  'conversation',
  'conversation_prepare',
  'sentinel',
  'gen_title',
  'lat_r',
  'ces',
  'statsig',
  'prompt_library',
  'accounts_check',
  'conversations_list',
  'conversation_get',
  'auth_session',
  'websocket',
  'other',
] as const;
export type Kind = (typeof KINDS)[number];

const CHATGPT_HOSTS = new Set(['chatgpt.com', 'chat.openai.com']);
const STATSIG_HOSTS = new Set([
  'ab.chatgpt.com',
  'featuregates.org',
  'events.statsigapi.net',
  'api.statsig.com',
]);

/** `/backend-api/…`, `/backend-anon/…`, `/backend-alt/…`, optionally followed by `/f/`. */
const API_PREFIX = /^\/backend-(?:api|anon|alt)(?:\/f)?(\/.*)?$/;
const UUIDISH = '[0-9a-zA-Z-]{8,}';

interface Rule {
  kind: Kind;
  /** Path after the backend prefix (and after an optional `/f`). */
  path: RegExp;
  methods?: readonly string[];
}

// Order matters: the first matching rule wins.
const API_RULES: readonly Rule[] = [
  { kind: 'conversation_prepare', path: /^\/conversation\/prepare\/?$/ },
  { kind: 'gen_title', path: new RegExp(`^/conversation/gen_title/${UUIDISH}/?$`) },
  { kind: 'conversation', path: /^\/conversation\/resume\/?$/ },
  { kind: 'conversation', path: /^\/conversation\/?$/, methods: ['POST'] },
  {
    kind: 'conversation_get',
    path: new RegExp(`^/conversation/${UUIDISH}(?:/stream_status|/async-status)?/?$`),
  },
  { kind: 'conversations_list', path: /^\/conversations\/?$/ },
  { kind: 'sentinel', path: /^\/sentinel(?:\/.*)?$/ },
  { kind: 'lat_r', path: /^\/lat\/r\/?$/ },
  { kind: 'prompt_library', path: /^\/prompt_library(?:\/.*)?$/ },
  { kind: 'accounts_check', path: /^\/accounts\/check(?:\/.*)?$/ },
  { kind: 'websocket', path: /^\/register-websocket\/?$/ },
  { kind: 'websocket', path: /^\/celsius\/ws\/user\/?$/ },
];

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

export function classify(method: string, url: string): Kind {
  const u = parse(url);
  if (!u) return 'other';
  const host = u.hostname.toLowerCase();
  if (u.protocol === 'ws:' || u.protocol === 'wss:') return 'websocket';
  if (STATSIG_HOSTS.has(host)) return 'statsig';
  if (!CHATGPT_HOSTS.has(host)) return 'other';
  const path = u.pathname;
  if (path === '/ces' || path.startsWith('/ces/')) return 'ces';
  if (path === '/api/auth/session') return 'auth_session';
  const api = API_PREFIX.exec(path);
  if (!api) return 'other';
  const rest = api[1] ?? '/';
  const m = method.toUpperCase();
  for (const rule of API_RULES) {
    if (rule.path.test(rest) && (!rule.methods || rule.methods.includes(m))) return rule.kind;
  }
  return 'other';
}

/** The conversation id a URL names, if any (gen_title/{id}, conversation/{id}, page URL /c/{id}). */
export function conversationIdFromUrl(url: string): string | null {
  const u = parse(url);
  if (!u) return null;
  const m =
    /\/conversation\/gen_title\/([0-9a-f-]{36})/i.exec(u.pathname) ??
    /\/conversation\/([0-9a-f-]{36})(?:\/|$)/i.exec(u.pathname) ??
    /^\/(?:g\/[^/]+\/)?c\/([0-9a-f-]{36})/i.exec(u.pathname);
  return m?.[1]?.toLowerCase() ?? null;
}
