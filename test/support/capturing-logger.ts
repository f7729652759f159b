import type { LoggerService } from '@nestjs/common';

export interface LogLine {
  level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  message: string;
  context?: string;
}

/** A Nest logger that keeps every line, for assertions on what the app logged. */
export class CapturingLogger implements LoggerService {
  readonly lines: LogLine[] = [];

  log(message: unknown, context?: string): void {
    this.add('log', message, context);
  }
  error(message: unknown, _trace?: string, context?: string): void {
    this.add('error', message, context);
  }
  warn(message: unknown, context?: string): void {
    this.add('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.add('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.add('verbose', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.add('fatal', message, context);
  }

  at(level: LogLine['level'], pattern?: RegExp): LogLine[] {
    return this.lines.filter((l) => l.level === level && (!pattern || pattern.test(l.message)));
  }

  clear(): void {
    this.lines.length = 0;
  }

  private add(level: LogLine['level'], message: unknown, context?: string): void {
    this.lines.push({ level, message: String(message), context });
  }
}
