import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const DEPLOYABLES = ['product-api', 'inventory-api', 'inventory-worker'];
const WORKER_SIDE = ['inventory-worker', 'inventory-core'];

export default tseslint.config(
  { ignores: ['**/dist/**', 'prisma/generated/**', 'node_modules/**', 'coverage/**', 'bench/results*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/http/**', '**/http', '@stockstream/platform/http', 'express'],
              message: 'domain/ and data/ never import HTTP code',
            },
          ],
        },
      ],
    },
  },
  {
    // Only domain/ and data/ are bound by the rule above.
    files: ['**/src/http/**', '**/src/main.ts', '**/test/**', 'platform/**', '**/src/*.ts', 'bench/**'],
    ignores: ['**/src/domain/**', '**/src/data/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  // No deployable imports another, in its code or its tests: what they share lives in a package
  // (contracts, platform, prisma, inventory-core). Tests of the whole system live in test/.
  // The worker serves no Express app, and what it loads stays in its memory for good: neither it nor
  // inventory-core, which it runs, imports the APIs' Express pieces (docs/performance.md, Memory).
  ...[...DEPLOYABLES, 'inventory-core'].map((place) => ({
    files: [`${place}/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...DEPLOYABLES.filter((other) => other !== place).map((other) => ({
              group: [`@stockstream/${other}`, `@stockstream/${other}/**`, `**/${other}/**`, `**/${other}`],
              message: `${place} must not import ${other}, which is deployed on its own; share code through a package`,
            })),
            ...(WORKER_SIDE.includes(place)
              ? [
                  {
                    group: ['@stockstream/platform/http', 'express'],
                    message: 'the worker loads no Express: take what it needs from @stockstream/platform',
                  },
                ]
              : []),
          ],
        },
      ],
    },
  })),
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
        globalThis: 'readonly',
        URL: 'readonly',
        WebAssembly: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off', '@typescript-eslint/ban-ts-comment': 'off' },
  },
);
