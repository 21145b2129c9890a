import { buildLinuxFixture } from '../build/linux-fixture.js';
import { buildMultibootFixture, multibootFixtureSettings } from '../build/multiboot-fixture.js';
import type { Subject } from '../config/subjects.js';

/** The two guests the project builds from its own sources and Debian packages. */
export async function demoSubjects(log: (line: string) => void): Promise<Subject[]> {
  log('building the multiboot fixture kernel (gcc -m32)');
  const multiboot = await buildMultibootFixture();
  log('building the Linux fixture (Debian kernel + busybox httpd initramfs)');
  const linux = await buildLinuxFixture();
  return [
    { name: 'multiboot-fixture', os: 'custom', settings: multibootFixtureSettings(multiboot.kernel) },
    {
      name: 'linux-busybox-httpd',
      os: 'custom',
      settings: {
        os: 'custom',
        kernel: linux.kernel,
        initrd: linux.initrd,
        append: linux.append,
        qemu: linux.qemu,
        memory: linux.memoryMb,
        'guest-ip': linux.guestIp,
        'guest-port': linux.guestPort,
        'start-marker': linux.startMarker,
        'ready-marker': linux.readyMarker,
        timeout: 60,
      },
    },
  ];
}
