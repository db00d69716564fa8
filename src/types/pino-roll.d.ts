// pino-roll ships no type declarations; this covers the part the daemon uses.
declare module 'pino-roll' {
  import type { DestinationStream } from 'pino';

  interface PinoRollOptions {
    file: string;
    size?: string | number;
    frequency?: 'daily' | 'hourly' | number;
    extension?: string;
    mkdir?: boolean;
    mode?: number;
    symlink?: boolean;
    limit?: { count?: number; removeOtherLogFiles?: boolean };
    dateFormat?: string;
  }

  export default function roll(options: PinoRollOptions): Promise<DestinationStream & { end(): void; flushSync(): void }>;
}
