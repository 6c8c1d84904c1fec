import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built to static files that the gateway serves at /console: everything is bundled (no CDN, no
// web fonts), so the console works air-gapped.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1024 },
});
