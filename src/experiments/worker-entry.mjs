// Worker threads start without the TypeScript loader that the main thread has, so register it
// before loading the worker itself.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
