/**
 * Per-module instruction counts for Embox in deterministic mode. Embox initialises each module
 * ("unit") through `unit_mod_enable(const struct mod *mod)` (src/framework/unit/unit.c), which
 * prints `initializing <pkg>.<name>` and calls the unit's `init`: a breakpoint on it, and the
 * module's name read from guest memory, attribute the count module by module.
 */
import { open } from 'node:fs/promises';
import { readGuestName, type ModuleProbe } from '../../boot/module-probe.js';

export const EMBOX_UNIT_ENABLE = 'unit_mod_enable';

const EM_386 = 3;
const POINTER = 4;
/**
 * struct unit = struct mod { ops, pkg_name, mod_name, label, depends, provides, data } followed
 * by init and fini (src/include/framework/mod/types.h, src/include/embox/unit.h); 32-bit x86.
 */
const MOD_PKG_NAME = 4;
const MOD_NAME = 8;
const UNIT_INIT = 28;

/** `unit_mod_enable`'s view of the stack at its entry (cdecl): [sp] return address, [sp+4] the mod. */
export const emboxUnitProbe: ModuleProbe = {
  symbol: EMBOX_UNIT_ENABLE,
  async describe(guest) {
    const frame = await guest.read(guest.sp, 2 * POINTER);
    const returnAddress = BigInt(frame.readUInt32LE(0));
    const mod = BigInt(frame.readUInt32LE(POINTER));
    const unit = await guest.read(mod, UNIT_INIT + POINTER);
    if (unit.readUInt32LE(UNIT_INIT) === 0) return null; // no init: Embox prints nothing for it either
    // a name that is not one means struct mod changed layout: better an error than a wrong table
    const pkg = await readGuestName(
      guest,
      BigInt(unit.readUInt32LE(MOD_PKG_NAME)),
      'Embox module package name (struct mod changed?)',
    );
    const name = await readGuestName(
      guest,
      BigInt(unit.readUInt32LE(MOD_NAME)),
      'Embox module name (struct mod changed?)',
    );
    return { name: `${pkg}.${name}`, returnAddress };
  },
};

/** The probe fits images for 32-bit x86 (Embox x86/*) only; other architectures get totals. */
export async function emboxModuleProbe(image: string): Promise<ModuleProbe | undefined> {
  const handle = await open(image, 'r');
  try {
    const header = Buffer.alloc(20);
    const { bytesRead } = await handle.read(header, 0, 20, 0);
    return bytesRead === 20 && header.readUInt16LE(18) === EM_386 ? emboxUnitProbe : undefined;
  } finally {
    await handle.close();
  }
}
