import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, readSettings, settingsSchema } from './settings';

describe('settings', () => {
  it('falls back per field when stored values are missing or invalid', () => {
    expect(readSettings(undefined)).toEqual(DEFAULT_SETTINGS);
    expect(readSettings({ recording: false, maxBodyBytes: 'x' })).toEqual({
      ...DEFAULT_SETTINGS,
      recording: false,
    });
    expect(readSettings({ maxBodyBytes: 2048 })).toEqual({ ...DEFAULT_SETTINGS, maxBodyBytes: 2048 });
    expect(readSettings({ maxBodyBytes: 10 }).maxBodyBytes).toBe(DEFAULT_SETTINGS.maxBodyBytes);
  });
  it('refuses invalid values on write', () => {
    expect(() => settingsSchema.parse({ recording: 'yes' })).toThrow(/recording/);
    expect(() => settingsSchema.parse({ maxBodyBytes: 1.5 })).toThrow(/maxBodyBytes/);
    expect(settingsSchema.parse({ recording: false })).toEqual({ ...DEFAULT_SETTINGS, recording: false });
  });
});
