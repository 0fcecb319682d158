/**
 * Both CSV importers (customers from another POS, the catalogue) against bad input, through the
 * contract on a real register: wrong columns, bad dates, duplicate rows, a file past the size
 * limit (refused at the part that passes it), non-UTF-8 text, broken quoting, rows of the wrong
 * length, and a seeded fuzz of a good file. Every bad row is named by its line with what to fix;
 * a commit while any row has a problem writes nothing; a clean file goes in in one transaction.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../main/store/ids.js';
import type { ResponseEnvelope } from '../../../preload/api.js';
import { IMPORT_PART_BYTES, MAX_IMPORT_BYTES, type CustomerImportPreview } from '../../../preload/contract/imports.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';

function value<T>(response: ResponseEnvelope): T {
  if (!response.ok) throw new Error(`${response.error.code}: ${response.error.message}`);
  return response.value as T;
}
function refused(response: ResponseEnvelope): { code: string; message: string } {
  if (response.ok) throw new Error(`expected the call to be refused, got ${JSON.stringify(response.value).slice(0, 300)}`);
  return response.error;
}

const HEADER = 'first_name,last_name,date_of_birth,customer_type,licence_number,medical_id,medical_id_expires,phone,email';
const GOOD = [
  HEADER,
  'Nora,Quill,1984-03-12,adult_use,Q123-4567-8901,,,312-555-0101,nora@example.com',
  'Omar,Reyes,07/04/1975,medical,R555-1111-2222,MED-778811,2030-01-31,,',
  'Pia,Stone,1990-11-02,,,,,,',
].join('\n');

describe('CSV importers', () => {
  let reg: TestRegister;
  const count = (table: string): number => {
    const handle = new Database(join(reg.dataDir, 'register.sqlite'), { readonly: true });
    try {
      return (handle.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    } finally {
      handle.close();
    }
  };
  const upload = async (content: string | Buffer): Promise<string> => {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const uploadId = newId();
    for (let index = 0, offset = 0; offset < bytes.length || index === 0; index += 1, offset += IMPORT_PART_BYTES) {
      value(await reg.call('imports.uploadPart', { uploadId, index, dataBase64: bytes.subarray(offset, offset + IMPORT_PART_BYTES).toString('base64') }));
    }
    return uploadId;
  };
  const preview = async (content: string | Buffer, mapping: Record<string, string | null> | null = null) =>
    reg.call('customers.import.preview', { uploadId: await upload(content), mapping });

  beforeAll(async () => {
    reg = await startTestRegister();
    value(await reg.call('session.login', { pin: '3333' }));
  });
  afterAll(async () => {
    await reg?.close();
  });

  describe('customers', () => {
    it('previews a good file without writing, then imports it in one go, applied once', async () => {
      const before = count('customers');
      const uploadId = await upload(GOOD);
      const shown = value<CustomerImportPreview>(await reg.call('customers.import.preview', { uploadId, mapping: null }));
      expect(shown).toMatchObject({ rows: 3, ready: 3, problems: [], duplicates: [] });
      expect(shown.sample.map((row) => [row.line, row.name, row.dateOfBirth, row.customerType])).toEqual([
        [2, 'Nora Quill', '1984-03-12', 'adult use'],
        [3, 'Omar Reyes', '1975-07-04', 'medical'],
        [4, 'Pia Stone', '1990-11-02', 'adult use'],
      ]);
      expect(count('customers')).toBe(before);
      const commandId = newId();
      const done = value(await reg.call('customers.import.commit', { commandId, uploadId, mapping: shown.mapping }));
      expect(done).toEqual({ imported: 3, skippedDuplicates: 0 });
      expect(value(await reg.call('customers.import.commit', { commandId, uploadId, mapping: shown.mapping }))).toEqual(done);
      expect(count('customers')).toBe(before + 3);
      const found = value<{ results: Array<{ displayName: string }> }>(await reg.call('customers.search', { field: 'medical_id', query: 'MED778811' }));
      expect(found.results).toHaveLength(1);
    });

    it('skips customers already here by licence, medical ID, or name and birth date', async () => {
      const file = [
        HEADER,
        'Nora,Different,1999-01-01,adult_use,q123 4567 8901,,,,', // same licence number as Nora Quill
        'Someone,Else,1970-01-01,medical,,med-778811,2030-01-31,,', // same medical ID as Omar
        'PIA,stone,11/02/1990,,,,,,', // same name and birth date
        'New,Person,1988-08-08,,,,,,',
      ].join('\n');
      const shown = value<CustomerImportPreview>(await preview(file));
      expect(shown.duplicates.map((d) => [d.line, d.message.match(/the same ([A-Za-z ]+)\)/)?.[1]])).toEqual([
        [2, 'licence number'],
        [3, 'medical ID'],
        [4, 'name and birth date'],
      ]);
      expect(shown.ready).toBe(1);
    });

    it.each([
      ['a bad date', `${HEADER}\nAnn,Lee,1990-02-30,,,,,,`, 2, /birth date "1990-02-30" is not a date/],
      ['a date in words', `${HEADER}\nAnn,Lee,1990-01-01,,,,,,\nBen,Lee,March 3 1980,,,,,,`, 3, /birth date "March 3 1980" is not a date: write it as/],
      ['a birth date in the future', `${HEADER}\nAnn,Lee,2990-01-01,,,,,,`, 2, /future/],
      ['an empty last name', `${HEADER}\nAnn,,1990-01-01,,,,,,`, 2, /last name is empty/],
      ['an unknown customer type', `${HEADER}\nAnn,Lee,1990-01-01,vip,,,,,`, 2, /customer type "vip"/],
      ['a medical patient without a card expiration', `${HEADER}\nAnn,Lee,1990-01-01,medical,,MED1,,,`, 2, /medical ID and its expiration/],
      ['a row with too many values', `${HEADER}\nAnn,Lee,1990-01-01,,,,,,,extra`, 2, /has 10 values but the header has 9/],
      ['the same person twice', `${HEADER}\nAnn,Lee,1990-01-01,,,,,,\nann,lee,01/01/1990,,,,,,`, 3, /same name and birth date as line 2/],
      ['the same licence twice', `${HEADER}\nAnn,Lee,1990-01-01,,L-1,,,,\nBea,Ray,1991-01-01,,l1,,,,`, 3, /same licence number as line 2/],
      ['a quoted value across lines', `${HEADER}\n"Ann\nMarie",Lee,1990-01-01,,,,,,\nBo,Ray,bad,,,,,,`, 4, /birth date "bad"/],
    ])('%s: the row is named by its line, and nothing is imported', async (_what, file, line, message) => {
      const before = count('customers');
      const uploadId = await upload(file);
      const shown = value<CustomerImportPreview>(await reg.call('customers.import.preview', { uploadId, mapping: null }));
      const problem = shown.problems.find((p) => p.line === line);
      expect(problem?.message).toMatch(message);
      const commit = refused(await reg.call('customers.import.commit', { commandId: newId(), uploadId, mapping: shown.mapping }));
      expect(commit.message).toMatch(/^Nothing was imported: /);
      expect(count('customers')).toBe(before);
    });

    it.each([
      ['no birth date column', 'first_name,last_name,phone\nAnn,Lee,1', /no column for the birth date/],
      ['a column named twice', 'first_name,last_name,date_of_birth,Last_Name\nAnn,Lee,1990-01-01,x', /names the column "Last_Name" twice/],
      ['an empty file', '\n\n', /empty/],
      ['a quote never closed', `${HEADER}\nAnn,"Lee,1990-01-01,,,,,,\n`, /not a readable CSV near line \d+/],
    ])('%s: the file is refused with what to do', async (_what, file, message) => {
      expect(refused(await preview(file)).message).toMatch(message);
    });

    it('refuses a file that is not UTF-8 and says how to save it', async () => {
      const latin1 = Buffer.concat([Buffer.from(`${HEADER}\nJos`), Buffer.from([0xe9]), Buffer.from(',Lee,1990-01-01,,,,,,\n')]);
      expect(refused(await preview(latin1)).message).toMatch(/not UTF-8 text.*CSV UTF-8/);
      // A byte-order mark (Excel's "CSV UTF-8") is fine.
      const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${HEADER}\nJosé,Lee,1990-01-01,,,,,,\n`)]);
      expect(value<CustomerImportPreview>(await preview(bom)).sample[0]!.name).toBe('José Lee');
    });

    it('refuses a 50 MB file at the part that passes the size limit, keeping nothing of it', async () => {
      const uploadId = newId();
      const part = Buffer.alloc(IMPORT_PART_BYTES, 'a').toString('base64');
      const limitParts = Math.floor(MAX_IMPORT_BYTES / IMPORT_PART_BYTES);
      let refusal: { code: string; message: string } | null = null;
      let index = 0;
      for (; index < (50 * 1024 * 1024) / IMPORT_PART_BYTES; index += 1) {
        const answer = await reg.call('imports.uploadPart', { uploadId, index, dataBase64: part });
        if (!answer.ok) {
          refusal = answer.error;
          break;
        }
      }
      expect(index).toBe(limitParts); // the first part past 20 MB
      expect(refusal?.message).toMatch(/larger than 20 MB: split it/);
      expect(refused(await reg.call('customers.import.preview', { uploadId, mapping: null })).code).toBe('not_found');
    });

    it('guesses the mapping from another POS headers and takes a mapping chosen by hand', async () => {
      const file = 'First Name,Surname,DOB,Medical Card #,Card Expiration,Mobile\nAnn,Lee,1990-01-01,MC-1,2031-01-01,555-0100\n';
      const guessed = value<CustomerImportPreview>(await preview(file));
      expect(guessed.mapping).toMatchObject({ first_name: 'First Name', last_name: 'Surname', date_of_birth: 'DOB', phone: 'Mobile', medical_id: 'Medical Card #', medical_id_expires: null });
      // Without the card's expiration the row cannot be a medical patient yet.
      expect(guessed.problems[0]).toMatchObject({ line: 2, message: expect.stringMatching(/expiration/) });
      const chosen = value<CustomerImportPreview>(
        await preview(file, { ...guessed.mapping, medical_id_expires: 'Card Expiration' }),
      );
      expect(chosen.sample[0]).toMatchObject({ medicalId: 'MC-1', customerType: 'medical', status: 'ready' });
      expect(refused(await preview(file, { ...guessed.mapping, email: 'E-mail' })).message).toMatch(/no column "E-mail"/);
    });

    it('fuzz: 150 seeded mutations of a good file never crash, never half-import, and name a line for each bad row', async () => {
      let seed = 18;
      const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      const junk = ['', '"', ',', '\n', '2020-13-45', 'ÿ', '=cmd', 'x'.repeat(300), '1990-01-01', 'medical', '\u0000', ';'];
      const base = GOOD.split('\n').map((line) => line.replace(/Nora|Omar|Pia/, (name) => `${name}Fz`));
      for (let round = 0; round < 150; round += 1) {
        const lines = [...base];
        for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits -= 1) {
          const at = Math.floor(random() * lines.length);
          const cells = lines[at]!.split(',');
          const kind = random();
          if (kind < 0.5) cells[Math.floor(random() * cells.length)] = pick(junk);
          else if (kind < 0.7) cells.splice(Math.floor(random() * cells.length), 1);
          else if (kind < 0.85) lines.push(lines[Math.max(1, at)]!);
          else cells.push(pick(junk));
          lines[at] = cells.join(',');
        }
        const before = count('customers');
        const uploadId = await upload(lines.join('\n'));
        const answer = await reg.call('customers.import.preview', { uploadId, mapping: null });
        if (!answer.ok) {
          expect(answer.error.code, answer.error.message).toBe('invalid_message');
          expect(answer.error.message.length).toBeGreaterThan(20);
          continue;
        }
        const shown = answer.value as CustomerImportPreview;
        for (const problem of shown.problems) {
          expect(problem.line).toBeGreaterThanOrEqual(2);
          expect(problem.message).not.toMatch(/undefined|\[object|TypeError|SQLITE/);
        }
        const commit = await reg.call('customers.import.commit', { commandId: newId(), uploadId, mapping: shown.mapping });
        if (shown.problems.length > 0) {
          expect(commit.ok).toBe(false);
          expect(count('customers')).toBe(before);
        } else {
          const done = value<{ imported: number }>(commit);
          expect(done.imported).toBe(shown.ready);
          expect(count('customers')).toBe(before + shown.ready);
        }
      }
    });

    it('exports every customer in the import columns, which import back as duplicates only', async () => {
      const exported = value<{ fileName: string; text: string; rows: number }>(await reg.call('customers.exportCsv', {}));
      expect(exported.text.split('\r\n')[0]).toBe(
        'first_name,middle_name,last_name,date_of_birth,customer_type,licence_number,licence_state,licence_expires,medical_id,medical_id_expires,caregiver_id,caregiver_id_expires,recommendation_expires,phone,email,street,city,state,postal_code,notes',
      );
      expect(exported.rows).toBe(count('customers'));
      const back = value<CustomerImportPreview>(await preview(exported.text));
      expect(back.ready).toBe(0);
      expect(back.duplicates.length + back.problems.length).toBe(exported.rows);
    });
  });

  describe('catalogue', () => {
    const catalogueCsv = async (content: string | Buffer) => reg.call('catalogue.importCsv.preview', { uploadId: await upload(content) });
    const HEAD = 'id,name,category,price,unit_weight_g,usable_weight_g,thc,medical,adult_use,upc,barcodes';

    it('exports the catalogue, and the export imports back as updates', async () => {
      const exported = value<{ text: string; rows: number }>(await reg.call('catalogue.exportCsv', {}));
      expect(exported.text.split('\r\n')[0]).toBe(`${HEAD},package,on_hand,archived`);
      const shown = value<{ rows: number; updates: number; creates: number; problems: unknown[] }>(await catalogueCsv(exported.text));
      expect(shown).toMatchObject({ rows: exported.rows, updates: exported.rows, creates: 0, problems: [] });
    });

    it('adds products from a clean file in one transaction', async () => {
      const before = count('products');
      const uploadId = await upload(`${HEAD}\n,House Gummies 10pk,edible,20.00,50,0.5,100mg,yes,yes,,SHELF-9\n,Kief Jar,concentrate,30,1,1,45.5%,yes,no,,\n`);
      const shown = value<{ creates: number; problems: unknown[] }>(await reg.call('catalogue.importCsv.preview', { uploadId }));
      expect(shown).toMatchObject({ creates: 2, problems: [] });
      expect(value(await reg.call('catalogue.importCsv.commit', { commandId: newId(), uploadId }))).toEqual({ created: 2, updated: 0 });
      expect(count('products')).toBe(before + 2);
      expect(value<Array<{ thcValue: number; priceCents: number }>>(await reg.call('catalogue.list', { query: 'kief jar' }))[0]).toMatchObject({ thcValue: 4550, priceCents: 3000 });
    });

    it.each([
      ['an unknown category', ',Thing,gadget,1.00,1,1,1%,yes,yes,,', /category "gadget" is not one of/],
      ['a price in words', ',Thing,flower,ten,3.5,3.5,20%,yes,yes,,', /price "ten" is not an amount/],
      ['THC in the wrong unit', ',Thing,edible,1.00,50,0.5,20%,yes,yes,,', /THC "20%" is not mg per unit/],
      ['a product already here without its id', ',Kief Jar,concentrate,30,1,1,45%,yes,no,,', /already in the catalogue: put its id/],
      ['an id no product has', '01HZZZZZZZZZZZZZZZZZZZZZZZ,Thing,flower,1,3.5,3.5,20%,yes,yes,,', /no product has the id/],
      ['a yes/no in words', ',Thing,flower,1,3.5,3.5,20%,maybe,yes,,', /medical column says "maybe"/],
      ['a missing usable weight', ',Thing,flower,1,3.5,,20%,yes,yes,,', /usable weight/],
    ])('%s: line 2 says what to fix, and nothing is written', async (_what, row, message) => {
      const before = count('products');
      const uploadId = await upload(`${HEAD}\n,Fine Product,flower,1,3.5,3.5,20%,yes,yes,,\n${row}\n`);
      const shown = value<{ problems: Array<{ line: number; message: string }> }>(await reg.call('catalogue.importCsv.preview', { uploadId }));
      expect(shown.problems).toHaveLength(1);
      expect(shown.problems[0]!.line).toBe(3);
      expect(shown.problems[0]!.message).toMatch(message);
      expect(refused(await reg.call('catalogue.importCsv.commit', { commandId: newId(), uploadId })).message).toMatch(/^Nothing was imported/);
      expect(count('products')).toBe(before);
    });

    it('a duplicate row, a missing column and non-UTF-8 text are named', async () => {
      const twice = value<{ problems: Array<{ line: number; message: string }> }>(
        await catalogueCsv(`${HEAD}\n,Twin,flower,1,3.5,3.5,20%,yes,yes,,\n,twin,flower,1,3.5,3.5,20%,yes,yes,,\n`),
      );
      expect(twice.problems).toEqual([{ line: 3, message: 'the same name and category as line 2: keep one of the two rows.' }]);
      expect(refused(await catalogueCsv('name,category\nA,flower\n')).message).toMatch(/no price column/);
      expect(refused(await catalogueCsv(Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0xff, 0xfe]))).message).toMatch(/not UTF-8/);
    });
  });
});
