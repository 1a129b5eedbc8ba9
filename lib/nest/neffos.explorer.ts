// Finds @NeffosController providers and plans their events; it only finds, the host mounts.
import { Inject, Injectable, type Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import type { NeffosModuleOptions } from './interfaces/neffos-module-options.interface.js';
import { NeffosMetadataAccessor } from './neffos-metadata.accessor.js';
import { NEST_LIFECYCLE_METHODS, SYSTEM_HOOK_METHODS } from './neffos.constants.js';
import { NEFFOS_MODULE_OPTIONS } from './neffos.module-definition.js';

export interface EventPlan {
  /** Wire name of the event (`_On…` for lifecycle hooks). */
  event: string;
  methodName: string;
}

export interface ControllerPlan {
  metatype: Type;
  wrapper: InstanceWrapper;
  namespace: string;
  /** One instance per namespace connection (request scope somewhere in its tree). */
  perConnection: boolean;
  durable: boolean;
  events: EventPlan[];
}

@Injectable()
export class NeffosExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly accessor: NeffosMetadataAccessor,
    @Inject(NEFFOS_MODULE_OPTIONS) private readonly options: NeffosModuleOptions,
  ) {}

  explore(): ControllerPlan[] {
    const plans: ControllerPlan[] = [];
    const seen = new Set<Type>();
    for (const wrapper of this.discovery.getProviders()) {
      const metatype = wrapper.metatype as Type | undefined;
      if (typeof metatype !== 'function' || seen.has(metatype)) continue;
      const meta = this.accessor.getControllerOptions(metatype);
      if (meta === undefined) continue;
      seen.add(metatype);
      const perConnection = !wrapper.isDependencyTreeStatic();
      plans.push({
        metatype,
        wrapper,
        namespace: meta.namespace,
        perConnection,
        durable: perConnection && wrapper.isDependencyTreeDurable(),
        events: this.planEvents(metatype, meta.eventNameMapper ?? this.options.eventNameMapper),
      });
    }
    return plans;
  }

  private planEvents(metatype: Type, mapper: NeffosModuleOptions['eventNameMapper']): EventPlan[] {
    const prototype = metatype.prototype as Record<string, Function>;
    const events: EventPlan[] = [];
    for (const methodName of this.scanner.getAllMethodNames(prototype)) {
      if (methodName.startsWith('_') || NEST_LIFECYCLE_METHODS.has(methodName)) continue;
      const handler = prototype[methodName]!;
      if (this.accessor.isIgnored(handler)) continue;
      const explicit = this.accessor.getEventName(handler);
      if (explicit !== undefined) {
        events.push({ event: explicit, methodName });
        continue;
      }
      const system = SYSTEM_HOOK_METHODS.get(methodName);
      if (system !== undefined) {
        events.push({ event: system, methodName });
        continue;
      }
      const mapped = mapper?.(methodName, metatype);
      if (mapped === false) continue;
      events.push({ event: mapped ?? methodName, methodName });
    }
    return events;
  }
}
