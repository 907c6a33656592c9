/**
 * Decoding PNG, JPEG and WebP files to RGBA pixels with well-kept npm libraries (no hand-written decoders):
 *
 * - PNG: `pngjs` (pure JS; every bit depth and colour type, interlaced too; 16-bit is scaled to 8-bit);
 * - JPEG: `jpeg-js` (pure JS; baseline and progressive; with memory and resolution limits);
 * - WebP: `@jsquash/webp` (Google's libwebp compiled to WebAssembly, from the Squoosh app; lossy, lossless
 *   and alpha).
 *
 * The format is read from the file's first bytes, not its name. Used by the Node.js image-folder loader; in a
 * browser, let the browser decode (see `imagesFromPixels`).
 *
 * @module data/image_decode
 */
import { GanKitError } from '../errors';
import { loadPngjs } from '../io/png';
import type { RgbaPixels } from './image_preprocess';

/** The image formats gan-kit can decode. */
export type ImageFormat = 'png' | 'jpeg' | 'webp';

/** Reads the format from a file's magic bytes; undefined when it is none of PNG, JPEG or WebP. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const ascii = (from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  return undefined;
}

/** Limits that protect against decompression bombs. */
export interface DecodeLimits {
  /** Refuse images with more megapixels than this. Default: 100. */
  maxMegapixels?: number;
}

async function decodePng(bytes: Uint8Array): Promise<RgbaPixels> {
  const PNG = await loadPngjs();
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}

async function decodeJpeg(bytes: Uint8Array, limits: Required<DecodeLimits>): Promise<RgbaPixels> {
  const mod = (await import('jpeg-js')) as unknown as { decode?: typeof import('jpeg-js').decode; default?: typeof import('jpeg-js') };
  const decode = mod.decode ?? mod.default!.decode;
  const image = decode(bytes, {
    useTArray: true,
    formatAsRGBA: true,
    maxResolutionInMP: limits.maxMegapixels,
    maxMemoryUsageInMB: Math.max(512, Math.ceil(limits.maxMegapixels * 4 * 2)),
  });
  return { width: image.width, height: image.height, data: image.data as Uint8Array };
}

type WebpDecode = (buffer: ArrayBuffer) => Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
let webp: Promise<WebpDecode> | undefined;

/**
 * Loads @jsquash/webp's decoder. Its Emscripten loader fetches the .wasm by URL, which Node's fetch cannot do for
 * files, so in Node the module is compiled here from the file in node_modules and handed over.
 */
function loadWebp(): Promise<WebpDecode> {
  webp ??= (async () => {
    const specifier = '@jsquash/webp/decode.js';
    const mod = (await import(/* @vite-ignore */ specifier)) as { default: WebpDecode; init: (module: WebAssembly.Module) => Promise<void> };
    if (typeof process !== 'undefined' && process.versions?.node) {
      const [{ createRequire }, { readFile }] = await Promise.all([import('node:module'), import('node:fs/promises')]);
      // Resolve from gan-kit's own location (its dependencies are installed beside it).
      const base = typeof __filename === 'string' ? __filename : import.meta.url;
      const wasmPath = createRequire(base).resolve('@jsquash/webp/codec/dec/webp_dec.wasm');
      await mod.init(await WebAssembly.compile(await readFile(wasmPath)));
    }
    return mod.default;
  })().catch((error: unknown) => {
    webp = undefined;
    throw error;
  });
  return webp;
}

async function decodeWebp(bytes: Uint8Array, limits: Required<DecodeLimits>): Promise<RgbaPixels> {
  const decode = await loadWebp();
  // An exact-size copy: a Node Buffer's .buffer may be a shared pool holding other data around the file.
  const image = await decode(new Uint8Array(bytes).buffer as ArrayBuffer);
  if (image.width * image.height > limits.maxMegapixels * 1e6) {
    throw new GanKitError(`image of ${image.width}x${image.height} pixels exceeds maxMegapixels (${limits.maxMegapixels})`);
  }
  return { width: image.width, height: image.height, data: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength) };
}

/**
 * Decodes a PNG, JPEG or WebP file to RGBA pixels.
 *
 * @param bytes - the whole file.
 * @throws {GanKitError} if the format is not recognised or the decoder fails (corrupt or truncated file, or an
 *   image larger than `limits.maxMegapixels`).
 */
export async function decodeImage(bytes: Uint8Array, limits: DecodeLimits = {}): Promise<RgbaPixels> {
  const resolved = { maxMegapixels: limits.maxMegapixels ?? 100 };
  const format = sniffImageFormat(bytes);
  if (format === undefined) throw new GanKitError('not a PNG, JPEG or WebP file (unrecognised first bytes)');
  try {
    if (format === 'png') return await decodePng(bytes);
    if (format === 'jpeg') return await decodeJpeg(bytes, resolved);
    return await decodeWebp(bytes, resolved);
  } catch (error) {
    if (error instanceof GanKitError) throw error;
    throw new GanKitError(`cannot decode this ${format.toUpperCase()} file: ${(error as Error).message ?? String(error)}`);
  }
}
