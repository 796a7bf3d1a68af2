/**
 * What one endpoint family's schema module provides. Schemas are loose objects: unknown extra fields pass
 * (the app adds fields all the time); a missing or mistyped known field is schema drift.
 */
import type { ZodType } from 'zod';

export interface Route {
  /** Tested against the URL's pathname. */
  path: RegExp;
  request?: ZodType;
  response?: ZodType;
  /** The request body is newline-delimited JSON, validated as the array of its lines. */
  ndjson?: boolean;
}

export interface SchemaFamily {
  /** Used when the URL is unknown or matches no route: the union of the family's shapes. */
  request?: ZodType;
  response?: ZodType;
  /** More precise schemas per endpoint of the family, chosen by URL. */
  routes?: readonly Route[];
}
