// Worker threads start without the TypeScript loader that the main thread has, so register it
// before loading the build worker itself.
import { register } from 'tsx/esm/api';

register();
await import('./build-worker.ts');
