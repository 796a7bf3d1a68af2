/** `accounts_check`: `GET …/accounts/check/v4-2023-04-27` (docs/protocol.md §3.6). */
import { z } from 'zod';
import type { SchemaFamily } from './family';

const account = z.looseObject({
  account: z
    .looseObject({
      account_id: z.string().nullish(),
      account_user_id: z.string().nullish(),
      account_user_role: z.string().nullish(),
      plan_type: z.string().nullish(),
      structure: z.string().nullish(),
      is_deactivated: z.boolean().nullish(),
    })
    .optional(),
  /** Early 2024 included "shared_websocket" (the WebSocket delivery era, docs/protocol.md §5.6). */
  features: z.array(z.string()).optional(),
  entitlement: z
    .looseObject({
      subscription_id: z.string().nullish(),
      has_active_subscription: z.boolean().nullish(),
      subscription_plan: z.string().nullish(),
      expires_at: z.string().nullish(),
    })
    .nullish(),
  last_active_subscription: z.unknown().optional(),
  rate_limits: z.array(z.unknown()).optional(),
});

/** Keyed by account id plus "default". */
export const accountsCheckResponse = z.looseObject({
  accounts: z.record(z.string(), account),
  account_ordering: z.array(z.string()).optional(),
});

export const accountsCheck: SchemaFamily = { response: accountsCheckResponse };
