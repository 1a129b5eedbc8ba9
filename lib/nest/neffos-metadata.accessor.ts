// The one place that reads this package's metadata and the Nest enhancer and parameter metadata it
// checks for, and the one place that copies metadata from a method to the function that wraps it.
import { Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { NeffosControllerOptions } from './interfaces/neffos-controller-options.interface.js';
import {
  CUSTOM_ROUTE_ARGS_METADATA,
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  MESSAGE_MAPPING_METADATA,
  MESSAGE_METADATA,
  NEFFOS_CONTROLLER_METADATA,
  NEFFOS_EVENT_METADATA,
  NEFFOS_IGNORE_METADATA,
  PATH_METADATA,
  PIPES_METADATA,
  ROUTE_ARGS_METADATA,
} from './neffos.constants.js';

const ENHANCER_KEYS = [GUARDS_METADATA, PIPES_METADATA, INTERCEPTORS_METADATA, EXCEPTION_FILTERS_METADATA];

/** One decorated parameter of a handler, as `ROUTE_ARGS_METADATA` records it. */
export interface ParamDecoratorInfo {
  index: number;
  /** `createParamDecorator()` ones carry their own factory; the others a Nest param type. */
  custom: boolean;
  /** The param type as written in the key (a number for Nest's built-in decorators). */
  type: string;
}

@Injectable()
export class NeffosMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  getControllerOptions(target: Function): NeffosControllerOptions | undefined {
    return this.reflector.get<NeffosControllerOptions | undefined>(NEFFOS_CONTROLLER_METADATA, target);
  }

  /** Whether `@Controller()` (Nest's HTTP controller) marks the class. */
  isHttpController(target: Function): boolean {
    return this.reflector.get<string | string[] | undefined>(PATH_METADATA, target) !== undefined;
  }

  /**
   * `@NeffosEvent(name)`: the name; `@NeffosEvent()`: `true` (named by the method); undecorated: undefined.
   * A gateway's `@SubscribeMessage('name')`, kept from a migration, names the event as `@NeffosEvent('name')`
   * would: it was read by nothing, so the method answered under its own name and `name` was silently unknown.
   */
  getEventMark(handler: Function): string | true | undefined {
    const mark = this.reflector.get<string | true | undefined>(NEFFOS_EVENT_METADATA, handler);
    if (mark !== undefined || this.reflector.get<boolean | undefined>(MESSAGE_MAPPING_METADATA, handler) !== true) return mark;
    const message = this.reflector.get<unknown>(MESSAGE_METADATA, handler);
    return typeof message === 'string' && message !== '' ? message : undefined;
  }

  isIgnored(handler: Function): boolean {
    return this.reflector.get<boolean | undefined>(NEFFOS_IGNORE_METADATA, handler) === true;
  }

  /** Whether `@UseGuards/@UsePipes/@UseInterceptors/@UseFilters` apply to this method or its class. */
  hasEnhancers(controller: Type, handler: Function): boolean {
    return ENHANCER_KEYS.some((key) => hasItems(this.reflector.get(key, handler)) || hasItems(this.reflector.get(key, controller)));
  }

  hasGuards(controller: Type): boolean {
    return hasItems(this.reflector.get(GUARDS_METADATA, controller));
  }

  /** The method's parameter decorators (`@MessageBody()`, `@NamespaceConn()` …); empty when it has none. */
  getParamDecorators(controller: Type, methodName: string): ParamDecoratorInfo[] {
    const meta = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, methodName) as Record<string, unknown> | undefined;
    if (meta === undefined) return [];
    // Keys are `<type>:<index>`, or `<type>__customRouteArgs__:<index>` (@nestjs/common assignMetadata).
    return Object.keys(meta).map((key) => {
      const colon = key.lastIndexOf(':');
      const head = key.slice(0, colon);
      const custom = head.endsWith(CUSTOM_ROUTE_ARGS_METADATA);
      return { index: Number(key.slice(colon + 1)), custom, type: custom ? head.slice(0, -CUSTOM_ROUTE_ARGS_METADATA.length) : head };
    });
  }

  /**
   * Gives `to` the metadata of `from`: ExternalContextCreator reads method-level enhancers from the
   * function it is handed, and the handlers hand it a wrapper of the method.
   */
  copyMethodMetadata(from: Function, to: Function): void {
    for (const key of Reflect.getMetadataKeys(from) as unknown[]) Reflect.defineMetadata(key, Reflect.getMetadata(key, from), to);
  }

  /** Adds `interceptor` after the method-level ones of `to` (a wrapper): the last, so the innermost. */
  addInnermostInterceptor(to: Function, interceptor: object): void {
    // A new array: `to` may share the method's own (copyMethodMetadata copies references).
    const own = (Reflect.getMetadata(INTERCEPTORS_METADATA, to) as unknown[] | undefined) ?? [];
    Reflect.defineMetadata(INTERCEPTORS_METADATA, [...own, interceptor], to);
  }
}

function hasItems(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}
