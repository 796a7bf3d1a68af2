import type { UiClient } from '../client';

export interface ExportScope {
  label: string;
  callIds: string[] | null;
}
export function ExportImportPanel(_props: { scope: ExportScope; client: UiClient; onImported?: () => void }) {
  return null;
}
