import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** IDX magic numbers: two zero bytes, type 0x08 (unsigned byte), then the number of dimensions. */
const IMAGES_MAGIC = 2051;
const LABELS_MAGIC = 2049;
const HEADER_PREFIX_BYTES = 4;
const BYTES_PER_DIM = 4;

export type IdxErrorCode =
  'truncated' | 'invalid-magic' | 'size-mismatch' | 'invalid-gzip' | 'file-not-found';

/** An IDX file that cannot be read. The message names the file, the problem and the fix. */
export class IdxError extends Error {
  readonly code: IdxErrorCode;
  /** The file at fault, or the dataset folder when files are missing from it. */
  readonly path: string;

  constructor(code: IdxErrorCode, path: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IdxError';
    this.code = code;
    this.path = path;
  }
}

/** The parsed contents of one IDX file of unsigned bytes. */
export interface IdxArray {
  kind: 'images' | 'labels';
  /** [count, rows, columns] for images, [count] for labels. */
  dims: number[];
  data: Uint8Array;
}

const REPLACE_FILE_HINT = 'Download the file again or reinstall the package that provides it.';

/**
 * Reads an IDX file of images (magic 2051, three dimensions) or labels (magic 2049, one
 * dimension), gunzipping it first when it starts with the gzip magic 0x1f8b.
 * Throws `IdxError` for a truncated file, another magic number or a data size that does not
 * match the dimensions.
 */
export function readIdx(path: string): IdxArray {
  const bytes = decompress(path, readFile(path));

  if (bytes.length < HEADER_PREFIX_BYTES) {
    throw new IdxError(
      'truncated',
      path,
      `${path}: truncated IDX file: expected a header of at least ${HEADER_PREFIX_BYTES} bytes, ` +
        `found ${bytes.length}. ${REPLACE_FILE_HINT}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic !== IMAGES_MAGIC && magic !== LABELS_MAGIC) {
    throw new IdxError(
      'invalid-magic',
      path,
      `${path}: invalid IDX magic number: expected ${IMAGES_MAGIC} (images) or ` +
        `${LABELS_MAGIC} (labels), found ${magic}. ` +
        'Check that the path points to an MNIST-format IDX file.',
    );
  }

  const kind = magic === IMAGES_MAGIC ? 'images' : 'labels';
  const dimCount = magic === IMAGES_MAGIC ? 3 : 1;
  const headerBytes = HEADER_PREFIX_BYTES + dimCount * BYTES_PER_DIM;
  if (bytes.length < headerBytes) {
    throw new IdxError(
      'truncated',
      path,
      `${path}: truncated IDX file: expected a ${headerBytes}-byte header for ${kind}, ` +
        `found ${bytes.length} bytes. ${REPLACE_FILE_HINT}`,
    );
  }

  const dims: number[] = [];
  for (let i = 0; i < dimCount; i++) {
    dims.push(view.getUint32(HEADER_PREFIX_BYTES + i * BYTES_PER_DIM));
  }
  const expectedBytes = dims.reduce((product, dim) => product * dim, 1);
  const foundBytes = bytes.length - headerBytes;
  if (foundBytes !== expectedBytes) {
    const code = foundBytes < expectedBytes ? 'truncated' : 'size-mismatch';
    const problem = code === 'truncated' ? 'truncated IDX file' : 'IDX data size mismatch';
    throw new IdxError(
      code,
      path,
      `${path}: ${problem}: the header declares ${describeDims(kind, dims)}, so expected ` +
        `${expectedBytes} data bytes, found ${foundBytes}. ${REPLACE_FILE_HINT}`,
    );
  }

  // A plain Uint8Array view rather than a Buffer, whose `slice` would share memory.
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, expectedBytes);
  return { kind, dims, data };
}

/** Describes IDX dimensions as, for example, "60000 images of 28x28" or "60000 labels". */
function describeDims(kind: IdxArray['kind'], dims: number[]): string {
  const [count, ...shape] = dims;
  return shape.length === 0 ? `${count} ${kind}` : `${count} ${kind} of ${shape.join('x')}`;
}

function readFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    if (isNodeError(error) && error.code === 'ENOENT') {
      throw new IdxError('file-not-found', path, `IDX file not found: ${path}. Check the path.`, {
        cause: error,
      });
    }
    throw error;
  }
}

function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

function decompress(path: string, bytes: Buffer): Uint8Array {
  const isGzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (!isGzip) {
    return bytes;
  }
  try {
    return gunzipSync(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new IdxError(
      'invalid-gzip',
      path,
      `${path}: gzip decompression failed (${reason}), so the file is truncated or corrupt. ` +
        REPLACE_FILE_HINT,
      { cause: error },
    );
  }
}

/** Pixel byte value to its float in [0, 1]. */
const PIXEL_SCALE = Float32Array.from({ length: 256 }, (_, value) => value / 255);

/**
 * One split of an MNIST-format dataset. `loadMnistFormat` backs both arrays with a
 * SharedArrayBuffer, so that worker threads that receive them share the memory instead of
 * copying it.
 */
export interface MnistSplit {
  /** count x rows x columns pixels, row-major, scaled from 0..255 to [0, 1]. */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

export interface MnistData {
  train: MnistSplit;
  test: MnistSplit;
  rows: number;
  columns: number;
  /** The four IDX files read: train images, train labels, test images, test labels. */
  files: string[];
}

export interface LoadMnistOptions {
  /** Reads only the first N training images. Default: all of them. */
  trainLimit?: number;
  /** Reads only the first N test images. Default: all of them. */
  testLimit?: number;
}

/** Base names of the four files that MNIST and Fashion-MNIST are published as. */
export const MNIST_FILE_NAMES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
] as const;

/**
 * Finds the four MNIST-format IDX files in `dir`, each either plain or with `.gz`.
 * Returns their paths in the order of `MNIST_FILE_NAMES`, preferring the plain file.
 */
export function findMnistFiles(dir: string): string[] {
  if (!existsSync(dir)) {
    throw new IdxError(
      'file-not-found',
      dir,
      `MNIST-format dataset folder not found: ${dir}. ${describeMnistFolder()}`,
    );
  }
  const found: string[] = [];
  const missing: string[] = [];
  for (const name of MNIST_FILE_NAMES) {
    const path = [join(dir, name), join(dir, `${name}.gz`)].find((candidate) =>
      existsSync(candidate),
    );
    if (path === undefined) {
      missing.push(name);
    } else {
      found.push(path);
    }
  }
  if (missing.length > 0) {
    throw new IdxError(
      'file-not-found',
      dir,
      `MNIST-format dataset incomplete in ${dir}: missing ${missing.join(', ')}. ` +
        describeMnistFolder(),
    );
  }
  return found;
}

function describeMnistFolder(): string {
  const names = MNIST_FILE_NAMES.slice(0, -1).join(', ') + ` and ${MNIST_FILE_NAMES.at(-1)}`;
  return (
    `The folder must contain ${names}, each plain or gzipped with a .gz suffix. ` +
    'On Debian, `apt-get install dataset-fashion-mnist` provides the Fashion-MNIST files in ' +
    '/usr/share/datasets/fashion-mnist.'
  );
}

/**
 * Loads the training and test splits of an MNIST-format dataset from `dir`, scaling pixels to
 * [0, 1]. A limit larger than the split reads the whole split.
 */
export function loadMnistFormat(dir: string, options: LoadMnistOptions = {}): MnistData {
  const files = findMnistFiles(dir);
  const [trainImages, trainLabels, testImages, testLabels] = files.map(readIdx) as [
    IdxArray,
    IdxArray,
    IdxArray,
    IdxArray,
  ];
  const train = toSplit(trainImages, trainLabels, files[0]!, files[1]!, options.trainLimit);
  const test = toSplit(testImages, testLabels, files[2]!, files[3]!, options.testLimit);
  const [, rows = 0, columns = 0] = trainImages.dims;
  if (testImages.dims[1] !== rows || testImages.dims[2] !== columns) {
    throw new IdxError(
      'size-mismatch',
      files[2]!,
      `${files[2]}: image size mismatch: expected ${rows}x${columns} like the training ` +
        `images, found ${testImages.dims.slice(1).join('x')}. ` +
        'Use training and test files of the same dataset.',
    );
  }
  return { train, test, rows, columns, files };
}

function toSplit(
  images: IdxArray,
  labels: IdxArray,
  imagesPath: string,
  labelsPath: string,
  limit: number | undefined,
): MnistSplit {
  expectKind(images, 'images', imagesPath);
  expectKind(labels, 'labels', labelsPath);
  const [imageCount = 0, rows = 0, columns = 0] = images.dims;
  const [labelCount = 0] = labels.dims;
  if (imageCount !== labelCount) {
    throw new IdxError(
      'size-mismatch',
      labelsPath,
      `${labelsPath}: label count mismatch: expected ${imageCount} labels, one per image in ` +
        `${imagesPath}, found ${labelCount}. Use the images and labels of the same split.`,
    );
  }

  const count = Math.min(imageCount, limit ?? imageCount);
  const pixels = images.data;
  const pixelCount = count * rows * columns;
  const scaled = new Float32Array(
    new SharedArrayBuffer(pixelCount * Float32Array.BYTES_PER_ELEMENT),
  );
  // Indexing a 256-entry table measured faster and steadier than dividing each byte
  // (Node 20 on a 2-core AMD EPYC virtual machine).
  for (let i = 0; i < scaled.length; i++) {
    scaled[i] = PIXEL_SCALE[pixels[i]!]!;
  }
  const sharedLabels = new Uint8Array(new SharedArrayBuffer(count));
  sharedLabels.set(labels.data.subarray(0, count));
  return { images: scaled, labels: sharedLabels, count };
}

function expectKind(array: IdxArray, kind: IdxArray['kind'], path: string): void {
  if (array.kind !== kind) {
    throw new IdxError(
      'invalid-magic',
      path,
      `${path}: invalid IDX magic number: expected ${kind === 'images' ? IMAGES_MAGIC : LABELS_MAGIC} ` +
        `(${kind}), found the magic number of ${array.kind}. ` +
        'Check that the file names match their contents.',
    );
  }
}
