/**
 * (method, URL) → kind: what a captured call is, from its method and URL alone (bodies may be absent or
 * drift). The kinds are the ones listed in DESIGN.md, plus `conversation_update`; `other` keeps everything
 * else, labelled. The method matters: one path can name several operations (`GET conversation/{id}`
 * downloads the tree, `PATCH` renames or hides it; docs/protocol.md §2, §13), so every rule lists the
 * methods of the operation it names and a known path with another method is `other`.
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
  'conversation_update',
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
  /** Upper-case methods of the operation this rule names. */
  methods: readonly string[];
}

const GET = ['GET'] as const;
const POST = ['POST'] as const;

// Order matters: the first rule whose path and method match wins.
const API_RULES: readonly Rule[] = [
  { kind: 'conversation_prepare', path: /^\/conversation\/prepare\/?$/, methods: POST },
  { kind: 'gen_title', path: new RegExp(`^/conversation/gen_title/${UUIDISH}/?$`), methods: POST },
  { kind: 'conversation', path: /^\/conversation\/resume\/?$/, methods: POST },
  { kind: 'conversation', path: /^\/conversation\/?$/, methods: POST },
  // The polling fallback (§5.5): stream_status is read, async-status is posted (and read by some builds).
  { kind: 'conversation_get', path: new RegExp(`^/conversation/${UUIDISH}/stream_status/?$`), methods: GET },
  {
    kind: 'conversation_get',
    path: new RegExp(`^/conversation/${UUIDISH}/async-status/?$`),
    methods: ['GET', 'POST'],
  },
  { kind: 'conversation_get', path: new RegExp(`^/conversation/${UUIDISH}/?$`), methods: GET },
  // Sidebar rename / hide (delete) / archive of one conversation (§13), and the DELETE some clients use.
  {
    kind: 'conversation_update',
    path: new RegExp(`^/conversation/${UUIDISH}/?$`),
    methods: ['PATCH', 'DELETE'],
  },
  { kind: 'conversations_list', path: /^\/conversations\/?$/, methods: GET },
  // "Clear / archive all chats": `PATCH …/conversations {"is_visible": false}` (§13).
  { kind: 'conversation_update', path: /^\/conversations\/?$/, methods: ['PATCH'] },
  { kind: 'sentinel', path: /^\/sentinel(?:\/.*)?$/, methods: POST },
  // Posted (§2). A GET is kept lat_r as well: the path names no other operation.
  { kind: 'lat_r', path: /^\/lat\/r\/?$/, methods: ['POST', 'GET'] },
  { kind: 'prompt_library', path: /^\/prompt_library(?:\/.*)?$/, methods: GET },
  { kind: 'accounts_check', path: /^\/accounts\/check(?:\/.*)?$/, methods: GET },
  { kind: 'websocket', path: /^\/register-websocket\/?$/, methods: POST },
  { kind: 'websocket', path: /^\/celsius\/ws\/user\/?$/, methods: GET },
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
    if (rule.methods.includes(m) && rule.path.test(rest)) return rule.kind;
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
