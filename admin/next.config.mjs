import { PHASE_DEVELOPMENT_SERVER } from "next/constants.js";

/** Static export served by Caddy under /admin/; in `next dev`, /api is proxied to `make up` instead. */
export default function config(phase) {
  const dev = phase === PHASE_DEVELOPMENT_SERVER;
  /** @type {import('next').NextConfig} */
  const base = {
    basePath: "/admin",
    trailingSlash: true,
    images: { unoptimized: true },
    reactStrictMode: true,
    poweredByHeader: false,
  };
  if (!dev) return { ...base, output: "export" };
  const api = process.env.ADMIN_API_ORIGIN ?? "http://127.0.0.1:8080";
  return {
    ...base,
    async rewrites() {
      return [
        { source: "/api/:path*", destination: `${api}/api/:path*`, basePath: false },
        { source: "/widget/:path*", destination: `${api}/widget/:path*`, basePath: false },
      ];
    },
  };
}
