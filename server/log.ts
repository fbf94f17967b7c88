// Structured JSON logs, one object per line. Values are JSON-encoded, so CR/LF or ANSI escapes in user input
// cannot forge or split a line (B17); long strings are cut.

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

function clip(v: unknown): unknown {
  if (typeof v === 'string') return v.length > 500 ? `${v.slice(0, 500)}…` : v;
  if (v instanceof Error) return { name: v.name, message: clip(v.message), stack: v.stack?.split('\n').slice(0, 6).join('\n') };
  return v;
}

export function createLogger(level: Level = 'info', write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Logger {
  const log = (lvl: Level) => (msg: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const entry: Record<string, unknown> = { t: new Date().toISOString(), level: lvl, msg: clip(msg) };
    for (const [k, v] of Object.entries(fields)) entry[k] = clip(v);
    write(JSON.stringify(entry));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
