/**
 * A package loaded when first needed rather than at start (a PDF library, the certificate maker):
 * with require, because an ESM import() of a package fails inside Electron's app.asar.
 */
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

export function loadLater<T>(name: string): T {
  return requireHere(name) as T;
}
