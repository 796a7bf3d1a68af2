/**
 * `auth_session`: `GET /api/auth/session` (docs/protocol.md §2). Logged out it answers `{}`; logged in it
 * holds the access token, which the recorder redacts before validation.
 */
import { z } from 'zod';
import type { SchemaFamily } from './family';

export const authSessionResponse = z.looseObject({
  user: z
    .looseObject({
      id: z.string(),
      name: z.string().nullish(),
      email: z.string().nullish(),
      image: z.string().nullish(),
      picture: z.string().nullish(),
      idp: z.string().nullish(),
      mfa: z.boolean().nullish(),
      groups: z.array(z.unknown()).nullish(),
    })
    .optional(),
  expires: z.string().optional(),
  accessToken: z.string().optional(),
  authProvider: z.string().optional(),
});

export const authSession: SchemaFamily = { response: authSessionResponse };
