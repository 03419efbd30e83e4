#!/usr/bin/env node
// Installs what folio needs and is missing: Debian packages (as root on Debian) and the npm
// dependencies from the lockfile. Idempotent and quick when nothing is missing. Plain
// JavaScript with no dependencies, because it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = path.join(root, 'node_modules', '.folio-setup.json');

/** Debian packages, each with a file whose presence shows it is installed. */
const systemPackages = [
  {
    name: 'chromium',
    file: process.env.FOLIO_CHROMIUM ?? '/usr/bin/chromium',
    why: 'prints the PDFs',
  },
  {
    name: 'fonts-noto-cjk',
    file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
    why: 'sets the Chinese text',
  },
  {
    name: 'fonts-dejavu-core',
    file: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
    why: 'Latin and symbol glyphs that Noto CJK lacks',
  },
  { name: 'fontconfig', file: '/usr/bin/fc-match', why: 'finds the fonts for the glyph check' },
  {
    name: 'dataset-fashion-mnist',
    file: '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz',
    why: 'the Fashion-MNIST IDX files the experiments train on',
    skip: Boolean(process.env.FOLIO_DATA_DIR),
  },
  { name: 'poppler-utils', file: '/usr/bin/pdftotext', why: 'reads the PDFs in the tests' },
];

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root });
  if (result.status !== 0) {
    console.error(`setup: \`${command} ${args.join(' ')}\` failed with exit code ${result.status}`);
    process.exit(1);
  }
}

function installSystemPackages() {
  const missing = systemPackages.filter((pkg) => !pkg.skip && !existsSync(pkg.file));
  if (missing.length === 0) return;
  const names = missing.map((pkg) => pkg.name);
  const isDebian = existsSync('/etc/debian_version') && existsSync('/usr/bin/apt-get');
  const isRoot = process.getuid?.() === 0;
  if (!isDebian || !isRoot) {
    console.error('setup: these system packages are missing:');
    for (const pkg of missing) console.error(`  ${pkg.name}: ${pkg.why} (expected ${pkg.file})`);
    console.error(
      isDebian
        ? `run as root: apt-get install -y ${names.join(' ')}`
        : 'install the equivalents for your system; set FOLIO_CHROMIUM to a Chromium binary and FOLIO_DATA_DIR to a folder with the four Fashion-MNIST IDX files',
    );
    process.exit(1);
  }
  console.error(`setup: installing ${names.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (update.status !== 0)
    console.error(
      'setup: apt-get update failed; trying the install with the current package lists',
    );
  const install = spawnSync(
    'apt-get',
    ['install', '-y', '-qq', '--no-install-recommends', ...names],
    { stdio: 'inherit', env },
  );
  if (install.status !== 0) {
    console.error(
      `setup: apt-get install ${names.join(' ')} failed with exit code ${install.status}`,
    );
    process.exit(1);
  }
}

function lockfileHash() {
  const hash = createHash('sha256');
  for (const file of ['package.json', 'package-lock.json'])
    hash.update(readFileSync(path.join(root, file)));
  return hash.digest('hex');
}

function installNodeModules() {
  const expected = lockfileHash();
  if (existsSync(stampFile)) {
    try {
      if (JSON.parse(readFileSync(stampFile, 'utf8')).lockfile === expected) return;
    } catch {
      // An unreadable stamp means the install must be redone.
    }
  }
  console.error('setup: node_modules does not match package-lock.json; running npm ci');
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(stampFile, JSON.stringify({ lockfile: expected }) + '\n');
}

installSystemPackages();
installNodeModules();
