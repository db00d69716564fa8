import { describe, expect, it } from 'vitest';
import { analyseFirstRecord, imeiHeaderRank, isServiceHeader } from '../../src/intake/header.js';

describe('imeiHeaderRank', () => {
  it.each([
    'imei', 'IMEI', ' Imei ', 'IMEI No.', 'imei no', 'IMEI Number', 'imei_number', 'IMEI1', 'IMEI 1', 'imei-1',
    'IMEI#', 'IMEI Nr', '="IMEI"', '"imei"', 'Device IMEI', 'IMEI NO.', 'imei code',
  ])('the IMEI column: %s', (cell) => {
    expect(imeiHeaderRank(cell)).toBe(1);
  });

  it.each(['IMEI2', 'imei 2', 'IMEI No. 2'])('a second IMEI column: %s', (cell) => {
    expect(imeiHeaderRank(cell)).toBe(2);
  });

  it.each(['', 'IMEISV', 'imei sv', 'serial', 'model', 'imei 3', 'not imei', '490154203237518'])(
    'not an IMEI column: %s',
    (cell) => {
      expect(imeiHeaderRank(cell)).toBeNull();
    },
  );
});

describe('isServiceHeader', () => {
  it.each(['service', 'SERVICE', 'service_id', 'Service ID', 'network_id', 'networkId', 'NETWORKID', 'serviceId'])(
    'yes: %s',
    (cell) => {
      expect(isServiceHeader(cell)).toBe(true);
    },
  );

  it.each(['services', 'network', 'id', 'service name'])('no: %s', (cell) => {
    expect(isServiceHeader(cell)).toBe(false);
  });
});

describe('analyseFirstRecord', () => {
  it('finds the IMEI column after extra columns', () => {
    expect(analyseFirstRecord(['Customer', 'Price', 'IMEI Number', 'Service_ID'])).toEqual({
      hasHeader: true,
      imeiColumn: 2,
      serviceColumn: 3,
    });
  });

  it('prefers the first IMEI over a second one, wherever they stand', () => {
    expect(analyseFirstRecord(['IMEI 2', 'IMEI 1']).imeiColumn).toBe(1);
    expect(analyseFirstRecord(['imei2', 'model']).imeiColumn).toBe(0);
  });

  it('treats a record without known names as data in the first column', () => {
    expect(analyseFirstRecord(['490154203237518', '1739'])).toEqual({ hasHeader: false, imeiColumn: 0, serviceColumn: null });
    expect(analyseFirstRecord(['name', 'price'])).toEqual({ hasHeader: false, imeiColumn: 0, serviceColumn: null });
  });

  it('reports a header that names a service but no IMEI column', () => {
    expect(analyseFirstRecord(['service', 'model'])).toEqual({ hasHeader: true, imeiColumn: null, serviceColumn: 0 });
  });
});
