/**
 * A structural scan of an import file, so that it is never handed whole to JSON.parse: parsing 100 MB in
 * one call freezes the page for a second or more, and a hostile file can nest a million brackets deep.
 *
 * The scan walks the top-level object and the objects on the way to the array that holds the records
 * (`calls` in our format, `log.entries` in a HAR), noting where each member's value lies, and where each
 * element of that array lies. Records are then parsed one by one with JSON.parse (native speed, tiny
 * inputs), between which the importer yields. Members nobody needs (the export's derived analysis) are
 * skipped without being parsed. Nesting deeper than `maxDepth` is refused, wherever it is.
 *
 * The skipping itself is resumable, so even one huge member (a 50 MB analysis) is crossed in slices.
 */
import type { Slicer } from './slicer';

export type Range = readonly [start: number, end: number];

export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
    text: string,
  ) {
    const { line, column } = lineColumn(text, offset);
    super(`Not valid JSON: ${reason} at line ${line}, column ${column}`);
    this.name = 'JsonSyntaxError';
  }
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lastBreak = -1;
  const end = Math.min(offset, text.length);
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lastBreak = i;
  }
  return { line, column: end - lastBreak };
}

export interface ScanResult {
  /** Dotted path (`format`, `log.version`) → where that member's value lies. */
  members: Map<string, Range>;
  /** Dotted path of each target array that was found → where its elements lie. */
  arrays: Map<string, Range[]>;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Characters examined per step of a resumable skip, between checks of the slicer. */
const STEP_CHARS = 256 * 1024;

export class JsonScanner {
  private pos = 0;
  private readonly members = new Map<string, Range>();
  private readonly arrays = new Map<string, Range[]>();

  constructor(
    private readonly text: string,
    private readonly targets: readonly (readonly string[])[],
    private readonly maxDepth: number,
    private readonly slicer: Slicer,
  ) {}

  private fail(reason: string, at: number = this.pos): never {
    throw new JsonSyntaxError(reason, at, this.text);
  }

  private ws(): void {
    const t = this.text;
    while (this.pos < t.length && isSpace(t.charCodeAt(this.pos))) this.pos++;
  }

  private expect(code: number, what: string): void {
    this.ws();
    if (this.text.charCodeAt(this.pos) !== code) {
      this.fail(
        this.pos >= this.text.length ? `the file ends where ${what} was expected` : `expected ${what}`,
      );
    }
    this.pos++;
  }

  /** From an opening quote to just after the closing one. */
  private skipString(): void {
    const t = this.text;
    const start = this.pos;
    let i = this.pos + 1;
    for (;;) {
      const q = t.indexOf('"', i);
      if (q === -1) this.fail('a string is never closed', start);
      let backslashes = 0;
      for (let j = q - 1; j > start && t.charCodeAt(j) === BACKSLASH; j--) backslashes++;
      if (backslashes % 2 === 0) {
        this.pos = q + 1;
        return;
      }
      i = q + 1;
    }
  }

  private readKey(): string {
    this.ws();
    if (this.text.charCodeAt(this.pos) !== QUOTE) this.fail('expected a member name in double quotes');
    const start = this.pos;
    this.skipString();
    try {
      return JSON.parse(this.text.slice(start, this.pos)) as string;
    } catch {
      this.fail('a member name is not a valid string', start);
    }
  }

  /** Skips one value whatever its size, in resumable steps; `depth` is the depth it sits at. */
  private async *skipValue(depth: number): AsyncGenerator<number, Range, void> {
    this.ws();
    const t = this.text;
    const start = this.pos;
    const c = t.charCodeAt(this.pos);
    if (this.pos >= t.length) this.fail('the file ends where a value was expected');
    if (c === QUOTE) {
      this.skipString();
      return [start, this.pos];
    }
    if (c !== LBRACE && c !== LBRACKET) {
      // A number or a literal: its characters until the next delimiter. JSON.parse judges it later.
      while (this.pos < t.length) {
        const d = t.charCodeAt(this.pos);
        if (d === COMMA || d === RBRACE || d === RBRACKET || isSpace(d)) break;
        if (d === LBRACE || d === LBRACKET || d === QUOTE || d === COLON) this.fail('unexpected character');
        this.pos++;
      }
      if (this.pos === start) this.fail('expected a value');
      return [start, this.pos];
    }
    const stack: number[] = [];
    let steps = 0;
    while (true) {
      if (this.pos >= t.length) this.fail('the file ends inside an unclosed object or array', start);
      const d = t.charCodeAt(this.pos);
      if (d === QUOTE) {
        this.skipString();
        continue;
      }
      if (d === LBRACE || d === LBRACKET) {
        stack.push(d === LBRACE ? RBRACE : RBRACKET);
        if (depth + stack.length > this.maxDepth) {
          this.fail(`nested deeper than ${this.maxDepth} levels`);
        }
      } else if (d === RBRACE || d === RBRACKET) {
        if (stack.pop() !== d) this.fail(`unexpected '${String.fromCharCode(d)}'`);
        if (stack.length === 0) {
          this.pos++;
          return [start, this.pos];
        }
      }
      this.pos++;
      if (++steps >= STEP_CHARS) {
        steps = 0;
        this.slicer.spend(STEP_CHARS / 1024);
        if (this.slicer.due()) {
          yield this.pos;
          await this.slicer.pause();
        }
      }
    }
  }

  private isTarget(path: readonly string[]): boolean {
    return this.targets.some((t) => t.length === path.length && t.every((s, i) => s === path[i]));
  }

  private onTargetSpine(path: readonly string[]): boolean {
    return this.targets.some((t) => t.length > path.length && path.every((s, i) => s === t[i]));
  }

  private async *object(path: readonly string[]): AsyncGenerator<number, void, void> {
    this.expect(LBRACE, "'{'");
    this.ws();
    if (this.text.charCodeAt(this.pos) === RBRACE) {
      this.pos++;
      return;
    }
    for (;;) {
      const key = this.readKey();
      this.expect(COLON, "':' after a member name");
      this.ws();
      const child = [...path, key];
      const c = this.text.charCodeAt(this.pos);
      if (this.isTarget(child) && c === LBRACKET) {
        yield* this.array(child);
      } else if (this.onTargetSpine(child) && c === LBRACE) {
        yield* this.object(child);
      } else {
        const range = yield* this.skipValue(child.length);
        this.members.set(child.join('.'), range);
      }
      this.ws();
      const d = this.text.charCodeAt(this.pos);
      if (d === COMMA) {
        this.pos++;
        continue;
      }
      if (d === RBRACE) {
        this.pos++;
        return;
      }
      this.fail(this.pos >= this.text.length ? 'the file ends inside an object' : "expected ',' or '}'");
    }
  }

  private async *array(path: readonly string[]): AsyncGenerator<number, void, void> {
    this.expect(LBRACKET, "'['");
    const elements: Range[] = [];
    this.arrays.set(path.join('.'), elements);
    this.ws();
    if (this.text.charCodeAt(this.pos) === RBRACKET) {
      this.pos++;
      return;
    }
    for (;;) {
      elements.push(yield* this.skipValue(path.length + 1));
      this.ws();
      const d = this.text.charCodeAt(this.pos);
      if (d === COMMA) {
        this.pos++;
      } else if (d === RBRACKET) {
        this.pos++;
        return;
      } else {
        this.fail(this.pos >= this.text.length ? 'the file ends inside an array' : "expected ',' or ']'");
      }
      if (this.slicer.due()) {
        yield this.pos;
        await this.slicer.pause();
      }
    }
  }

  /** Yields the offset reached (progress); returns where everything lies. */
  async *scan(): AsyncGenerator<number, ScanResult, void> {
    // A UTF-8 byte order mark is allowed before the document.
    if (this.text.charCodeAt(0) === 0xfeff) this.pos = 1;
    this.ws();
    yield* this.object([]);
    this.ws();
    if (this.pos < this.text.length) this.fail('unexpected content after the end of the document');
    return { members: this.members, arrays: this.arrays };
  }
}
