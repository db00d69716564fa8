/**
 * The simulator's `imeiservicelist`: the GSM Fusion catalogue's services as DHRU IMEI services,
 * plus two a spreadsheet of IMEIs cannot order (a SERVER service, and one needing a network),
 * so clients can be seen to mark and refuse them.
 */
import { SIMULATED_CATALOGUE } from '../catalogue.js';
import { numberField } from './render.js';

export interface DhruService {
  id: string;
  group: string;
  /** `IMEI` or `SERVER`. */
  type: string;
  title: string;
  /** As the catalogue writes it, e.g. `0.08`. */
  price: string;
  time: string;
  info: string;
  /** `Requires.*` inputs set to `Required`. */
  requires: readonly string[];
}

const REQUIREMENTS = ['Network', 'Mobile', 'Provider', 'PIN', 'KBH', 'MEP', 'PRD', 'Type', 'Reference', 'Locks', 'SN', 'SecRO'];

export const DHRU_SERVICES: readonly DhruService[] = [
  ...SIMULATED_CATALOGUE.map((service) => ({
    id: service.id,
    group: service.category,
    type: 'IMEI',
    title: service.title,
    price: service.price,
    time: service.timeTaken,
    info: service.mustRead,
    requires: [],
  })),
  {
    id: '1780',
    group: 'iPhone Unlock Services',
    type: 'IMEI',
    title: 'iPhone Unlock by Network - choose the carrier',
    price: '20.00',
    time: '1-3 Days',
    info: 'Select the network the phone is locked to.',
    requires: ['Network'],
  },
  {
    id: '3001',
    group: 'Server Services',
    type: 'SERVER',
    title: 'Samsung Tool Credits x10',
    price: '5.00',
    time: 'Instant',
    info: 'Credits are sent to your tool account/e-mail.',
    requires: [],
  },
];

export function findDhruService(serviceId: string): DhruService | undefined {
  return DHRU_SERVICES.find((service) => service.id === serviceId);
}

function renderService(service: DhruService, stringNumbers: boolean): Record<string, unknown> {
  const rendered: Record<string, unknown> = {
    SERVICEID: numberField(service.id, stringNumbers),
    SERVICETYPE: service.type,
    SERVICENAME: service.title,
    // PHP writes a float: `35.00` comes out as 35 unless the server sends text.
    CREDIT: numberField(service.price, stringNumbers),
    TIME: service.time,
    INFO: service.info,
    QNT: numberField('0', stringNumbers),
  };
  for (const name of REQUIREMENTS) rendered[`Requires.${name}`] = service.requires.includes(name) ? 'Required' : 'None';
  rendered['Requires.Custom'] = [];
  return rendered;
}

/** `LIST` keyed by group and `SERVICES` by id, or both as lists. */
export function renderServiceList(shape: 'objects' | 'arrays', stringNumbers: boolean): unknown {
  const groups = new Map<string, DhruService[]>();
  for (const service of DHRU_SERVICES) groups.set(service.group, [...(groups.get(service.group) ?? []), service]);
  const rendered = [...groups].map(([name, services]) => {
    const list = services.map((service) => renderService(service, stringNumbers));
    const keyed = Object.fromEntries(services.map((service, index) => [service.id, list[index]]));
    return [name, { GROUPNAME: name, GROUPTYPE: services[0]?.type ?? 'IMEI', SERVICES: shape === 'arrays' ? list : keyed }] as const;
  });
  return shape === 'arrays' ? rendered.map(([, group]) => group) : Object.fromEntries(rendered);
}
