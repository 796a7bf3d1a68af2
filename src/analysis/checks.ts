/**
 * Flow checks: named expectations about how the ChatGPT web app sends a conversation (docs/protocol.md §3,
 * §4, §7), each with pass/fail/skip and the evidence that decided it. A check that does not apply to the era
 * or to what was captured is `skip`, with the reason, rather than a false failure.
 */
import type { BodyIssue, FlowCheck, FlowRule, Turn } from './types';

export interface CheckContext {
  conversationId: string;
  /** Host of the sends (chat.openai.com is the 2023–24 client that sent starter suggestions). */
  host: string | null;
  turns: readonly Turn[];
  /** Message ids known from outside the captured turns (conversation/{id} `mapping` of an opened chat). */
  historyIds: ReadonlySet<string>;
  /** A lat/r exists in the turns' page sessions (the 2026 logged-out capture has none at all). */
  latRSeen: boolean;
  bodyIssues: readonly BodyIssue[];
  /** Calls of the conversation whose bodies were validated. */
  validatedCallIds: readonly string[];
}

const NAMES: Record<FlowRule, string> = {
  'new-chat-request': 'New chat: first request has no conversation_id and a client-made parent',
  'new-chat-suggestions': 'New chat: first request carries the starter suggestions (2023 client)',
  'continuation-request': 'Follow-up: conversation_id and parent_message_id, no suggestions',
  'conversation-id-stable': 'The conversation id stays the same across turns',
  'gen-title-id': 'gen_title names this conversation',
  'parent-known': 'parent_message_id names a message seen earlier',
  'lat-r-linked': 'lat/r reports this turn by its request id',
  'bodies-recognized': 'Every body matches its schema',
};

const CLIENT_ROOT = 'client-created-root';
const q = (v: string | null | undefined) => (v === null || v === undefined ? 'none' : `"${v}"`);

function check(
  rule: FlowRule,
  status: FlowCheck['status'],
  evidence: string,
  callIds: string[],
  turnIndex?: number,
): FlowCheck {
  const c: FlowCheck = {
    id: turnIndex === undefined ? rule : `${rule}#${turnIndex}`,
    rule,
    name: NAMES[rule],
    status,
    evidence,
    callIds,
  };
  if (turnIndex !== undefined) c.turnIndex = turnIndex;
  return c;
}

/** Every message id a turn made known: the user message, the parent it named, the stream's messages. */
function idsOfTurn(t: Turn): string[] {
  const ids: string[] = [];
  if (t.messageIds.user) ids.push(t.messageIds.user);
  if (t.messageIds.assistant) ids.push(t.messageIds.assistant);
  if (t.decoded.userMessageId) ids.push(t.decoded.userMessageId);
  for (const m of t.decoded.messages) ids.push(m.id);
  return ids;
}

export function runChecks(ctx: CheckContext): FlowCheck[] {
  const out: FlowCheck[] = [];
  const { turns, conversationId } = ctx;
  const first = turns[0];

  // New chat shape, on the first captured turn.
  if (!first) {
    out.push(check('new-chat-request', 'skip', 'no conversation request captured', []));
  } else if (first.isContinuation) {
    out.push(
      check(
        'new-chat-request',
        'skip',
        `the first captured request already names conversation_id ${q(first.decoded.conversationId ?? conversationId)}: the chat was started before the capture`,
        [first.callId],
        first.index,
      ),
    );
  } else {
    const parent = first.messageIds.parent;
    const laterIds = new Set(turns.flatMap(idsOfTurn));
    const clientMade = parent !== null && (parent === CLIENT_ROOT || !laterIds.has(parent));
    out.push(
      check(
        'new-chat-request',
        clientMade ? 'pass' : 'fail',
        parent === null
          ? 'no conversation_id, but no parent_message_id either'
          : clientMade
            ? `no conversation_id; parent_message_id ${q(parent)} is client-made${parent === CLIENT_ROOT ? '' : ' (not a message of the conversation)'}`
            : `no conversation_id, but parent_message_id ${q(parent)} is a message of the conversation`,
        [first.callId],
        first.index,
      ),
    );
    const s = first.suggestions;
    const era2023 = ctx.host === 'chat.openai.com';
    if (s !== null && s.length > 0) {
      out.push(
        check('new-chat-suggestions', 'pass', `${s.length} suggestions sent`, [first.callId], first.index),
      );
    } else if (era2023) {
      out.push(
        check(
          'new-chat-suggestions',
          'fail',
          s === null ? 'chat.openai.com new chat without a suggestions field' : 'suggestions is empty',
          [first.callId],
          first.index,
        ),
      );
    } else {
      out.push(
        check(
          'new-chat-suggestions',
          'skip',
          `this client (${ctx.host ?? 'unknown host'}) does not send starter suggestions${s === null ? '' : ' (empty list sent)'}`,
          [first.callId],
          first.index,
        ),
      );
    }
  }

  // Follow-up shape.
  for (const t of turns) {
    if (!t.isContinuation) continue;
    const problems: string[] = [];
    const requested = t.requestConversationId;
    if (requested !== null && requested !== conversationId) problems.push(`conversation_id ${q(requested)}`);
    if (t.messageIds.parent === null) problems.push('no parent_message_id');
    if (t.suggestions !== null && t.suggestions.length > 0) {
      problems.push(`${t.suggestions.length} suggestions (a follow-up sends none or [])`);
    }
    out.push(
      check(
        'continuation-request',
        problems.length === 0 ? 'pass' : 'fail',
        problems.length === 0
          ? `conversation_id ${q(conversationId)}, parent_message_id ${q(t.messageIds.parent)}, suggestions ${t.suggestions === null ? 'absent' : '[]'}`
          : problems.join('; '),
        [t.callId],
        t.index,
      ),
    );
  }

  // One id across turns: the request's and the stream's.
  if (turns.length > 0) {
    const seen = new Map<string, string[]>();
    const note = (id: string | null, where: string) => {
      if (!id) return;
      const list = seen.get(id) ?? [];
      list.push(where);
      seen.set(id, list);
    };
    for (const t of turns) {
      note(t.requestConversationId, `request of turn ${t.index}`);
      note(t.decoded.conversationId, `stream of turn ${t.index}`);
    }
    const ids = [...seen.keys()];
    const stable = ids.length === 1 && ids[0] === conversationId;
    out.push(
      check(
        'conversation-id-stable',
        ids.length === 0 ? 'skip' : stable ? 'pass' : 'fail',
        ids.length === 0
          ? 'no conversation id in any request or stream (still streaming, or bodies not captured)'
          : stable
            ? `${q(conversationId)} in every request and stream that names one (${seen.get(conversationId)?.length ?? 0})`
            : [...seen].map(([id, where]) => `${q(id)} in ${where.join(', ')}`).join('; '),
        turns.map((t) => t.callId),
      ),
    );
  }

  // gen_title names the conversation (and the answer it titles).
  let anyTitle = false;
  for (const t of turns) {
    const g = t.linkedCalls.genTitle;
    if (!g) continue;
    anyTitle = true;
    const idOk = g.urlConversationId === conversationId;
    const msgOk = g.messageId === null || g.messageId === t.messageIds.assistant;
    out.push(
      check(
        'gen-title-id',
        idOk && msgOk ? 'pass' : 'fail',
        `URL names ${q(g.urlConversationId)}${idOk ? '' : `, not ${q(conversationId)}`}; message_id ${q(g.messageId)}${msgOk ? '' : `, not the answer ${q(t.messageIds.assistant)}`}`,
        [g.callId, t.callId],
        t.index,
      ),
    );
  }
  if (!anyTitle && turns.length > 0) {
    const streamTitle = turns.some((t) => t.decoded.title !== null);
    out.push(
      check(
        'gen-title-id',
        'skip',
        streamTitle
          ? 'no gen_title call: the title came in the stream (title_generation)'
          : 'no gen_title call captured (a titled chat, a v1-era client, or a capture that ended early)',
        [],
      ),
    );
  }

  // Parents point back to captured messages; a parent other than the latest answer is a branch.
  const known = new Map<string, number>();
  for (const id of ctx.historyIds) known.set(id, -1);
  let latestAnswer: string | null = null;
  for (const t of turns) {
    const parent = t.messageIds.parent;
    if (!t.isContinuation && t.index === 0) {
      out.push(
        check('parent-known', 'skip', `new chat: parent ${q(parent)} is client-made`, [t.callId], t.index),
      );
    } else if (parent === null) {
      out.push(check('parent-known', 'fail', 'no parent_message_id', [t.callId], t.index));
    } else if (known.has(parent)) {
      const from = known.get(parent);
      const where = from === -1 ? 'the loaded history' : `turn ${from}`;
      const branch = latestAnswer !== null && parent !== latestAnswer;
      out.push(
        check(
          'parent-known',
          'pass',
          `${q(parent)} is from ${where}${branch ? `; a branch (edit or regenerate): the latest answer was ${q(latestAnswer)}` : ''}`,
          [t.callId],
          t.index,
        ),
      );
    } else if (known.size === 0) {
      out.push(
        check(
          'parent-known',
          'skip',
          `${q(parent)}: no earlier message of this conversation was captured`,
          [t.callId],
          t.index,
        ),
      );
    } else {
      out.push(
        check(
          'parent-known',
          'fail',
          `${q(parent)} is not a message seen earlier: a branch from an uncaptured message, or a missing capture`,
          [t.callId],
          t.index,
        ),
      );
    }
    for (const id of idsOfTurn(t)) if (!known.has(id)) known.set(id, t.index);
    if (t.messageIds.assistant) latestAnswer = t.messageIds.assistant;
  }

  // lat/r by request id.
  for (const t of turns) {
    const l = t.linkedCalls.latR;
    if (l && !l.guess) {
      out.push(
        check(
          'lat-r-linked',
          'pass',
          `server_request_id ${q(t.reported?.serverRequestId)} is this send's request id`,
          [l.callId, t.callId],
          t.index,
        ),
      );
    } else if (l) {
      out.push(
        check(
          'lat-r-linked',
          'fail',
          `no lat/r names this send; the next one (server_request_id ${q(t.reported?.serverRequestId)}) is linked as a guess`,
          [l.callId, t.callId],
          t.index,
        ),
      );
    } else {
      const why = t.live
        ? 'the turn is still streaming'
        : !ctx.latRSeen
          ? 'no lat/r in this page session (not sent, or not captured)'
          : null;
      out.push(
        check(
          'lat-r-linked',
          why ? 'skip' : 'fail',
          why ?? 'lat/r calls exist in this page session, but none for this send',
          [t.callId],
          t.index,
        ),
      );
    }
  }

  out.push(
    check(
      'bodies-recognized',
      ctx.bodyIssues.length === 0 ? 'pass' : 'fail',
      ctx.bodyIssues.length === 0
        ? `${ctx.validatedCallIds.length} calls checked`
        : ctx.bodyIssues
            .map(
              (i) =>
                `${i.callId} ${i.side}${i.path !== null ? ` at ${i.path || '/'}` : ''}: ${i.message ?? i.status}`,
            )
            .join('; '),
      ctx.bodyIssues.length === 0 ? [] : [...new Set(ctx.bodyIssues.map((i) => i.callId))],
    ),
  );
  return out;
}
