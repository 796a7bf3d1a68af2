import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, isChatGptHost, readSettings, settingsSchema } from './settings';

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
  it('reads and checks the recording scope and the retention rules', () => {
    expect(readSettings({ scope: 'chatgpt' }).scope).toBe('chatgpt');
    expect(readSettings({ scope: 'everything' }).scope).toBe('all');
    expect(
      readSettings({ retention: { keepDays: 30, keepMegabytes: 5, telemetryBodyDays: null } }).retention,
    ).toEqual({
      keepDays: 30,
      keepMegabytes: null,
      telemetryBodyDays: null,
    });
    expect(() => settingsSchema.parse({ retention: { keepDays: 0 } })).toThrow(/retention.keepDays/);
    expect(() => settingsSchema.parse({ scope: 'x' })).toThrow(/scope/);
    expect(settingsSchema.parse({ retention: { keepDays: 7 } }).retention.keepDays).toBe(7);
  });
  it('tells ChatGPT hosts from others', () => {
    for (const h of ['chatgpt.com', 'ab.chatgpt.com', 'ws.chatgpt.com', 'chat.openai.com'])
      expect(isChatGptHost(h)).toBe(true);
    for (const h of ['openai.com', 'evilchatgpt.com', 'browser-intake-datadoghq.com', 'chatgpt.com.evil.net'])
      expect(isChatGptHost(h)).toBe(false);
  });
});
