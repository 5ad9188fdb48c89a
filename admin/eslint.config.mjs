import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  // lib/api-types is generated (scripts/api-types.mjs).
  { ignores: [".next/**", "out/**", "node_modules/**", "next-env.d.ts", "lib/api-types/**"] },
];

export default config;
