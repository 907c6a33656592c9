/**
 * PNG encoding with pngjs (pure JS), shared by gan-kit's picture writers.
 *
 * @module io/png
 * @internal
 */
import type { RgbaImage } from './save_image_grid';

type PngClass = typeof import('pngjs').PNG;

let cached: Promise<PngClass> | undefined;

/** pngjs' PNG class, loaded on first use (CommonJS, so it may arrive as `default`). @internal */
export function loadPngjs(): Promise<PngClass> {
  cached ??= import('pngjs').then((m) => {
    const mod = m as unknown as { PNG?: PngClass; default?: { PNG: PngClass } };
    return mod.PNG ?? mod.default!.PNG;
  });
  return cached;
}

/** Encodes an RGBA picture as PNG bytes (colour type 6, 8 bits per channel). @internal */
export async function encodePng(image: RgbaImage): Promise<Uint8Array> {
  const PNG = await loadPngjs();
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png, { colorType: 6 });
}
