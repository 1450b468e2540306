import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "**/.wrangler/", ".local/", "dist/", "db/migrations/"] },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.tsx"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-console": "off",
      eqeqeq: ["error", "always"],
    },
  },
  // Dependency arrows point down: core ← db ← platform ← entry points (workers/, durable-objects/,
  // queues/). Tests may reach across (they set up through the real entry points).
  layer("core/**", "core/ is runtime-free domain logic: no Workers, database or entry-point imports", [
    ...["**/workers/**", "**/db/**", "**/platform/**", "**/durable-objects/**", "**/queues/**"],
    "cloudflare:*",
    "drizzle-orm",
    "drizzle-orm/*",
    "@neondatabase/*",
    "hono",
    "hono/*",
  ]),
  layer("db/**", "db/ serves every entry point: it imports no workers/, durable-objects/, queues/ or platform/", [
    "**/workers/**",
    "**/durable-objects/**",
    "**/queues/**",
    "**/platform/**",
  ]),
  layer("r2/**", "r2/ is object storage used by the entry points: no workers/, db/, platform/ or entry-point imports", [
    "**/workers/**",
    "**/db/**",
    "**/platform/**",
    "**/durable-objects/**",
    "**/queues/**",
  ]),
  layer("platform/**", "platform/ sits below the entry points: no workers/, queues/ imports", [
    "**/workers/**",
    "**/queues/**",
  ]),
  layer("durable-objects/**", "Durable Objects share platform/, not the Worker's HTTP layer", [
    "**/workers/**",
    "**/queues/**",
  ]),
  layer("queues/**", "queue consumers share platform/, not the Worker's HTTP layer", [
    "**/workers/**",
    "**/durable-objects/*.ts",
  ]),
);

/** `no-restricted-imports` for the non-test files of one layer. */
function layer(files, message, group) {
  return {
    files: [files],
    ignores: ["**/*.test.ts", "**/test/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [{ group, message }] }] },
  };
}
