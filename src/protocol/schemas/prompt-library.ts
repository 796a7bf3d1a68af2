/**
 * `prompt_library`: starter prompts for a new chat (2023, docs/protocol.md §3.6). No verbatim response is
 * public: this follows what a browser extension reads (`items[].prompt`) and what mocks return.
 */
import { z } from 'zod';
import type { SchemaFamily } from './family';

export const promptLibraryResponse = z.looseObject({
  items: z.array(
    z.looseObject({
      id: z.string().optional(),
      title: z.string().optional(),
      description: z.string().optional(),
      prompt: z.string(),
      category: z.string().optional(),
    }),
  ),
  total: z.number().optional(),
  limit: z.number().optional(),
  offset: z.number().optional(),
});

export const promptLibrary: SchemaFamily = { response: promptLibraryResponse };
