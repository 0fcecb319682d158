import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/**
 * The dev server injects inline scripts (React refresh) and styles, which the page's strict
 * Content-Security-Policy forbids: drop the policy in `vite dev` only. Builds keep it as written.
 */
function relaxCspInDev(): Plugin {
  return {
    name: 'register:relax-csp-in-dev',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace(/<meta\s+http-equiv="Content-Security-Policy"[^>]*>/s, ''),
  };
}

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react(), relaxCspInDev()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
    // The register's screens, and the reception tablet's own small page (served by main/tablet/server.ts).
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('./renderer/index.html', import.meta.url)),
        tablet: fileURLToPath(new URL('./renderer/tablet.html', import.meta.url)),
      },
    },
  },
  server: { host: '127.0.0.1' },
});
