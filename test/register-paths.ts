// Global setup runs outside jest's module mapper; resolve the `@/` alias the same way here.
import { join } from 'node:path';
import { register } from 'tsconfig-paths';

register({ baseUrl: join(__dirname, '..'), paths: { '@/*': ['src/*'] } });
