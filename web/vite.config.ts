import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

/**
 * The BFF the development server sends everything but the app itself to, so `npm start`'s hot-reloading
 * app calls the same origin as the built one the BFF serves. The launcher sets it with its port offset.
 */
const bffUrl = process.env.MARQUEE_BFF_URL ?? "http://localhost:8080";

/** Paths the BFF answers: every RPC (`/<package>.<Service>/<Method>`), the token endpoint, keys, config. */
const bffPaths = ["^/marquee\\.", "^/grpc\\.", "^/oauth2/", "^/\\.well-known/", "^/web-config\\.json$"];

export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: { outDir: "dist/app", emptyOutDir: true, sourcemap: true },
  server: {
    port: Number(process.env.PORT ?? 5173),
    strictPort: true,
    proxy: Object.fromEntries(bffPaths.map((path) => [path, { target: bffUrl, changeOrigin: false }])),
  },
  test: { environment: "happy-dom", include: ["test/**/*.test.tsx", "test/**/*.test.ts"] },
});
