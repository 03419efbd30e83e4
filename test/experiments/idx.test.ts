import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { IdxError, loadMnistFormat, readIdx } from '../../src/experiments/idx.ts';

const DATA_DIR = '/usr/share/datasets/fashion-mnist';
const TRAIN_IMAGES = join(DATA_DIR, 'train-images-idx3-ubyte.gz');
const TRAIN_LABELS = join(DATA_DIR, 'train-labels-idx1-ubyte.gz');
const TEST_IMAGES = join(DATA_DIR, 't10k-images-idx3-ubyte.gz');
const TEST_LABELS = join(DATA_DIR, 't10k-labels-idx1-ubyte.gz');

const FOLDER_CONTENTS =
  'The folder must contain train-images-idx3-ubyte, train-labels-idx1-ubyte, ' +
  't10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each plain or gzipped with a .gz suffix. ' +
  'On Debian, `apt-get install dataset-fashion-mnist` provides the Fashion-MNIST files in ' +
  '/usr/share/datasets/fashion-mnist.';

/** Builds an IDX file of unsigned bytes with the given magic number and dimensions. */
function idxBytes(magic: number, dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + dims.length * 4);
  header.writeUInt32BE(magic, 0);
  dims.forEach((dim, i) => header.writeUInt32BE(dim, 4 + i * 4));
  return Buffer.concat([header, data]);
}

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

let tempDir: string;

beforeAll(() => {
  tempDir = mkdtempSync(join(tmpdir(), 'folio-idx-'));
});

afterAll(() => {
  rmSync(tempDir, { recursive: true, force: true });
});

describe('readIdx', () => {
  it('reads Fashion-MNIST training images', () => {
    const images = readIdx(TRAIN_IMAGES);

    expect(images.kind).toBe('images');
    expect(images.dims).toEqual([60000, 28, 28]);
    expect(images.data.length).toBe(60000 * 28 * 28);
    // Checksums computed independently with Python's gzip and numpy.
    expect(images.data.subarray(0, 784).reduce((sum, value) => sum + value, 0)).toBe(76247);
    expect(Math.max(...images.data.subarray(0, 784))).toBe(255);
  });

  it('reads Fashion-MNIST training labels', () => {
    const labels = readIdx(TRAIN_LABELS);

    expect(labels.kind).toBe('labels');
    expect(labels.dims).toEqual([60000]);
    expect(Array.from(labels.data.subarray(0, 12))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9]);
    const perClass = new Array<number>(10).fill(0);
    labels.data.forEach((label) => perClass[label]!++);
    expect(perClass).toEqual(new Array<number>(10).fill(6000));
  });

  it('parses plain and gzipped copies alike', () => {
    const gzipped = readFileSync(TEST_IMAGES);
    const plainPath = join(tempDir, 'plain-images');
    // No .gz in the name: gzip is recognized by its magic bytes.
    const gzippedPath = join(tempDir, 'gzipped-images');
    writeFileSync(plainPath, gunzipSync(gzipped));
    writeFileSync(gzippedPath, gzipped);

    const plain = readIdx(plainPath);
    const unzipped = readIdx(gzippedPath);

    expect(plain.dims).toEqual([10000, 28, 28]);
    expect(unzipped.dims).toEqual([10000, 28, 28]);
    expect(Buffer.from(plain.data).equals(Buffer.from(unzipped.data))).toBe(true);
  });

  it('rejects a truncated file', () => {
    const path = join(tempDir, 'truncated-labels');
    writeFileSync(path, idxBytes(2049, [100], new Uint8Array(60)));

    const error = catchError(() => readIdx(path));

    expect(error).toBeInstanceOf(IdxError);
    expect((error as IdxError).code).toBe('truncated');
    expect((error as IdxError).message).toBe(
      `${path}: truncated IDX file: the header declares 100 labels, so expected 100 data ` +
        'bytes, found 60. Download the file again or reinstall the package that provides it.',
    );
  });

  it('rejects truncated images', () => {
    const path = join(tempDir, 'truncated-images');
    writeFileSync(path, idxBytes(2051, [3, 2, 2], new Uint8Array(11)));

    expect(() => readIdx(path)).toThrow(
      `${path}: truncated IDX file: the header declares 3 images of 2x2, so expected 12 data ` +
        'bytes, found 11. Download the file again or reinstall the package that provides it.',
    );
  });

  it('rejects a truncated header', () => {
    const path = join(tempDir, 'truncated-header');
    writeFileSync(path, idxBytes(2051, [5], new Uint8Array(0)));

    expect(() => readIdx(path)).toThrow(
      `${path}: truncated IDX file: expected a 16-byte header for images, found 8 bytes.`,
    );
  });

  it('rejects a truncated gzip stream', () => {
    const path = join(tempDir, 'truncated.gz');
    const gzipped = readFileSync(TEST_LABELS);
    writeFileSync(path, gzipped.subarray(0, gzipped.length - 100));

    const error = catchError(() => readIdx(path));

    expect(error).toBeInstanceOf(IdxError);
    expect((error as IdxError).code).toBe('invalid-gzip');
    expect((error as IdxError).message).toMatch(
      new RegExp(
        `^${path}: gzip decompression failed \\(.+\\), so the file is truncated or corrupt`,
      ),
    );
  });

  it('rejects extra data after the declared size', () => {
    const path = join(tempDir, 'long-labels');
    writeFileSync(path, idxBytes(2049, [3], new Uint8Array(5)));

    const error = catchError(() => readIdx(path));

    expect((error as IdxError).code).toBe('size-mismatch');
    expect((error as IdxError).message).toBe(
      `${path}: IDX data size mismatch: the header declares 3 labels, so expected 3 data ` +
        'bytes, found 5. Download the file again or reinstall the package that provides it.',
    );
  });

  it('rejects a wrong magic number', () => {
    const path = join(tempDir, 'float-images');
    // 2055 is the IDX magic of float32 data with three dimensions.
    writeFileSync(path, idxBytes(2055, [1, 1, 1], new Uint8Array(4)));

    const error = catchError(() => readIdx(path));

    expect(error).toBeInstanceOf(IdxError);
    expect((error as IdxError).code).toBe('invalid-magic');
    expect((error as IdxError).message).toBe(
      `${path}: invalid IDX magic number: expected 2051 (images) or 2049 (labels), found 2055. ` +
        'Check that the path points to an MNIST-format IDX file.',
    );
  });

  it('rejects a missing file', () => {
    const path = join(tempDir, 'no-such-file');

    expect(() => readIdx(path)).toThrow(`IDX file not found: ${path}. Check the path.`);
  });
});

describe('loadMnistFormat', () => {
  it('loads Fashion-MNIST with limits', () => {
    const data = loadMnistFormat(DATA_DIR, { trainLimit: 100, testLimit: 30 });

    expect(data.rows).toBe(28);
    expect(data.columns).toBe(28);
    expect(data.train.count).toBe(100);
    expect(data.train.images.length).toBe(100 * 784);
    expect(data.train.labels.length).toBe(100);
    expect(data.test.count).toBe(30);
    expect(data.test.images.length).toBe(30 * 784);
    expect(Array.from(data.test.labels.subarray(0, 12))).toEqual([
      9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5,
    ]);
    expect(data.files).toEqual([TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS]);
  });

  it('scales pixels to the unit interval', () => {
    const data = loadMnistFormat(DATA_DIR, { trainLimit: 1, testLimit: 1 });
    const raw = readIdx(TRAIN_IMAGES).data;

    expect(data.train.images).toBeInstanceOf(Float32Array);
    for (let i = 0; i < 784; i++) {
      expect(data.train.images[i]).toBe(Math.fround(raw[i]! / 255));
    }
  });

  it('shares memory with worker threads', () => {
    const data = loadMnistFormat(DATA_DIR, { trainLimit: 2, testLimit: 2 });

    expect(data.train.images.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(data.train.labels.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(data.test.images.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(data.test.labels.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('reads a limit past the end as the whole split', () => {
    const data = loadMnistFormat(DATA_DIR, { trainLimit: 1, testLimit: 20000 });

    expect(data.test.count).toBe(10000);
  });

  it('accepts a mix of plain and gzipped files', () => {
    const dir = mkdtempSync(join(tempDir, 'mixed-'));
    const images = readIdx(TEST_IMAGES).data.subarray(0, 5 * 784);
    const labels = readIdx(TEST_LABELS).data.subarray(0, 5);
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), idxBytes(2051, [5, 28, 28], images));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idxBytes(2049, [5], labels)));
    writeFileSync(
      join(dir, 't10k-images-idx3-ubyte.gz'),
      gzipSync(idxBytes(2051, [5, 28, 28], images)),
    );
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idxBytes(2049, [5], labels));

    const data = loadMnistFormat(dir);

    expect(data.train.count).toBe(5);
    expect(data.test.count).toBe(5);
    expect(Array.from(data.train.labels)).toEqual([9, 2, 1, 1, 6]);
    expect(Array.from(data.test.images)).toEqual(Array.from(data.train.images));
    expect(data.files).toEqual([
      join(dir, 'train-images-idx3-ubyte'),
      join(dir, 'train-labels-idx1-ubyte.gz'),
      join(dir, 't10k-images-idx3-ubyte.gz'),
      join(dir, 't10k-labels-idx1-ubyte'),
    ]);
  });

  it('rejects labels that do not match the images', () => {
    const dir = mkdtempSync(join(tempDir, 'mismatch-'));
    const images = idxBytes(2051, [2, 1, 1], new Uint8Array(2));
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), images);
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxBytes(2049, [3], new Uint8Array(3)));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), images);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idxBytes(2049, [2], new Uint8Array(2)));

    const labelsPath = join(dir, 'train-labels-idx1-ubyte');
    expect(() => loadMnistFormat(dir)).toThrow(
      `${labelsPath}: label count mismatch: expected 2 labels, one per image in ` +
        `${join(dir, 'train-images-idx3-ubyte')}, found 3. Use the images and labels of the same split.`,
    );
  });

  it('rejects labels in place of images', () => {
    const dir = mkdtempSync(join(tempDir, 'swapped-'));
    const labels = idxBytes(2049, [1], new Uint8Array(1));
    for (const name of ['train-images', 'train-labels', 't10k-images', 't10k-labels']) {
      writeFileSync(join(dir, `${name}-idx${name.endsWith('images') ? 3 : 1}-ubyte`), labels);
    }

    const error = catchError(() => loadMnistFormat(dir));

    expect((error as IdxError).code).toBe('invalid-magic');
    expect((error as IdxError).message).toBe(
      `${join(dir, 'train-images-idx3-ubyte')}: invalid IDX magic number: expected 2051 ` +
        '(images), found the magic number of labels. Check that the file names match their contents.',
    );
  });

  it('names the files missing from a folder', () => {
    const dir = mkdtempSync(join(tempDir, 'partial-'));
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), '');
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), '');

    const error = catchError(() => loadMnistFormat(dir));

    expect(error).toBeInstanceOf(IdxError);
    expect((error as IdxError).code).toBe('file-not-found');
    expect((error as IdxError).path).toBe(dir);
    expect((error as IdxError).message).toBe(
      `MNIST-format dataset incomplete in ${dir}: missing train-labels-idx1-ubyte, ` +
        't10k-labels-idx1-ubyte. ' +
        FOLDER_CONTENTS,
    );
  });

  it('names a missing folder', () => {
    const dir = join(tempDir, 'no-such-folder');

    const error = catchError(() => loadMnistFormat(dir));

    expect(error).toBeInstanceOf(IdxError);
    expect((error as IdxError).code).toBe('file-not-found');
    expect((error as IdxError).message).toBe(
      `MNIST-format dataset folder not found: ${dir}. ` + FOLDER_CONTENTS,
    );
  });
});
