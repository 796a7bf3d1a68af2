// Regenerates docs/chatgpt-flows.schema.json from the export format's zod schema (src/export/format.ts).
// Run after changing the format or the store schema it embeds:  node --import tsx scripts/gen-schema.ts
// (src/export/format.test.ts fails while the checked-in file differs from what this writes.)
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { exportJsonSchemaText } from '../src/export/format';

const out = fileURLToPath(new URL('../docs/chatgpt-flows.schema.json', import.meta.url));
writeFileSync(out, exportJsonSchemaText());
console.log(`wrote ${out}`);
