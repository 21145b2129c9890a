import { describe, expect, it } from 'vitest';
import { rumprunConfigJson, rumprunInterfaceForNic } from '../../src/build/rumprun/config-json.js';
import { rumprunGuest } from '../../src/build/rumprun/run.js';

describe('rumprunConfigJson', () => {
  it('writes the static network config and the cmdline rumprun expects', () => {
    const json = rumprunConfigJson({
      guestIp: '10.0.2.15',
      mask: 24,
      gateway: '10.0.2.2',
      iface: 'vioif0',
      argv: ['httpd'],
    });
    expect(json).toBe(
      '{"net":{"if":"vioif0","type":"inet","method":"static","addr":"10.0.2.15","mask":"24","gw":"10.0.2.2"},"cmdline":"httpd"}',
    );
  });

  it('leaves the network configuration out when asked (deterministic mode), still checking it', () => {
    expect(rumprunConfigJson({ guestIp: '10.0.2.15', mask: 24, gateway: '10.0.2.2', configureNetwork: false })).toBe(
      '{"cmdline":"httpd"}',
    );
    expect(() => rumprunConfigJson({ guestIp: '10.0.2.300', mask: 24, configureNetwork: false })).toThrow(
      /not an IPv4 address/,
    );
    expect(JSON.parse(rumprunGuest({ image: '/x.bin', deterministic: true }).append!)).toEqual({ cmdline: 'httpd' });
    expect(JSON.parse(rumprunGuest({ image: '/x.bin' }).append!).net.method).toBe('static');
  });

  it('joins argv with blanks (argv[0] is the program) and omits gw without a gateway', () => {
    const parsed = JSON.parse(rumprunConfigJson({ guestIp: '10.0.2.15', mask: '24', argv: ['httpd', '8080'] }));
    expect(parsed.cmdline).toBe('httpd 8080');
    expect(parsed.net.gw).toBeUndefined();
    expect(parsed.net.if).toBe('vioif0');
  });

  it('rejects what the guest could not parse back', () => {
    expect(() => rumprunConfigJson({ guestIp: '10.0.2', mask: 24 })).toThrow(
      /guest IP "10.0.2" is not an IPv4 address/,
    );
    expect(() => rumprunConfigJson({ guestIp: '10.0.2.15', mask: 33 })).toThrow(/mask "33"/);
    expect(() => rumprunConfigJson({ guestIp: '10.0.2.15', mask: 24, gateway: 'x' })).toThrow(/gateway "x"/);
    expect(() => rumprunConfigJson({ guestIp: '10.0.2.15', mask: 24, argv: [] })).toThrow(/argv is empty/);
    expect(() => rumprunConfigJson({ guestIp: '10.0.2.15', mask: 24, argv: ['httpd', 'a b'] })).toThrow(
      /"a b" must be a non-empty word/,
    );
    expect(() => rumprunConfigJson({ guestIp: '10.0.2.15', mask: 24, argv: ['say"hi'] })).toThrow(
      /must be a non-empty word/,
    );
    expect(() => rumprunConfigJson({ guestIp: '10.0.2.15', mask: 24, iface: 'eth 0' })).toThrow(/interface "eth 0"/);
  });
});

describe('rumprunInterfaceForNic', () => {
  it('maps QEMU NIC models to NetBSD interface names', () => {
    expect(rumprunInterfaceForNic('virtio-net-pci')).toBe('vioif0');
    expect(rumprunInterfaceForNic('e1000')).toBe('wm0');
    expect(() => rumprunInterfaceForNic('ne2k_pci')).toThrow(/no known interface name for NIC "ne2k_pci"/);
  });
});
