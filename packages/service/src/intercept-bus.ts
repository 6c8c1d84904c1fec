import type { Bus, RequestContext, RequestOptions } from '@switchboard/bus';

/** A handler as `Bus.serve` takes it, whatever its request and result. */
type AnyHandler<T, R> = (request: T, context: RequestContext) => Promise<R>;

/** What a wrapper changes of a bus: the options of its requests, the handlers it serves. */
export interface BusInterceptors {
  requestOptions?: (options: RequestOptions | undefined) => RequestOptions | undefined;
  handler?: <T, R>(handler: AnyHandler<T, R>) => AnyHandler<T, R>;
}

/**
 * `bus` with its requests' options and its served handlers passed through `interceptors`, and
 * everything else forwarded unchanged: the one place a wrapper of the bus (signed principals,
 * refusal reports) has to follow the `Bus` interface.
 */
export function interceptBus(bus: Bus, interceptors: BusInterceptors): Bus {
  const { requestOptions, handler: wrap } = interceptors;
  return {
    subjects: bus.subjects,
    request: (subject, rpc, payload, options) =>
      bus.request(subject, rpc, payload, requestOptions?.(options) ?? options),
    serve: (subject, rpc, handler, options) =>
      bus.serve(subject, rpc, wrap === undefined ? handler : wrap(handler), options),
    publishEvent: (subject, schema, payload, context) =>
      bus.publishEvent(subject, schema, payload, context),
    consumeEvents: (options) => bus.consumeEvents(options),
    kv: (bucket) => bus.kv(bucket),
    ping: () => bus.ping(),
    close: () => bus.close(),
  };
}
