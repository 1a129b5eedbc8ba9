import type { Scope } from '@nestjs/common';
import type { EventNameMapper, NeffosEventsMode } from './neffos-module-options.interface.js';

export interface NeffosControllerOptions {
  /** The neffos namespace whose events this class handles (`''` is valid). */
  namespace: string;
  /** `Scope.REQUEST` makes one instance per namespace connection; default is decided by the dependency tree. */
  scope?: Scope;
  /** Overrides the module's `eventNameMapper` for this class. */
  eventNameMapper?: EventNameMapper;
  /** Overrides the module's `events` for this class: `'decorated'` serves only `@NeffosEvent()` methods. */
  events?: NeffosEventsMode;
}
