import type { GuestSpec } from '../../src/boot/guest.js';
import { guestFromSettings } from '../../src/build/guest-settings.js';
import { multibootFixtureSettings, type MultibootFixture } from '../../src/build/multiboot-fixture.js';
import type { LinuxFixture } from '../../src/build/linux-fixture.js';

export function multibootGuest(f: MultibootFixture, overrides: Partial<GuestSpec> = {}): GuestSpec {
  return { ...guestFromSettings('multiboot-fixture', multibootFixtureSettings(f.kernel)), ...overrides };
}

export function linuxGuest(f: LinuxFixture, overrides: Partial<GuestSpec> = {}): GuestSpec {
  return {
    qemu: f.qemu,
    memoryMb: f.memoryMb,
    kernel: f.kernel,
    initrd: f.initrd,
    append: f.append,
    network: { nic: 'virtio-net-pci', guestIp: f.guestIp, guestPort: f.guestPort },
    httpPath: '/',
    extraArgs: [],
    startMarker: f.startMarker,
    readyMarker: f.readyMarker,
    moduleMarker: null,
    timeoutMs: 90_000,
    ...overrides,
  };
}
