import { describe, expect, it } from 'vitest';
import { LineBuffer } from './line-buffer';
import { redactText } from './redact';

const jwt = `ey${'J'}hbGciOiJFUzI1NiJ9.eyJzdWIiOiJDQU5BUlkifQ.CANARYsig0123456789`;
const sse = `data: {"type": "resume_conversation_token", "kind": "topic", "token": "${jwt}", "conversation_id": "c"}\n\ndata: {"v": "hi"}\n\n`;

/** Feeds `text` in pieces cut at every position pair and redacts what is released, as the hook does. */
function redactedInPieces(text: string, cuts: number[], buffer = new LineBuffer()) {
  let out = '';
  let from = 0;
  for (const at of [...cuts, text.length]) {
    out += redactText(buffer.push(text.slice(from, at)));
    from = at;
  }
  return out + redactText(buffer.end());
}

describe('LineBuffer', () => {
  it('releases whole lines and keeps the rest; the end releases everything', () => {
    const b = new LineBuffer();
    expect(b.push('data: {"a"')).toBe('');
    expect(b.push(': 1}\n\ndata: {"b')).toBe('data: {"a": 1}\n\n');
    expect(b.end()).toBe('data: {"b');
  });

  it('never lets a token split across pieces escape redaction, wherever the cut falls', () => {
    for (let at = 1; at < sse.length; at++) {
      const out = redactedInPieces(sse, [at]);
      expect(out, `cut at ${at}`).not.toContain('CANARY');
      expect(out).toContain('"conversation_id": "c"');
    }
  });

  it('releases an endless line in large pieces but holds back a tail long enough for a token', () => {
    const b = new LineBuffer(1000, 200);
    const line = `${'x'.repeat(1500)}"token": "${jwt}"`;
    const out = redactedInPieces(line, [1490, 1520], b);
    expect(out).not.toContain('CANARY');
    expect(out.startsWith('x'.repeat(1000))).toBe(true);
  });

  it('a token near the long-line cut is never split: the cut falls before a JSON delimiter (found in review)', () => {
    // One line longer than the pending limit, with a JWT wherever the fixed cut would land.
    const max = 1000;
    const hold = 100;
    for (let pad = max - hold - 60; pad < max - hold + 10; pad += 3) {
      const line = `{"a":"${'x'.repeat(pad)}","jwt":"${jwt}","b":"${'y'.repeat(2 * max)}"}`;
      const b = new LineBuffer(max, hold);
      let out = '';
      for (let i = 0; i < line.length; i += 37) out += b.push(line.slice(i, i + 37));
      out += b.end();
      expect(out, `pad ${pad}`).not.toContain('CANARY');
      expect(out.length).toBeGreaterThan(2 * max);
    }
  });

  it('a secret array or object that opens on a later line than its key stays redacted to its end (found by an attack run)', () => {
    for (const text of [
      '{\n"sessionToken"\n:\n[\n "CANARYarr1",\n "CANARYarr2"\n],\n"ok": 1\n}\n',
      '{\n"sessionToken":\n{\n "a": "CANARYobj"\n},\n"ok": 1\n}\n',
    ]) {
      const b = new LineBuffer();
      let out = '';
      for (const line of text.split(/(?<=\n)/)) out += b.push(line);
      out += b.end();
      expect(out).not.toContain('CANARY');
      expect(out).toContain('"ok": 1');
    }
  });
});
