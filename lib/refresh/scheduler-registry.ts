import type { ModuleRef } from '@nestjs/core';

/** The part of `@nestjs/schedule`'s `SchedulerRegistry` this module uses. */
export interface IntervalRegistry {
  addInterval(name: string, intervalId: ReturnType<typeof setInterval>): void;
  deleteInterval(name: string): void;
  doesExist(type: 'interval', name: string): boolean;
}

/**
 * The app's `SchedulerRegistry`, if the app imports `ScheduleModule.forRoot()`. The module never
 * imports `ScheduleModule.forRoot()` itself (a second registration runs the app's own jobs twice),
 * and `@nestjs/schedule` is an optional peer: it is loaded only here, only if installed.
 */
export async function findSchedulerRegistry(moduleRef: ModuleRef): Promise<IntervalRegistry | undefined> {
  let schedule: typeof import('@nestjs/schedule');
  try {
    schedule = await import('@nestjs/schedule');
  } catch {
    return undefined; // not installed
  }
  try {
    const registry: IntervalRegistry = moduleRef.get(schedule.SchedulerRegistry, { strict: false });
    return registry;
  } catch {
    return undefined; // installed, but the app has no ScheduleModule.forRoot()
  }
}
