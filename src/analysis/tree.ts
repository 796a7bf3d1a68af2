/**
 * The conversation's message tree, rebuilt from the turns: each send hangs its user message under the
 * parent it named, and the streamed messages under that. Messages are merged by id, so a regenerate (the
 * same user message sent again) and an edit (a new user message under the same parent) both show up as
 * siblings: the branches the ChatGPT UI shows as "< 2 / 2 >".
 */
import type { MessageNode, MessageTree, Turn } from './types';

const SNIPPET = 120;
const CLIENT_ROOT = 'client-created-root';

function snippet(text: string | null | undefined): string {
  if (!text) return '';
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > SNIPPET ? `${line.slice(0, SNIPPET - 1)}…` : line;
}

export function buildMessageTree(turns: readonly Turn[]): MessageTree {
  const nodes = new Map<string, MessageNode>();
  const parentOf = new Map<string, string | null>();
  /** Order of first appearance, so siblings keep time order. */
  const order: string[] = [];

  const upsert = (
    id: string,
    role: string,
    text: string | null,
    parent: string | null,
    turn: Turn | null,
  ): MessageNode => {
    let node = nodes.get(id);
    if (!node) {
      node = {
        id,
        role,
        snippet: snippet(text),
        turnIndex: turn?.index ?? null,
        callId: turn?.callId ?? null,
        children: [],
      };
      nodes.set(id, node);
      order.push(id);
    } else if (node.role === 'missing' || node.role === 'root') {
      // A placeholder parent that a later send or stream revealed.
      node.role = role;
      node.snippet = snippet(text);
      node.turnIndex = turn?.index ?? null;
      node.callId = turn?.callId ?? null;
    } else if (!node.snippet && text) {
      node.snippet = snippet(text);
    }
    // The first parent seen wins: a message does not move once placed.
    if (!parentOf.has(id) || parentOf.get(id) === null) parentOf.set(id, parent);
    return node;
  };

  const placeholder = (id: string, isFirstParent: boolean) => {
    if (nodes.has(id)) return;
    const role = id === CLIENT_ROOT || isFirstParent ? 'root' : 'missing';
    nodes.set(id, { id, role, snippet: '', turnIndex: null, callId: null, children: [] });
    order.push(id);
    parentOf.set(id, null);
  };

  for (const t of turns) {
    const parent = t.messageIds.parent;
    const userId = t.messageIds.user ?? t.decoded.userMessageId;
    // A new chat's parent is made up by the client; a follow-up's parent should be an earlier answer.
    if (parent) placeholder(parent, !t.isContinuation);
    let attach = parent;
    if (userId) {
      upsert(userId, 'user', t.userPrompt, parent, t);
      attach = userId;
    }
    for (const m of t.decoded.messages) {
      const p =
        m.parentId && m.parentId !== m.id && (nodes.has(m.parentId) || m.parentId === userId)
          ? m.parentId
          : attach;
      const text = m.id === t.decoded.assistantMessageId ? t.assistantText : m.text;
      const node = upsert(m.id, m.role, text, p, t);
      if (m.part) node.part = m.part;
      if (m.tool) node.tool = m.tool;
    }
    const answer = t.decoded.assistantMessageId;
    if (answer && !nodes.has(answer)) upsert(answer, 'assistant', t.assistantText, attach, t);
  }

  const roots: MessageNode[] = [];
  for (const id of order) {
    const node = nodes.get(id);
    if (!node) continue;
    const p = parentOf.get(id) ?? null;
    const parentNode = p !== null && p !== id ? nodes.get(p) : undefined;
    if (parentNode) parentNode.children.push(node);
    else roots.push(node);
  }
  // Malformed data (a message naming its own descendant as parent) would hide a loop of nodes that no
  // root reaches: cut each such loop at its first node, in time order, so every message stays visible.
  const seen = new Set<string>();
  const visit = (start: MessageNode) => {
    const stack = [start];
    while (stack.length > 0) {
      const n = stack.pop();
      if (!n || seen.has(n.id)) continue;
      seen.add(n.id);
      stack.push(...n.children);
    }
  };
  for (const r of roots) visit(r);
  for (const id of order) {
    const node = nodes.get(id);
    if (!node || seen.has(id)) continue;
    const parentNode = nodes.get(parentOf.get(id) ?? '');
    if (parentNode) parentNode.children = parentNode.children.filter((c) => c !== node);
    roots.push(node);
    visit(node);
  }
  const branchPoints = order.filter((id) => (nodes.get(id)?.children.length ?? 0) > 1);
  return { roots, branchPoints, size: nodes.size };
}
