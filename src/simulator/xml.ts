/** XML text for the simulator's replies: escaping, elements and the (optionally broken) declaration. */
import type { ProviderStatus } from '../provider/types.js';
import type { SimulatedService } from './catalogue.js';
import type { PlacementOutcome } from './orders.js';
import type { SimulatorOrder } from './types.js';

/** What the live server sends: a declaration its PHP mangled. */
export const BROKEN_DECLARATION = '<?phpxml version="1.0" encoding="utf-8"?>';
export const PROPER_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** `<name>text</name>` with the text escaped. */
export function textElement(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`;
}

/** A whole reply: declaration, newline, root element. */
export function xmlDocument(root: string, brokenDeclaration: boolean): string {
  return `${brokenDeclaration ? BROKEN_DECLARATION : PROPER_DECLARATION}\n${root}`;
}

/** `<error>message</error>`: every refusal, always with HTTP 200. */
export function renderError(message: string): string {
  return textElement('error', message);
}

function renderPackage(service: SimulatedService): string {
  const fields = [
    textElement('PackageId', service.id),
    textElement('Category', service.category),
    textElement('PackageTitle', service.title),
    textElement('PackagePrice', service.price),
    textElement('TimeTaken', service.timeTaken),
    textElement('MustRead', service.mustRead),
  ];
  return `<Package>${fields.join('')}</Package>`;
}

/**
 * The catalogue. With the wrapper the root is `<Packages>` (as the vendor's PHP sample reads it:
 * `$arrayData['Packages']['Package']`); without it the `Package` elements sit under `<result>`.
 */
export function renderCatalogue(services: readonly SimulatedService[], wrapper: boolean): string {
  const packages = services.map(renderPackage).join('\n');
  return wrapper ? `<Packages>\n${packages}\n</Packages>` : `<result>\n${packages}\n</result>`;
}

export function renderPlacement(outcome: PlacementOutcome): string {
  const parts = outcome.placed.map(
    (order) =>
      `<imeis>${textElement('id', order.orderId)}${textElement('imei', order.imei)}${textElement('status', 'Pending')}</imeis>`,
  );
  if (outcome.duplicates.length > 0) {
    parts.push(`<imeiduplicates>${textElement('imei', outcome.duplicates.join(','))}</imeiduplicates>`);
  }
  if (outcome.malformed.length > 0) {
    parts.push(`<imeierrors>${textElement('imei', outcome.malformed.join(','))}</imeierrors>`);
  }
  return `<result>\n${parts.join('\n')}\n</result>`;
}

/** The manual's numbers for statuses. */
const STATUS_NUMBERS: Record<ProviderStatus, string> = {
  Pending: '1',
  Completed: '2',
  Rejected: '3',
  'In Process': '4',
};

export function renderOrderResults(
  orders: readonly SimulatorOrder[],
  packageTitle: (serviceId: string) => string,
  numericStatuses: boolean,
): string {
  const items = orders.map((order) => {
    const fields = [
      textElement('id', order.orderId),
      textElement('imei', order.imei),
      textElement('package', packageTitle(order.serviceId)),
      textElement('status', numericStatuses ? STATUS_NUMBERS[order.status] : order.status),
      textElement('code', order.code),
      textElement('requestedat', order.requestedAt),
    ];
    return `<imeis>${fields.join('')}</imeis>`;
  });
  return items.length === 0 ? '<result></result>' : `<result>\n${items.join('\n')}\n</result>`;
}
