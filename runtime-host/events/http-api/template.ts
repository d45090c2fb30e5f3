// SAM `Api` (REST API) and `HttpApi` events: the route a function answers on the local API Gateway.
import type { EventSourceInfo } from '../../protocol/functions';
import type { TemplateEventParser } from '../template-events';

export const apiEvent: TemplateEventParser = ({ name, props: p, rawProps }, h): EventSourceInfo => ({
  type: 'Api',
  name,
  method: (h.text(p.Method) ?? 'ANY').toUpperCase(),
  path: h.text(p.Path) ?? '/',
  ...(p.RestApiId !== undefined ? { restApiId: h.refTarget(rawProps.RestApiId) ?? h.textOrMarker(p.RestApiId) } : {}),
});

export const httpApiEvent: TemplateEventParser = ({ name, props: p, rawProps }, h): EventSourceInfo => {
  // SAM: an HttpApi event without Path and Method is the API's `$default` route.
  const isDefault = p.Path === undefined && p.Method === undefined;
  return {
    type: 'HttpApi',
    name,
    method: isDefault ? 'ANY' : (h.text(p.Method) ?? 'ANY').toUpperCase(),
    path: isDefault ? '$default' : (h.text(p.Path) ?? '/'),
    ...(p.ApiId !== undefined ? { apiId: h.refTarget(rawProps.ApiId) ?? h.textOrMarker(p.ApiId) } : {}),
  };
};
