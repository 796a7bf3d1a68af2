import { describe, expect, it } from 'vitest';
import { makeCanaries, seedFlow, thinkingFlow2026 } from '../../test/flows';
import { analyzeConversation } from './analyze';
import { captureFlow, type FlowLike } from './test-captures';
import { buildMessageTree } from './tree';
import type { MessageNode } from './types';

const ANSWER_1 = '14588fa1-94fd-43d1-9104-e5b108bd8d7a';
const USER_2 = 'aaa292aa-2314-4541-ae51-e6358df444e1';
const ANSWER_2 = '13b1c5bc-aee3-4b4f-9523-48b5a3f6e88f';
const REGEN = 'bbbbbbbb-aee3-4b4f-9523-48b5a3f6e88f';
const EDITED_USER = 'aaa3e0e0-2314-4541-ae51-e6358df444e1';
const EDIT_ANSWER = 'cccccccc-aee3-4b4f-9523-48b5a3f6e88f';

/** Seed flow, then "regenerate" the second answer, then edit the second prompt. */
function branchedFlow(): FlowLike {
  const flow = seedFlow(makeCanaries('t'));
  const second = flow.steps[7];
  if (!second?.request.body || !second.response.body) throw new Error('seed changed');
  const body = JSON.parse(second.request.body) as Record<string, unknown>;
  const sse = second.response.body;
  const regenerate = {
    request: { ...second.request, body: JSON.stringify({ ...body, action: 'variant' }) },
    response: { ...second.response, body: sse.replaceAll(ANSWER_2, REGEN) },
  };
  const edit = {
    request: {
      ...second.request,
      body: JSON.stringify({
        ...body,
        messages: [
          {
            id: EDITED_USER,
            author: { role: 'user' },
            content: { content_type: 'text', parts: ['Is that really true?'] },
          },
        ],
      }),
    },
    response: {
      ...second.response,
      body: sse.replaceAll(ANSWER_2, EDIT_ANSWER).replaceAll(USER_2, EDITED_USER),
    },
  };
  return { ...flow, steps: [...flow.steps, regenerate, edit] };
}

const shape = (n: MessageNode): unknown => ({ [`${n.role} ${n.id.slice(0, 8)}`]: n.children.map(shape) });

describe('buildMessageTree', () => {
  it('is a single chain for the seed flow', () => {
    const cap = captureFlow(seedFlow(makeCanaries('t')));
    const tree = buildMessageTree(analyzeConversation(cap.calls, cap.chunks)?.turns ?? []);
    expect(tree.roots.map(shape)).toEqual([
      {
        'root aaa1625d': [
          {
            'user aaa27fdc': [
              { 'assistant 14588fa1': [{ 'user aaa292aa': [{ 'assistant 13b1c5bc': [] }] }] },
            ],
          },
        ],
      },
    ]);
    expect(tree.branchPoints).toEqual([]);
    expect(tree.size).toBe(5);
  });

  it('shows a regenerate and an edit as branches', () => {
    const cap = captureFlow(branchedFlow());
    const conv = analyzeConversation(cap.calls, cap.chunks);
    const tree = buildMessageTree(conv?.turns ?? []);
    expect(tree.roots.map(shape)).toEqual([
      {
        'root aaa1625d': [
          {
            'user aaa27fdc': [
              {
                'assistant 14588fa1': [
                  { 'user aaa292aa': [{ 'assistant 13b1c5bc': [] }, { 'assistant bbbbbbbb': [] }] },
                  { 'user aaa3e0e0': [{ 'assistant cccccccc': [] }] },
                ],
              },
            ],
          },
        ],
      },
    ]);
    expect(tree.branchPoints).toEqual([ANSWER_1, USER_2]);
    const edited = tree.roots[0]?.children[0]?.children[0]?.children[1];
    expect(edited).toMatchObject({ snippet: 'Is that really true?', turnIndex: 3 });
    // The branch is a pass with evidence, not a failure: the parent is known, just not the latest answer.
    const check = conv?.checks.find((c) => c.id === 'parent-known#3');
    expect(check?.status).toBe('pass');
    expect(check?.evidence).toContain('branch');
  });

  it('keeps messages visible when a malformed parent chain loops', () => {
    const cap = captureFlow(seedFlow(makeCanaries('t')));
    const turns = analyzeConversation(cap.calls, cap.chunks)?.turns ?? [];
    const [t0] = turns;
    if (!t0) throw new Error('no turn');
    // The first send names its own answer as parent: user → answer → user.
    const looped = [{ ...t0, messageIds: { ...t0.messageIds, parent: ANSWER_1 } }];
    const tree = buildMessageTree(looped);
    expect(tree.size).toBe(2);
    expect(tree.roots).toHaveLength(1);
  });

  it('a thinking turn: each message node says its part and tool', () => {
    const cap = captureFlow(thinkingFlow2026(makeCanaries('tr')), { prefix: 'tr' });
    const conv = analyzeConversation(cap.calls, cap.chunks);
    const nodes: MessageNode[] = [];
    const walk = (n: MessageNode) => {
      nodes.push(n);
      for (const c of n.children) walk(c);
    };
    for (const r of buildMessageTree(conv?.turns ?? []).roots) walk(r);
    const parts = nodes.map((n) => (n.tool ? `${n.part}:${n.tool}` : n.part)).filter(Boolean);
    expect(parts).toContain('reasoning');
    expect(parts).toContain('tool_call:web.run');
    expect(parts).toContain('tool_result:web.run');
    expect(parts.at(-1)).toBe('answer');
  });
});
