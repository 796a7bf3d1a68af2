/**
 * Export and import: the public surface (JSON, HAR, OTLP/JSON traces, Parquet tables). Exports are async generators that yield progress between
 * slices of work (see slicer.ts) and return the file as string parts; imports validate a whole file
 * (our JSON format or a HAR) before anything is written. Formats: docs/export-format.md.
 */
export {
  type CaptureSource,
  type ExportFormat,
  type ExportOptions,
  type ExportPhase,
  type ExportProgress,
  type ExportResult,
  type ExportScopeInput,
  exportCaptures,
  exportFilename,
  exportToText,
  FORMAT_EXTENSIONS,
} from './export';
export { type ExportFile, exportFile, exportJsonSchema, FORMAT_NAME, FORMAT_VERSION } from './format';
export { GENERATOR } from './generator';
export {
  checkImportFile,
  ImportError,
  type ImportProgress,
  MAX_CALL_CHARS,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_CALLS,
  MAX_JSON_DEPTH,
  type ParsedImport,
  parseImport,
  parseImportText,
} from './import';
export {
  type ChunkMeta,
  OTEL_SEMCONV_VERSION,
  OTLP_MAX_CHUNK_EVENTS,
  type OtlpSpan,
  spanIdOf,
  traceIdOf,
  unixNanos,
  writeOtlp,
} from './otlp';
export {
  CALL_COLUMNS,
  CHUNK_COLUMNS,
  parquetTables,
  type Table,
  TURN_COLUMNS,
  writeParquetZip,
} from './parquet';
export { type SliceOptions, Slicer } from './slicer';
