import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      '.local/**',
      '.package/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // The type-aware rules (floating and misused promises, exhaustive switches) need the
      // program; the project service builds it from tsconfig.json.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      eqeqeq: ['error', 'always'],
      // No `curly`: Prettier wraps a long one-line `if (x) y;` over two lines, which curly's
      // multi-line mode then refuses; the formatter decides layout (as eslint-config-prettier does).
      'no-console': 'off',
    },
  },
  {
    // Settings are read once, in shared/config (docs/architecture.md): everything else takes them.
    files: ['functions/**/*.ts', 'shared/**/*.ts'],
    ignores: ['shared/config/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read settings in shared/config and pass them in.' },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Fakes implement async interfaces with async arrows, so a throw in one rejects as the real
      // dependency's would; they need no await.
      '@typescript-eslint/require-await': 'off',
      // Jest's asymmetric matchers (expect.stringContaining, ...) and the Service Bus SDK's
      // message bodies are typed `any`; assertions on them are what tests are for.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
);
