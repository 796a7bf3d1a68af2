// MAIN world, document_start: one self-contained file (no loader), so ChatGPT's first calls are seen.
import { installHook } from '../../src/capture/hook';

try {
  installHook(window);
} catch {}
