import { describe, expect, it } from 'vitest';
import { providerAccount, SIMULATOR_ACCOUNT } from '../../src/provider/account.js';
import { salvagePlacedOrders } from '../../src/provider/xml.js';

const SENT = ['353370080089451', '353979106673567', '356789101234567'];

const FULL =
  '<?phpxml version="1.0" encoding="utf-8"?><result>' +
  '<imeis><id>15556534</id><imei>353370080089451</imei><status>Pending</status></imeis>' +
  '<imeis><id>15556535</id><imei>35-3979106-673567</imei><status>4</status></imeis>' +
  '<imeis><id>15556536</id><imei>356789101234567</imei><status>Pending</status></imeis></result>';

describe('salvagePlacedOrders', () => {
  it('keeps the orders a cut-off reply carried whole, and nothing after the cut', () => {
    const cut = FULL.slice(0, FULL.indexOf('<imeis><id>15556536') + 20);
    expect(salvagePlacedOrders(cut, SENT)).toEqual([
      { imei: '353370080089451', orderId: '15556534', status: 'Pending' },
      { imei: '353979106673567', orderId: '15556535', status: 'In Process' },
    ]);
  });

  it('ignores IMEIs that were not sent, repeats, and elements without an id', () => {
    const body =
      '<result><imeis><id>1</id><imei>111111111111111</imei></imeis>' +
      '<imeis><id></id><imei>353370080089451</imei></imeis>' +
      '<imeis><id>2</id><imei>353979106673567</imei></imeis><imeis><id>3</id><imei>353979106673567</imei></imeis>';
    expect(salvagePlacedOrders(body, SENT)).toEqual([{ imei: '353979106673567', orderId: '2', status: 'Pending' }]);
  });

  it('finds nothing in a page that is not a reply', () => {
    expect(salvagePlacedOrders('<html><body>502 Bad Gateway</body></html>', SENT)).toEqual([]);
  });
});

describe('providerAccount', () => {
  it('names the server and user, never the key, the same however the URL is written', () => {
    const a = providerAccount('gsmfusion', 'https://HammerFusion.com/', 'shop');
    expect(a).toEqual({ key: 'gsmfusion https://hammerfusion.com shop', label: 'hammerfusion.com (shop)' });
    expect(providerAccount('gsmfusion', 'https://hammerfusion.com', 'shop').key).toBe(a.key);
    expect(providerAccount('gsmfusion', 'https://hammerfusion.com', 'other').key).not.toBe(a.key);
    expect(providerAccount('gsmfusion', 'http://127.0.0.1:8080/panel/', 'u').key).toBe('gsmfusion http://127.0.0.1:8080/panel u');
  });

  it('keeps the built-in simulator an account of its own', () => {
    expect(SIMULATOR_ACCOUNT.key).not.toMatch(/^gsmfusion /);
  });
});
