import { describe, expect, it } from 'vitest';
import { FileRejectedError } from '../../src/errors.js';
import { sniff, sniffDelimiter, sniffEncoding } from '../../src/intake/sniff.js';

const utf16le = (text: string): Buffer => Buffer.from(text, 'utf16le');
const utf16be = (text: string): Buffer => Buffer.from(text, 'utf16le').swap16();

describe('sniffEncoding', () => {
  it.each([
    ['UTF-8 without BOM', Buffer.from('imei\n490154203237518\n'), { encoding: 'utf-8', hasBom: false }],
    ['UTF-8 with BOM', Buffer.from('\uFEFFimei\n'), { encoding: 'utf-8', hasBom: true }],
    ['UTF-16LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le('imei\r\n')]), { encoding: 'utf-16le', hasBom: true }],
    ['UTF-16BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be('imei\r\n')]), { encoding: 'utf-16be', hasBom: true }],
    ['UTF-16LE without BOM', utf16le('imei\r\n490154203237518\r\n'), { encoding: 'utf-16le', hasBom: false }],
    ['UTF-16BE without BOM', utf16be('imei\r\n490154203237518\r\n'), { encoding: 'utf-16be', hasBom: false }],
    ['Latin-1 accents (read as UTF-8)', Buffer.from('num\xe9ro IMEI\n490154203237518\n', 'latin1'), { encoding: 'utf-8', hasBom: false }],
  ])('%s', (_name, sample, expected) => {
    expect(sniffEncoding(sample)).toEqual(expected);
  });

  it.each([
    ['a zip (xlsx)', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), /zip archive/],
    ['an old xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), /\.xls workbook/],
    ['a PDF', Buffer.from('%PDF-1.7\n'), /PDF/],
    ['UTF-32', Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x41, 0x00, 0x00, 0x00]), /UTF-32/],
    ['NUL bytes', Buffer.from('imei\n4901\x0054203237518\n'), /NUL/],
    ['control characters', Buffer.from('\x01\x02\x03\x04abc'), /control characters/],
    ['NULs in UTF-16', Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le('imei'), Buffer.alloc(8)]), /NUL/],
  ])('refuses %s', (_name, sample, message) => {
    expect(() => sniffEncoding(sample)).toThrow(FileRejectedError);
    expect(() => sniffEncoding(sample)).toThrow(message);
  });
});

describe('sniffDelimiter', () => {
  it.each([
    ['comma', 'imei,model\n1,a\n2,b\n', ','],
    ['semicolon', 'imei;model\n1;a\n2;b\n', ';'],
    ['tab', 'imei\tmodel\n1\ta\n2\tb\n', '\t'],
    ['semicolon with decimal commas', 'imei;price\n1;1,50\n2;2,75\n', ';'],
    ['semicolon with commas in every row', 'imei;price,eur\n1;1,50\n2;2,75\n', ';'],
    ['tab with commas in some text', 'IMEI\tModel\n1\tGalaxy, S21\n2\tPixel\n', '\t'],
    ['comma with quoted semicolons', 'imei,note\n1,"a;b"\n2,"c;d;e"\n', ','],
    ['comma with semicolons in text', 'imei,model\n1,iPhone; 64GB\n2,Pixel\n', ','],
    ['comma with a multi-line quoted field', 'imei,note\n1,"a;\nb;"\n2,c\n', ','],
    ['trailing separators', 'imei,\n1,\n2,\n', ','],
    ['one-column header, data with a service', 'imei\n1;269\n2;269\n', ';'],
    ['one column', '490154203237518\n356938035643809\n', ','],
    ['one column of decimal-comma scientific notation', '3,53370E+14\n4,90154E+14\n', ';'],
    ['decimal-comma scientific notation beside a semicolon', '3,53370E+14;1739\n4,90154E+14;1739\n', ';'],
    ['empty text', '', ','],
  ])('%s', (_name, text, delimiter) => {
    expect(sniffDelimiter(text, true)).toBe(delimiter);
  });

  it('ignores a last record cut off by the sample end', () => {
    expect(sniffDelimiter('imei;model\n1;a\n2;b\n3;c,d,e', false)).toBe(';');
  });
});

describe('sniff', () => {
  it('reads a UTF-16BE tab file (Excel "Unicode text" from a Mac)', () => {
    const sample = Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be('IMEI\tModel\r\n1\ta\r\n')]);
    expect(sniff(sample, { complete: true })).toEqual({ encoding: 'utf-16be', hasBom: true, delimiter: '\t', blank: false });
  });

  it('calls whitespace and a BOM blank', () => {
    expect(sniff(Buffer.from('\uFEFF \r\n\t\n'), { complete: true }).blank).toBe(true);
  });
});
