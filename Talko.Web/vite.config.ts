import { defineConfig } from 'vite';

// The build goes where Talko.Server serves static files from; `npm run dev` proxies the API to a local server.
export default defineConfig({
  build: {
    outDir: '../Talko.Server/webclient',
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      // @microsoft/signalr's ESM build carries /*#__PURE__*/ comments Rollup cannot place; harmless, and not ours.
      onwarn(warning, warn) { if (warning.code !== 'INVALID_ANNOTATION') warn(warning); },
    },
  },
  server: {
    proxy: {
      '/v1': 'http://localhost:5080',
      '/dev': 'http://localhost:5080',
      '/hubs': { target: 'ws://localhost:5080', ws: true },
    },
  },
});
