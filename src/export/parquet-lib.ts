/**
 * The third-party code of the Parquet export, behind one module that parquet.ts loads with a dynamic
 * `import()`: only the names used here end up in the lazily loaded chunk (a namespace `import('fflate')`
 * would keep all of fflate, its worker helpers included).
 */
export { zipSync } from 'fflate';
export { ByteWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
