// Builds the console into internal/console/dist, which the Go binary embeds (and git keeps, so `go build`
// needs no npm). Asset names carry a content hash (served with a one-year cache); index.html names them.
// dist/sources.sha256 records the hash of the sources built, and a Go test fails when it is stale.
import * as esbuild from 'esbuild';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const out = '../internal/console/dist';
fs.rmSync(out, {recursive: true, force: true});
fs.mkdirSync(out + '/assets', {recursive: true});

const res = await esbuild.build({
  entryPoints: {app: 'src/main.js'},
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  outdir: out + '/assets',
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  loader: {'.png': 'file', '.svg': 'file'},
  legalComments: 'eof', // Leaflet's and uPlot's licences travel with the bundle
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(res.metafile.outputs).map((p) => path.basename(p));
const js = outputs.find((f) => /^app-.*\.js$/.test(f));
const css = outputs.find((f) => /^app-.*\.css$/.test(f));
const html = fs.readFileSync('src/index.html', 'utf8').replace('{{js}}', 'assets/' + js).replace('{{css}}', 'assets/' + css);
fs.writeFileSync(out + '/index.html', html);
fs.writeFileSync(out + '/sources.sha256', sourcesHash() + '\n');

// sourcesHash must stay in step with sourcesHash in internal/console/bundle_test.go: SHA-256 over each source
// file's slash path relative to console/, a NUL, its bytes and a NUL, in byte order of the paths.
function sourcesHash() {
  const files = ['build.mjs', 'package.json', 'package-lock.json'];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, {withFileTypes: true})) {
      const p = dir + '/' + e.name;
      if (e.isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk('src');
  files.sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  const h = createHash('sha256');
  for (const f of files) {
    h.update(f);
    h.update('\0');
    h.update(fs.readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex');
}
