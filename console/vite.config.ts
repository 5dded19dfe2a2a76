import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is served by the gateway at /console from console/dist (hashed assets, cached for a year;
// index.html never cached). Everything is bundled: no font, script or style from a CDN, so it works offline.
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npm run console:dev`: the gateway on :8080 answers GraphQL (HTTP and WebSocket).
    proxy: { '/graphql': { target: 'http://localhost:8080', ws: true } },
  },
});
