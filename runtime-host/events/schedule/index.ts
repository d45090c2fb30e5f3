export { ScheduleSource, type ScheduleSourceOptions } from './schedule-source';
export { ManualClock, systemClock, type ScheduleClock } from './clock';
