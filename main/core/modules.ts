/**
 * The capabilities plugged into the core, beyond the foundation's own calls. Each adds its
 * contract in preload/contract/<capability>.ts and its factory here.
 */
import type { CapabilityFactory } from './handler.js';

export const capabilityFactories: CapabilityFactory[] = [];
