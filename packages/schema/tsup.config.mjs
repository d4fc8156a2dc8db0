import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base.mjs';

export default defineConfig(packageConfig());
