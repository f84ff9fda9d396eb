// Copies the ES module files of the pinned packages (web/vendor.json) from node_modules into the
// served tree and writes vendor/importmap.json, which the host inlines into the shell page.
//   node vendor.mjs <node_modules> <web output dir> <package-lock.json>
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [nodeModules, outDir, lockPath] = process.argv.slice(2);
if (!nodeModules || !outDir || !lockPath) {
  console.error('usage: node vendor.mjs <node_modules> <web output dir> <package-lock.json>');
  process.exit(2);
}

const here = path.dirname(fileURLToPath(import.meta.url));
const manifest = JSON.parse(fs.readFileSync(path.join(here, '..', 'vendor.json'), 'utf8'));
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));

function fail(message) {
  console.error(`vendor.mjs: ${message}`);
  process.exit(1);
}

// Every .js file under dir, relative to root (module folders carry .d.ts and maps we do not serve).
function jsFiles(root, dir) {
  const out = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...jsFiles(root, rel));
    else if (entry.name.endsWith('.js')) out.push(rel);
  }
  return out;
}

const vendorDir = path.join(outDir, 'vendor');
fs.rmSync(vendorDir, { recursive: true, force: true });
const imports = {};
for (const [name, spec] of Object.entries(manifest.packages)) {
  const pkgDir = path.join(nodeModules, name);
  const locked = lock.packages?.[`node_modules/${name}`]?.version;
  if (!locked) fail(`${name} is not in ${lockPath}`);
  const installed = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  // A stale node_modules would silently serve other code than the lock pins.
  if (installed !== locked) fail(`${name}: node_modules has ${installed}, the lock pins ${locked}; run npm ci`);

  const exclude = new Set(spec.exclude ?? []);
  const files = spec.files.flatMap((f) => (f.endsWith('/') ? jsFiles(pkgDir, f.slice(0, -1)) : [f]));
  const base = `${name}@${locked}`;
  for (const rel of files) {
    if (exclude.has(rel)) continue;
    const from = path.join(pkgDir, rel);
    if (!fs.existsSync(from)) fail(`${name}@${locked} has no ${rel}`);
    const to = path.join(vendorDir, base, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(from, to);
  }
  for (const [specifier, target] of Object.entries(spec.imports)) {
    imports[specifier] = `/static/vendor/${base}/${target}`;
  }
}
fs.writeFileSync(path.join(vendorDir, 'importmap.json'), JSON.stringify({ imports }, null, 2) + '\n');
console.log(`vendor.mjs: ${Object.keys(manifest.packages).length} packages, ${Object.keys(imports).length} import-map entries`);
