/** A real PNG (RGBA, a dark diagonal stroke on transparent): a stand-in signature image. */
import { encodePng } from '../../scripts/packaging/make-icons.js';

export function signaturePng(width = 120, height = 40, noise = 0): Buffer {
  const pixels = Buffer.alloc(width * height * 4);
  let seed = 7;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const onStroke = Math.abs(Math.round((x * height) / width) - y) <= 1;
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const alpha = onStroke ? 255 : noise > 0 ? seed % 256 : 0;
      pixels.writeUInt32BE((0x20 << 24) | (0x20 << 16) | (0x40 << 8) | alpha, (y * width + x) * 4);
    }
  }
  // Noise is stored uncompressed, so a noisy signature is as large as its pixels (the oversize test).
  return encodePng(width, height, pixels, noise > 0 ? 0 : 9);
}
