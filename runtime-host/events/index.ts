// The simulated event sources `serve` starts, one folder each under events/.
import type { EventSource } from '../host-context';

export function createEventSources(): EventSource[] {
  return [];
}
