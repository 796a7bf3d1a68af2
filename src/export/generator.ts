import pkg from '../../package.json' with { type: 'json' };

/** Who wrote an export: name and version of the extension (package.json). */
export const GENERATOR = { name: 'ChatGPT Flow Recorder', version: pkg.version } as const;
