/** Files for imports: sent to the core in parts (imports.uploadPart), and CSVs saved from an export. */
import { ulid } from 'ulid';
import { IMPORT_PART_BYTES, MAX_IMPORT_BYTES } from '../../../../preload/api';
import { call } from '../../register';

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Upload a chosen file; the uploadId, or what went wrong in words for staff. */
export async function uploadFile(file: File): Promise<{ ok: true; uploadId: string } | { ok: false; message: string }> {
  if (file.size > MAX_IMPORT_BYTES) {
    return { ok: false, message: `The file is larger than ${Math.round(MAX_IMPORT_BYTES / 1024 / 1024)} MB: split it into smaller files and import them one after another.` };
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const uploadId = ulid();
  for (let index = 0, offset = 0; offset < bytes.length || index === 0; index += 1, offset += IMPORT_PART_BYTES) {
    const part = await call('imports.uploadPart', { uploadId, index, dataBase64: toBase64(bytes.subarray(offset, offset + IMPORT_PART_BYTES)) });
    if (!part.ok) return { ok: false, message: part.error.message };
  }
  return { ok: true, uploadId };
}

/** Offer a CSV the core made as a file to save. */
export function saveCsv(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
