// An event source mapping's `FilterCriteria` (SQS, Kinesis, DynamoDB streams): each filter's `Pattern` is
// JSON text in the filter-policy language, checked once when the template is read.
import { isRecord } from '../util/values';
import { validateFilterPolicy } from './sns/filter-policy';

/** The parsed patterns, or the problem with the first one that is not valid (to report at its template line). */
export function parseFilterCriteria(criteria: unknown): Record<string, unknown>[] | string {
  const filters: Record<string, unknown>[] = [];
  if (!isRecord(criteria) || !Array.isArray(criteria['Filters'])) return filters;
  for (const [i, f] of (criteria['Filters'] as unknown[]).entries()) {
    const text = isRecord(f) ? f['Pattern'] : undefined;
    let pattern: unknown = text;
    if (typeof text === 'string') {
      try {
        pattern = JSON.parse(text);
      } catch {
        return `FilterCriteria.Filters[${i}].Pattern is not valid JSON`;
      }
    }
    try {
      validateFilterPolicy(pattern, 'MessageBody');
    } catch (err) {
      return `FilterCriteria.Filters[${i}].Pattern: ${(err as Error).message}`;
    }
    filters.push(pattern as Record<string, unknown>);
  }
  return filters;
}
