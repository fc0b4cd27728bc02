// Worker bootstrap: load the TypeScript worker through tsx (the main thread's loader hooks are not inherited).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
