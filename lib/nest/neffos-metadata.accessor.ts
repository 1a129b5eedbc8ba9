import { Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { NeffosControllerOptions } from './interfaces/neffos-controller-options.interface.js';
import {
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  NEFFOS_CONTROLLER_METADATA,
  NEFFOS_EVENT_METADATA,
  NEFFOS_IGNORE_METADATA,
  PIPES_METADATA,
  ROUTE_ARGS_METADATA,
} from './neffos.constants.js';

const ENHANCER_KEYS = [GUARDS_METADATA, PIPES_METADATA, INTERCEPTORS_METADATA, EXCEPTION_FILTERS_METADATA];

/** The one place that reads this package's metadata (and the Nest enhancer metadata it checks for). */
@Injectable()
export class NeffosMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  getControllerOptions(target: Function): NeffosControllerOptions | undefined {
    return this.reflector.get<NeffosControllerOptions | undefined>(NEFFOS_CONTROLLER_METADATA, target);
  }

  getEventName(handler: Function): string | undefined {
    return this.reflector.get<string | undefined>(NEFFOS_EVENT_METADATA, handler);
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

  /** Whether the method has parameter decorators (`@MessageBody()`, `@NamespaceConn()` …). */
  hasParamDecorators(controller: Type, methodName: string): boolean {
    const meta: unknown = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, methodName);
    return meta !== undefined && Object.keys(meta as object).length > 0;
  }
}

function hasItems(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}
