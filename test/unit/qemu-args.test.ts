import { describe, expect, it } from 'vitest';
import { buildQemuArgs, qemuCommand, type GuestSpec } from '../../src/boot/guest.js';

const spec: GuestSpec = {
  qemu: 'qemu-system-i386',
  memoryMb: 256,
  kernel: '/img/embox',
  network: {
    nic: 'virtio-net-pci',
    mac: 'AA:BB:CC:DD:EE:02',
    net: '10.0.2.0/24',
    gateway: '10.0.2.10',
    guestIp: '10.0.2.16',
    guestPort: 80,
  },
  httpPath: '/',
  extraArgs: ['-smp', '1'],
  startMarker: 'Embox kernel start',
  readyMarker: 'httpd',
  moduleMarker: null,
  timeoutMs: 30_000,
};

describe('buildQemuArgs', () => {
  it('always uses TCG, serial on stdio, loopback-only hostfwd', () => {
    const args = buildQemuArgs(spec, 40123);
    expect(args.slice(0, 2)).toEqual(['-accel', 'tcg']);
    expect(args).toContain('-no-reboot');
    expect(args[args.indexOf('-serial') + 1]).toBe('stdio');
    expect(args[args.indexOf('-netdev') + 1]).toBe(
      'user,id=n0,net=10.0.2.0/24,host=10.0.2.10,hostfwd=tcp:127.0.0.1:40123-10.0.2.16:80',
    );
    expect(args[args.indexOf('-device') + 1]).toBe('virtio-net-pci,netdev=n0,mac=AA:BB:CC:DD:EE:02');
    expect(args.slice(-2)).toEqual(['-smp', '1']);
    expect(args).not.toContain('-enable-kvm');
  });

  it('gives no NIC to a guest without network', () => {
    const args = buildQemuArgs({ ...spec, network: null }, null);
    expect(args).not.toContain('-netdev');
    expect(args[args.indexOf('-nic') + 1]).toBe('none');
  });

  it('gives a deterministic boot (no host port) its NIC with no backend, and virtio work on the vCPU thread', () => {
    const args = buildQemuArgs(spec, null);
    expect(args).not.toContain('-netdev');
    expect(args.join(' ')).not.toMatch(/hostfwd|user/);
    expect(args[args.indexOf('-nic') + 1]).toBe('none');
    expect(args[args.indexOf('-device') + 1]).toBe('virtio-net-pci,mac=AA:BB:CC:DD:EE:02,ioeventfd=off,tx=timer');
    const e1000 = buildQemuArgs({ ...spec, network: { ...spec.network!, nic: 'e1000', mac: undefined } }, null);
    expect(e1000[e1000.indexOf('-device') + 1]).toBe('e1000');
  });

  it('passes initrd and append as separate arguments (no shell)', () => {
    const args = buildQemuArgs({ ...spec, initrd: '/i.cpio', append: 'console=ttyS0 quiet' }, 1);
    expect(args[args.indexOf('-initrd') + 1]).toBe('/i.cpio');
    expect(args[args.indexOf('-append') + 1]).toBe('console=ttyS0 quiet');
  });

  it('pins through taskset when asked', () => {
    expect(qemuCommand({ ...spec, pinCpu: 1 }, ['-x'])).toEqual({
      file: 'taskset',
      args: ['-c', '1', 'qemu-system-i386', '-x'],
    });
    expect(qemuCommand(spec, ['-x'])).toEqual({ file: 'qemu-system-i386', args: ['-x'] });
  });
});
