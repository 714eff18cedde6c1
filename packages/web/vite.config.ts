import { readFileSync } from 'node:fs';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { STATION_ICON_FILE, STATION_MANIFEST, STATION_MANIFEST_FILE, STATION_SCOPE, STATION_SW_FILE } from './src/station/manifest.ts';

/**
 * What the station app needs to start offline: its page, every chunk and stylesheet reachable from
 * its entry (lazy ones included), its manifest and icon. Filled while the bundle is written, read by
 * the service worker generator afterwards: the citizen book's and staff portal's files (ECharts…)
 * are never precached on a station phone.
 */
const stationFiles = new Set<string>();

function stationApp(): Plugin {
  return {
    name: 'openhssk:station-app',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      this.emitFile({ type: 'asset', fileName: STATION_MANIFEST_FILE, source: `${JSON.stringify(STATION_MANIFEST, null, 2)}\n` });
      this.emitFile({ type: 'asset', fileName: STATION_ICON_FILE, source: readFileSync(new URL('./src/station/icon.svg', import.meta.url)) });
      stationFiles.clear();
      for (const f of ['station.html', STATION_MANIFEST_FILE, STATION_ICON_FILE]) stationFiles.add(f);
      const entry = Object.values(bundle).find((c) => c.type === 'chunk' && c.isEntry && c.facadeModuleId?.endsWith('/station.html'));
      if (!entry) throw new Error('station.html entry chunk not found');
      const todo = [entry.fileName];
      while (todo.length > 0) {
        const name = todo.pop()!;
        if (stationFiles.has(name)) continue;
        stationFiles.add(name);
        const c = bundle[name];
        if (c?.type !== 'chunk') continue;
        todo.push(...c.imports, ...c.dynamicImports);
        for (const css of c.viteMetadata?.importedCss ?? []) stationFiles.add(css);
        for (const asset of c.viteMetadata?.importedAssets ?? []) stationFiles.add(asset);
      }
    },
  };
}

export default defineConfig({
  plugins: [
    react(),
    stationApp(),
    // Only the station app (/tram-y-te/) gets a service worker: it is registered by the app itself
    // with that scope, and the plugin injects nothing into the other pages (no manifest link, no
    // registration script — an inline one would also be refused by the Content-Security-Policy).
    VitePWA({
      injectRegister: false,
      manifest: false,
      filename: STATION_SW_FILE,
      scope: STATION_SCOPE,
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,webmanifest}'],
        manifestTransforms: [async (entries) => ({ manifest: entries.filter((e) => stationFiles.has(e.url)), warnings: [] })],
        // Every client route of the app comes back offline as the precached page.
        navigateFallback: 'station.html',
        navigateFallbackAllowlist: [new RegExp(`^${STATION_SCOPE}`), new RegExp(`^${STATION_SCOPE.slice(0, -1)}$`)],
        // One file: nothing else to fetch before the worker can start.
        inlineWorkboxRuntime: true,
        cleanupOutdatedCaches: true,
        // A new version takes over at once; the app keeps what is typed in drafts and the outbox, not in memory.
        skipWaiting: true,
        clientsClaim: true,
        // API answers are never cached by the worker: the app keeps the data it needs in IndexedDB.
        runtimeCaching: [],
      },
    }),
  ],
  build: {
    outDir: 'dist',
    sourcemap: false,
    target: 'es2020',
    // Three single-page apps: the citizen book (/), the staff portal (/nhan-vien/) and the commune
    // health station's offline app (/tram-y-te/).
    rollupOptions: { input: { book: 'index.html', staff: 'staff.html', station: 'station.html' } },
  },
  server: { proxy: { '/api': 'http://localhost:8080', '/auth': 'http://localhost:8080', '/idp': 'http://localhost:8080' } },
});
