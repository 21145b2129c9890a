import { describe, expect, it } from 'vitest';
import { buildQemuArgs } from '../../src/boot/guest.js';
import { rumprunGuest } from '../../src/build/rumprun/run.js';

describe('rumprunGuest', () => {
  it('boots the baked image as a multiboot kernel with the JSON config and virtio-net', () => {
    const spec = rumprunGuest({ image: '/out/httpd-hw_virtio.bin' });
    expect(spec).toMatchObject({
      qemu: 'qemu-system-x86_64',
      memoryMb: 128,
      kernel: '/out/httpd-hw_virtio.bin',
      network: { nic: 'virtio-net-pci', guestIp: '10.0.2.15', gateway: '10.0.2.2', guestPort: 80 },
      httpPath: '/',
      startMarker: 'rump kernel bare metal bootstrap',
      readyMarker: 'bootgate-httpd: ready',
      moduleMarker: null,
    });
    expect(JSON.parse(spec.append!)).toEqual({
      net: { if: 'vioif0', type: 'inet', method: 'static', addr: '10.0.2.15', mask: '24', gw: '10.0.2.2' },
      cmdline: 'httpd',
    });
    const args = buildQemuArgs(spec, 40555);
    expect(args[args.indexOf('-append') + 1]).toBe(spec.append);
    expect(args[args.indexOf('-netdev') + 1]).toBe('user,id=n0,host=10.0.2.2,hostfwd=tcp:127.0.0.1:40555-10.0.2.15:80');
    expect(args[args.indexOf('-device') + 1]).toBe('virtio-net-pci,netdev=n0');
  });

  it('names the interface after the NIC and passes argv through', () => {
    const spec = rumprunGuest({ image: '/i.bin', nic: 'e1000', argv: ['httpd', '8080'], guestPort: 8080, pinCpu: 1 });
    expect(JSON.parse(spec.append!)).toMatchObject({ net: { if: 'wm0' }, cmdline: 'httpd 8080' });
    expect(spec.network?.guestPort).toBe(8080);
    expect(spec.pinCpu).toBe(1);
  });
});
