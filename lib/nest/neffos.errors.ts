// Start-up and usage errors of the Nest layer; messages say what to change.
import { NeffosError } from '../engine/index.js';

export class DuplicateEventError extends NeffosError {
  override name = 'DuplicateEventError';
  constructor(namespace: string, event: string, first: string, second: string) {
    super(`event "${event}" of namespace "${namespace}" is handled by both ${first} and ${second}; rename one method, or give it another name with @NeffosEvent('…')`);
  }
}

export class NoControllersError extends NeffosError {
  override name = 'NoControllersError';
  constructor() {
    super('NeffosModule found no @NeffosController() provider; add your controller class to the providers of a module');
  }
}

export class NeffosNotReadyError extends NeffosError {
  override name = 'NeffosNotReadyError';
  constructor() {
    super('the neffos server starts in onApplicationBootstrap; call NeffosServer after app.init() or app.listen()');
  }
}
