/**
 * The schema registry: one schema module per endpoint family, keyed by the classifier's kinds. A body that
 * fails its schema is reported `unrecognized` with the first issue's path (schema drift); the caller keeps
 * it raw. Nothing here throws on input.
 */
import type { ZodType, z } from 'zod';
import type { Kind } from '../classify';
import { accountsCheck } from './accounts-check';
import { authSession } from './auth-session';
import { ces } from './ces';
import { errorResponse } from './common';
import { conversation } from './conversation';
import { conversationGet } from './conversation-get';
import { conversationPrepare } from './conversation-prepare';
import { conversationUpdate } from './conversation-update';
import { conversationsList } from './conversations-list';
import type { Route, SchemaFamily } from './family';
import { genTitle } from './gen-title';
import { latR } from './lat-r';
import { promptLibrary } from './prompt-library';
import { sentinel } from './sentinel';
import { statsig } from './statsig';
import { websocket } from './websocket';

export type { Route, SchemaFamily } from './family';

export const FAMILIES: Record<Kind, SchemaFamily> = {
  conversation,
  conversation_prepare: conversationPrepare,
  sentinel,
  gen_title: genTitle,
  lat_r: latR,
  ces,
  statsig,
  prompt_library: promptLibrary,
  accounts_check: accountsCheck,
  conversations_list: conversationsList,
  conversation_get: conversationGet,
  conversation_update: conversationUpdate,
  auth_session: authSession,
  websocket,
  // Everything else the page fetched: kept and labelled, no schema.
  other: {},
};

function sides(family: SchemaFamily): { request?: ZodType; response?: ZodType } {
  const out: { request?: ZodType; response?: ZodType } = {};
  if (family.request) out.request = family.request;
  if (family.response) out.response = family.response;
  return out;
}

/** The family-level schema of every kind (the union of its endpoints' shapes). */
export const SCHEMAS: Record<Kind, { request?: ZodType; response?: ZodType }> = Object.fromEntries(
  Object.entries(FAMILIES).map(([kind, family]) => [kind, sides(family)]),
) as Record<Kind, { request?: ZodType; response?: ZodType }>;

export type Side = 'request' | 'response';
export type ValidationStatus = 'ok' | 'unrecognized' | 'not-json' | 'empty' | 'binary' | 'no-schema';

export interface ValidationIssue {
  /** JSON Pointer to the offending member (`""` is the body itself). */
  path: string;
  message: string;
}

export interface ValidationResult {
  status: ValidationStatus;
  issue?: ValidationIssue;
}

export interface ValidationContext {
  /** The call's URL: picks the endpoint's own schema within the family. */
  url?: string;
  /** HTTP status: error responses (4xx, 5xx) are checked against the `{detail}` error shape. */
  status?: number;
}

function pathname(url: string | undefined): string | null {
  if (url === undefined) return null;
  try {
    return new URL(url).pathname;
  } catch {
    return null;
  }
}

function routeFor(family: SchemaFamily, url: string | undefined): Route | null {
  const path = pathname(url);
  if (path === null) return null;
  return family.routes?.find((r) => r.path.test(path)) ?? null;
}

/** The schema that applies, and whether the body may be NDJSON. */
function schemaFor(
  kind: Kind,
  side: Side,
  context: ValidationContext,
): { schema: ZodType; ndjson: boolean } | null {
  if (side === 'response' && context.status !== undefined && context.status >= 400 && kind !== 'other') {
    return { schema: errorResponse, ndjson: false };
  }
  const family = FAMILIES[kind];
  const route = routeFor(family, context.url);
  const routed = route?.[side];
  if (route && routed) return { schema: routed, ndjson: side === 'request' && route.ndjson === true };
  // A known endpoint of the family that has no body on this side (e.g. sentinel/ping's request).
  if (route) return null;
  const schema = family[side];
  return schema ? { schema, ndjson: false } : null;
}

/** Newline-delimited JSON: every non-empty line must parse. */
function parseNdjson(body: string): unknown[] | null {
  const lines = body.split(/\r?\n/).filter((l) => l.trim() !== '');
  const out: unknown[] = [];
  for (const line of lines) {
    try {
      out.push(JSON.parse(line) as unknown);
    } catch {
      return null;
    }
  }
  return out;
}

function pointer(path: readonly PropertyKey[]): string {
  return path.map((k) => `/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * For a union, zod reports one `invalid_union` at the top; the branch that got furthest into the body
 * names the member that drifted, so report its issue.
 */
function deepestIssue(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[],
): ValidationIssue & { depth: number } {
  let best: (ValidationIssue & { depth: number }) | null = null;
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    let candidate: ValidationIssue & { depth: number };
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const branches = issue.errors.map((branch) => deepestIssue(branch, path));
      candidate = branches.reduce((a, b) => (b.depth > a.depth ? b : a));
    } else {
      candidate = { path: pointer(path), message: issue.message, depth: path.length };
    }
    if (best === null || candidate.depth > best.depth) best = candidate;
  }
  return best ?? { path: pointer(prefix), message: 'invalid', depth: prefix.length };
}

export function validateBody(
  kind: Kind,
  side: Side,
  body: string | null,
  encoding: 'text' | 'base64',
  context: ValidationContext = {},
): ValidationResult {
  if (body === null || body.trim() === '') return { status: 'empty' };
  // Bytes (gzip Statsig batches, images) are stored base64; there is nothing to check without inflating.
  if (encoding === 'base64') return { status: 'binary' };
  const found = schemaFor(kind, side, context);
  if (!found) return { status: 'no-schema' };
  let value: unknown;
  try {
    value = JSON.parse(body) as unknown;
  } catch {
    const lines = found.ndjson ? parseNdjson(body) : null;
    if (lines === null) return { status: 'not-json' };
    value = lines;
  }
  if (found.ndjson && !Array.isArray(value)) value = [value];
  const result = found.schema.safeParse(value);
  if (result.success) return { status: 'ok' };
  const { path, message } = deepestIssue(result.error.issues, []);
  return { status: 'unrecognized', issue: { path, message } };
}
