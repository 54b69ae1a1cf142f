import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// The web app: `vite build` writes client/web/dist, which the server serves (src/gateway/web.ts);
// `npm run dev` runs Vite's dev server with /api and /ws proxied to a running onsale server
// (ONSALE_URL, default http://127.0.0.1:8080).
const target = process.env.ONSALE_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [preact()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: {
    proxy: {
      '/api': { target, changeOrigin: true },
      '/ws': { target: target.replace(/^http/, 'ws'), ws: true },
    },
  },
});
