import type { GuestSpec } from '../boot/guest.js';
import type { ImageSizes } from '../elf/index.js';

/** A subject ready to boot: the image built and how to run it (what every builder returns). */
export interface PreparedSubject {
  guest: GuestSpec;
  image: { path: string; sizes: Pick<ImageSizes, 'text' | 'data' | 'bss'> | null } | null;
  build: { seconds: number; cached: boolean; log: string | null } | null;
  /** deterministic mode's default stop symbol for this image, when not the httpd's `accept` */
  readySymbol?: string;
}
