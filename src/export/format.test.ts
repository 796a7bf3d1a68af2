import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { exportToText } from './export';
import { exportFile, exportJsonSchema, exportJsonSchemaText } from './format';
import { memorySource, merge, personalCapture, seedAndReal } from './test-data';

const SCHEMA_FILE = new URL('../../docs/chatgpt-flows.schema.json', import.meta.url);

describe('the JSON export format', () => {
  it('docs/chatgpt-flows.schema.json is the schema generated from zod (regenerate: node --import tsx scripts/gen-schema.ts)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(exportJsonSchemaText());
  });

  it('exports validate against the checked-in JSON Schema and the zod schema, plain and share-safe', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);
    const cap = merge(seedAndReal('fmt'), personalCapture());
    for (const shareSafe of [false, true]) {
      const { text } = await exportToText(memorySource(cap), {
        format: 'json',
        shareSafe,
        scope: { label: 'All captures', callIds: null },
      });
      const file = JSON.parse(text) as unknown;
      validate(file);
      expect(validate.errors ?? [], `share-safe ${shareSafe}`).toEqual([]);
      expect(exportFile.safeParse(file).success).toBe(true);
    }
  });

  it('the JSON Schema rejects what the importer rejects (a sanity check of the generation)', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const validate = ajv.compile(exportJsonSchema());
    expect(validate({ format: 'chatgpt-flow-recorder', version: 2 })).toBe(false);
    expect(validate({ format: 'har', version: 1 })).toBe(false);
  });
});
