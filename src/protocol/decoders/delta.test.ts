import { describe, expect, it } from 'vitest';
import { DeltaEngine, parsePointer, type Roots } from './delta';

function doc(): Roots {
  return new Map<number, unknown>([
    [
      0,
      {
        message: {
          id: 'm',
          content: { content_type: 'text', parts: ['Hello'] },
          metadata: { model_slug: 'gpt-5-3', list: [1, 2, 3], 'a/b': 1, 'c~d': 2 },
          status: 'in_progress',
        },
      },
    ],
  ]);
}

function run(roots: Roots, c: number, p: string, o: string, v?: unknown): string | null {
  return new DeltaEngine(roots).apply(c, p, o, v);
}

const msg = (roots: Roots, c = 0) => (roots.get(c) as { message: Record<string, unknown> }).message;
const meta = (roots: Roots) => msg(roots).metadata as Record<string, unknown>;

describe('parsePointer', () => {
  it('decodes ~1 as / and ~0 as ~, in that order', () => {
    expect(parsePointer('')).toEqual([]);
    expect(parsePointer('/message/metadata/a~1b')).toEqual(['message', 'metadata', 'a/b']);
    expect(parsePointer('/c~0d')).toEqual(['c~d']);
    expect(parsePointer('/x~01')).toEqual(['x~1']);
    expect(parsePointer('message')).toBeNull();
  });
});

describe('DeltaEngine operations', () => {
  it('add on the root installs a new document; on a member sets it', () => {
    const roots = doc();
    expect(run(roots, 1, '', 'add', { message: { id: 'n' } })).toBeNull();
    expect(msg(roots, 1).id).toBe('n');
    expect(run(roots, 0, '/message/end_turn', 'add', true)).toBeNull();
    expect(msg(roots).end_turn).toBe(true);
  });

  it('add on an array index inserts before it, and "-" pushes', () => {
    const roots = doc();
    expect(run(roots, 0, '/message/metadata/list/0', 'add', 0)).toBeNull();
    expect(run(roots, 0, '/message/metadata/list/-', 'add', 4)).toBeNull();
    expect(meta(roots).list).toEqual([0, 1, 2, 3, 4]);
    expect(run(roots, 0, '/message/metadata/list/9', 'add', 9)).toMatch(/out of range/);
  });

  it('replace on the root replaces the whole document', () => {
    const roots = doc();
    expect(run(roots, 0, '', 'replace', { message: { id: 'other' } })).toBeNull();
    expect(msg(roots)).toEqual({ id: 'other' });
  });

  it('replace sets a member, including one that did not exist yet, and an array element', () => {
    const roots = doc();
    expect(run(roots, 0, '/message/status', 'replace', 'finished_successfully')).toBeNull();
    expect(run(roots, 0, '/message/metadata/new_flag', 'replace', true)).toBeNull();
    expect(run(roots, 0, '/message/metadata/list/1', 'replace', 20)).toBeNull();
    expect(msg(roots).status).toBe('finished_successfully');
    expect(meta(roots).new_flag).toBe(true);
    expect(meta(roots).list).toEqual([1, 20, 3]);
  });

  it('append concatenates strings', () => {
    const roots = doc();
    expect(run(roots, 0, '/message/content/parts/0', 'append', ', world')).toBeNull();
    expect((msg(roots).content as { parts: string[] }).parts).toEqual(['Hello, world']);
  });

  it('append of an array extends an array by its elements; any other value is pushed', () => {
    // Settled in 2026-11 (docs/protocol.md §6.2 table, §11): thoughts and content_references grow by
    // one-element arrays and later paths index the elements.
    const roots = doc();
    expect(run(roots, 0, '/message/metadata/list', 'append', 4)).toBeNull();
    expect(run(roots, 0, '/message/metadata/list', 'append', [5, 6])).toBeNull();
    expect(run(roots, 0, '/message/metadata/list', 'append', [[7]])).toBeNull();
    expect(meta(roots).list).toEqual([1, 2, 3, 4, 5, 6, [7]]);
    expect(run(roots, 0, '/message/metadata/list/5', 'append', 'x')).toMatch(/append to a number/);
  });

  it('append of one-element arrays grows thoughts whose members later operations index', () => {
    const roots = new Map<number, unknown>([
      [0, { message: { id: 't', content: { content_type: 'thoughts', thoughts: [] } } }],
    ]);
    expect(run(roots, 0, '/message/content/thoughts', 'append', [{ summary: 'A', content: '' }])).toBeNull();
    expect(run(roots, 0, '/message/content/thoughts/0/content', 'append', 'one')).toBeNull();
    expect(
      run(roots, 0, '/message/content/thoughts', 'append', [{ summary: 'B', content: 'two' }]),
    ).toBeNull();
    expect(run(roots, 0, '/message/content/thoughts/1/content', 'append', '!')).toBeNull();
    expect((msg(roots).content as { thoughts: unknown[] }).thoughts).toEqual([
      { summary: 'A', content: 'one' },
      { summary: 'B', content: 'two!' },
    ]);
  });

  it('append merges objects shallowly, keeping existing keys', () => {
    const roots = doc();
    const err = run(roots, 0, '/message/metadata', 'append', {
      is_complete: true,
      finish_details: { type: 'stop' },
    });
    expect(err).toBeNull();
    expect(meta(roots)).toMatchObject({
      model_slug: 'gpt-5-3',
      is_complete: true,
      finish_details: { type: 'stop' },
    });
  });

  it('append to a missing member sets it', () => {
    const roots = doc();
    expect(run(roots, 0, '/message/metadata/citations', 'append', [])).toBeNull();
    expect(meta(roots).citations).toEqual([]);
  });

  it('append of the wrong type is refused and changes nothing', () => {
    const roots = doc();
    expect(run(roots, 0, '/message/content/parts/0', 'append', 5)).toMatch(/non-string/);
    expect(run(roots, 0, '/message/metadata', 'append', 'x')).toMatch(/non-object/);
    expect((msg(roots).content as { parts: string[] }).parts).toEqual(['Hello']);
  });

  it('remove deletes a member and an array element, and reports a missing one', () => {
    const roots = doc();
    expect(run(roots, 0, '/message/metadata/model_slug', 'remove')).toBeNull();
    expect(run(roots, 0, '/message/metadata/list/0', 'remove')).toBeNull();
    expect(meta(roots)).not.toHaveProperty('model_slug');
    expect(meta(roots).list).toEqual([2, 3]);
    expect(run(roots, 0, '/message/metadata/model_slug', 'remove')).toMatch(/path not found/);
    expect(run(roots, 0, '/message/metadata/list/7', 'remove')).toMatch(/out of range/);
  });

  it('remove on the root drops the document; a second remove reports it missing', () => {
    const roots = doc();
    expect(run(roots, 0, '', 'remove')).toBeNull();
    expect(roots.has(0)).toBe(false);
    expect(run(roots, 0, '', 'remove')).toMatch(/no document/);
  });

  it('truncate cuts strings and arrays to length v', () => {
    const roots = doc();
    expect(run(roots, 0, '/message/content/parts/0', 'truncate', 4)).toBeNull();
    expect(run(roots, 0, '/message/metadata/list', 'truncate', 1)).toBeNull();
    expect((msg(roots).content as { parts: string[] }).parts).toEqual(['Hell']);
    expect(meta(roots).list).toEqual([1]);
  });

  it('truncate on a missing path or with a bad length is refused', () => {
    const roots = doc();
    expect(run(roots, 0, '/message/metadata/nothing', 'truncate', 1)).toMatch(/missing/);
    expect(run(roots, 0, '/message/content/parts/0', 'truncate', -1)).toMatch(/not a count/);
    expect(run(roots, 0, '/message/metadata/model_slug', 'truncate', 'x')).toMatch(/not a count/);
    expect(meta(roots).model_slug).toBe('gpt-5-3');
  });

  it('patch applies nested ops in order with their own absolute paths', () => {
    const roots = doc();
    const err = run(roots, 0, '', 'patch', [
      { p: '/message/content/parts/0', o: 'append', v: '!' },
      { p: '/message/status', o: 'replace', v: 'finished_successfully' },
      { p: '/message/metadata', o: 'append', v: { is_complete: true } },
    ]);
    expect(err).toBeNull();
    expect(msg(roots)).toMatchObject({
      content: { parts: ['Hello!'] },
      status: 'finished_successfully',
      metadata: { is_complete: true, model_slug: 'gpt-5-3' },
    });
  });

  it('patch requires p and o on every nested op, but still applies the good ones', () => {
    const roots = doc();
    const err = run(roots, 0, '', 'patch', [{ v: 'x' }, { p: '/message/status', o: 'replace', v: 'done' }]);
    expect(err).toMatch(/own p and o/);
    expect(msg(roots).status).toBe('done');
  });

  it('patch on a non-root path reads nested paths relative to it', () => {
    const roots = doc();
    expect(run(roots, 0, '/message', 'patch', [{ p: '/status', o: 'replace', v: 'x' }])).toBeNull();
    expect(msg(roots).status).toBe('x');
  });

  it('decodes escaped pointer segments when applying', () => {
    const roots = doc();
    expect(run(roots, 0, '/message/metadata/a~1b', 'replace', 10)).toBeNull();
    expect(run(roots, 0, '/message/metadata/c~0d', 'replace', 20)).toBeNull();
    expect(meta(roots)).toMatchObject({ 'a/b': 10, 'c~d': 20 });
  });

  it('refuses unknown ops, missing v, missing paths and missing documents without throwing', () => {
    const roots = doc();
    expect(run(roots, 0, '/message/status', 'frobnicate', 1)).toMatch(/unknown op "frobnicate"/);
    expect(run(roots, 0, '/message/status', 'replace')).toMatch(/without v/);
    expect(run(roots, 0, '/message/nope/deeper', 'replace', 1)).toMatch(/path not found/);
    expect(run(roots, 0, '/message/status/x', 'replace', 1)).toMatch(/path not found/);
    expect(run(roots, 5, '/message/status', 'replace', 1)).toMatch(/no document for c=5/);
    expect(run(roots, 0, '', 'patch', 'not an array')).toMatch(/not an array/);
    expect(msg(roots).status).toBe('in_progress');
  });

  it('survives deeply nested patches and does not touch Object.prototype', () => {
    const roots = doc();
    let nested: unknown = [{ p: '/message/status', o: 'replace', v: 'deep' }];
    for (let i = 0; i < 5000; i++) nested = [{ p: '', o: 'patch', v: nested }];
    expect(run(roots, 0, '', 'patch', nested)).toMatch(/too deep/);
    expect(run(roots, 0, '/__proto__', 'append', { polluted: true })).toBeNull();
    expect(run(roots, 0, '/message/__proto__/polluted', 'replace', true)).toMatch(/path not found/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(roots.get(0))).toBe(Object.prototype);
  });
});
