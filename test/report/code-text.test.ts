import { describe, expect, it } from 'vitest';
import { codeCellText, plainCodeText } from '../../src/report/index.js';

describe('plainCodeText', () => {
  it.each([
    ['Model: iPhone', 'Model: iPhone'],
    ['a<br>b<br/>c<BR />d', 'a\nb\nc\nd'],
    ['<p>a</p><div>b</div>', 'a\nb'],
    ['<span style="color:green">Clean</span>', 'Clean'],
    ['AT&amp;T &#65;&#x42; &nbsp;x', 'AT&T AB x'],
    ['&lt;b&gt;kept&lt;/b&gt;', '<b>kept</b>'],
    ['Storage <64GB', 'Storage <64GB'],
    ['&bogus; &#0; &#xD800;', '&bogus; &#0; &#xD800;'],
    ['  a  \r\n\r\n  b\t ', 'a\nb'],
  ])('%j -> %j', (code, expected) => {
    expect(plainCodeText(code)).toBe(expected);
  });
});

describe('codeCellText', () => {
  it('puts a multi-line result on one line with the checkers own separator', () => {
    expect(codeCellText('Model: iPhone 12<br>Carrier: <b>O2</b>\nSimLock: Locked')).toBe(
      'Model: iPhone 12 - Carrier: O2 - SimLock: Locked',
    );
  });

  it('leaves a one-line code as it is', () => {
    expect(codeCellText('Invalid_IMEI')).toBe('Invalid_IMEI');
  });
});
