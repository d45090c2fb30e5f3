// Classifies log lines so the view can colour levels and set the platform lines apart. Understands
// Lambda's text format (`<ts>\t<requestId>\t<LEVEL>\t<message>`), its JSON format, and platform lines.

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

export interface LogLine {
  /** platform: START/END/REPORT/INIT_START/INIT_REPORT/timeout/runtime exit; app: the function's own output. */
  kind: 'platform' | 'app';
  /** START, END, REPORT, INIT_START, INIT_REPORT, TIMEOUT, EXIT for platform lines. */
  platform?: string;
  level?: LogLevel;
  timestamp?: string;
  message: string;
  raw: string;
}

const LEVELS: readonly string[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
const TEXT_LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\t([^\t]*)\t([A-Z]+)\t([\s\S]*)$/;
const PLATFORM_PREFIX = /^(START|END|REPORT|INIT_START|INIT_REPORT|EXTENSION|TELEMETRY) /;

export function classifyLogLine(raw: string): LogLine {
  const platform = PLATFORM_PREFIX.exec(raw);
  if (platform) return { kind: 'platform', platform: platform[1], message: raw, raw };
  if (/^\d{4}-\d\d-\d\dT[^\s]+ \S+ Task timed out after /.test(raw)) return { kind: 'platform', platform: 'TIMEOUT', level: 'ERROR', message: raw, raw };
  if (/^RequestId: \S+ Error: Runtime exited/.test(raw)) return { kind: 'platform', platform: 'EXIT', level: 'ERROR', message: raw, raw };

  const text = TEXT_LINE.exec(raw);
  if (text && LEVELS.includes(text[3])) {
    return { kind: 'app', level: text[3] as LogLevel, timestamp: text[1], message: text[4], raw };
  }
  if (raw.startsWith('{')) {
    try {
      const json = JSON.parse(raw) as Record<string, unknown>;
      if (typeof json.type === 'string' && json.type.startsWith('platform.')) {
        return { kind: 'platform', platform: json.type.slice('platform.'.length).toUpperCase(), message: raw, raw };
      }
      const level = typeof json.level === 'string' ? json.level.toUpperCase() : undefined;
      if (level && LEVELS.includes(level)) {
        const message = typeof json.message === 'string' ? json.message : JSON.stringify(json.message);
        return { kind: 'app', level: level as LogLevel, timestamp: typeof json.timestamp === 'string' ? json.timestamp : undefined, message, raw };
      }
    } catch {
      // Not JSON after all: plain output.
    }
  }
  return { kind: 'app', message: raw, raw };
}
