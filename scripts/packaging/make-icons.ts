/**
 * `npm run icons`: draws the app icon (a receipt on a teal tile) and writes the files the
 * installers need into resources/build/: icons/<n>x<n>.png (Linux), icon.png (512 px) and
 * icon.ico (Windows: 16–256 px, PNG-compressed entries). The outputs are committed; run this
 * again only to change the icon.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

type Rgba = [number, number, number, number];

const TEAL: Rgba = [15, 118, 110, 255];
const PAPER: Rgba = [248, 250, 252, 255];
const INK: Rgba = [100, 116, 139, 255];
const ACCENT: Rgba = [22, 163, 74, 255];

function roundedRect(x: number, y: number, left: number, top: number, right: number, bottom: number, radius: number): boolean {
  if (x < left || x > right || y < top || y > bottom) return false;
  const cx = Math.min(Math.max(x, left + radius), right - radius);
  const cy = Math.min(Math.max(y, top + radius), bottom - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

/** The colour at a point of the unit square (0..1), or null for transparent. */
function shade(x: number, y: number): Rgba | null {
  if (!roundedRect(x, y, 0.04, 0.04, 0.96, 0.96, 0.2)) return null;
  // The receipt: a paper strip with a zigzag torn bottom edge.
  const zig = 0.03 * Math.abs(((x * 16) % 2) - 1);
  if (x >= 0.26 && x <= 0.74 && y >= 0.16 && y <= 0.82 + zig) {
    if (x >= 0.34 && x <= 0.66) {
      for (const line of [0.3, 0.4, 0.5]) if (y >= line && y <= line + 0.04) return INK;
      if (y >= 0.62 && y <= 0.7 && x >= 0.5) return ACCENT;
    }
    return PAPER;
  }
  return TEAL;
}

export function drawIcon(size: number): Buffer {
  const samples = 4;
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const colour = shade((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          if (!colour) continue;
          for (let c = 0; c < 3; c++) sum[c]! += colour[c]! * colour[3];
          sum[3]! += colour[3];
        }
      }
      const alpha = sum[3]! / (samples * samples);
      const offset = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) pixels[offset + c] = sum[3]! > 0 ? Math.round(sum[c]! / sum[3]!) : 0;
      pixels[offset + 3] = Math.round(alpha);
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** RGBA pixels (row after row) as a PNG; `level` is zlib's (0 stores the pixels as they are). */
export function encodePng(width: number, height: number, rgba: Buffer, level = 9): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(6, 9); // RGBA
  const rows = Buffer.alloc(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) rgba.copy(rows, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An .ico holding PNG images (Windows Vista and later read these). */
export function encodeIco(images: Array<{ size: number; png: Buffer }>): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  const entries: Buffer[] = [];
  let offset = 6 + 16 * images.length;
  for (const { size, png } of images) {
    const entry = Buffer.alloc(16);
    entry.writeUInt8(size >= 256 ? 0 : size, 0);
    entry.writeUInt8(size >= 256 ? 0 : size, 1);
    entry.writeUInt16LE(1, 4); // colour planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(png.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += png.length;
    entries.push(entry);
  }
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)]);
}

export function writeIcons(buildDir: string): void {
  const iconsDir = join(buildDir, 'icons');
  mkdirSync(iconsDir, { recursive: true });
  const pngs = new Map<number, Buffer>();
  for (const size of [16, 24, 32, 48, 64, 128, 256, 512]) {
    const png = encodePng(size, size, drawIcon(size));
    pngs.set(size, png);
    writeFileSync(join(iconsDir, `${size}x${size}.png`), png);
  }
  writeFileSync(join(buildDir, 'icon.png'), pngs.get(512)!);
  writeFileSync(join(buildDir, 'icon.ico'), encodeIco([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, png: pngs.get(size)! }))));
}

if (process.argv[1]?.endsWith('make-icons.ts')) {
  writeIcons(join(process.cwd(), 'resources', 'build'));
  console.log('Icons written to resources/build/.');
}
