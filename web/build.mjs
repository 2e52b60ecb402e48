// Bundles src/ and MapLibre GL JS (from node_modules) into dist/, which the
// Go package web embeds. Run through scripts/build-web.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';

const out = 'dist';
for (const f of readdirSync(out)) if (f !== 'placeholder.txt') rmSync(`${out}/${f}`, { recursive: true });
mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: ['src/main.js'], bundle: true, format: 'esm', minify: true,
  target: 'es2022', outfile: `${out}/app.js`, legalComments: 'linked', logLevel: 'warning',
});
// The first screen's script, without MapLibre: a few kilobytes that run
// before the map's megabyte is parsed.
await esbuild.build({
  entryPoints: ['src/first.js'], bundle: true, format: 'esm', minify: true,
  target: 'es2022', outfile: `${out}/first.js`, logLevel: 'warning',
});
// MapLibre's worker is a separate module it loads by URL: ship it beside the app.
await esbuild.build({
  entryPoints: ['node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs'], bundle: true, format: 'esm',
  minify: true, target: 'es2022', outfile: `${out}/maplibre-gl-worker.js`, legalComments: 'linked', logLevel: 'warning',
});
copyFileSync('node_modules/maplibre-gl/dist/maplibre-gl.css', `${out}/maplibre-gl.css`);
copyFileSync('node_modules/maplibre-gl/LICENSE.txt', `${out}/maplibre-gl.LICENSE.txt`);
for (const f of ['index.html', 'style.css']) copyFileSync(`src/${f}`, `${out}/${f}`);
