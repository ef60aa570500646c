import { defineConfig } from 'eslint/config';
import baseConfig from './.config/eslint.config.mjs';

export default defineConfig([
  { ignores: ['**/node_modules', '**/dist', '**/coverage', '.config/webpack.config.js', '.config/jest/**', '**/*.js', '.eslintcache'] },
  ...baseConfig,
]);
