export { EventBridgeSource, type EventBridgeSourceOptions } from './eventbridge-source';
export { compileEventPattern, matchesEventPattern, InvalidEventPatternError, type EventPattern } from './event-pattern';
export type { DeliveryTiming } from './delivery';
